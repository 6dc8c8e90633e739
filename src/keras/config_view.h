// File: config_view.h
// ConfigView reads typed, range-checked fields out of one Keras config object
// (a layer's "config", an initializer's "config", ...). Every accessor names
// the field by JSON Pointer in its error ("config.json:/config/layers/3/config/units:
// expected a positive integer <= 1048576, got -4") and tags it with rule
// KG-K010, so a wrong type or an absurd value is a finding, never a crash or
// a huge allocation later. Accessors mirror Keras's own normalisation: an int
// where Keras accepts "int or tuple" is expanded (standardize_tuple).
#pragma once

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "io/json/json.h"

namespace kgate::keras {

// Caps on sizes a config may declare. They bound what a file can make kgate
// allocate before any weight is read; real models stay far below them.
inline constexpr int64_t kMaxDim = int64_t{1} << 31;        // one tensor dimension
inline constexpr int64_t kMaxUnits = int64_t{1} << 24;      // units, filters, heads*dim, vocabulary
inline constexpr int64_t kMaxKernelExtent = 1 << 12;        // kernel_size, pool_size, strides, dilation
inline constexpr int64_t kMaxRank = 8;                      // tensor rank incl. batch

class ConfigView {
 public:
  // `config` must be a JSON object (checked by the caller) and outlive the view.
  // `location` is the file-qualified JSON Pointer of `config`.
  ConfigView(const io::json::Value& config, std::string location)
      : config_(config), location_(std::move(location)) {}

  const io::json::Value& json() const { return config_; }
  const std::string& location() const { return location_; }
  std::string Location(std::string_view key) const;  // location + "/" + escaped key

  const io::json::Value* Find(std::string_view key) const { return config_.Find(key); }
  bool Has(std::string_view key) const { return Find(key) != nullptr; }
  // True when the key is absent or null.
  bool IsNull(std::string_view key) const;

  // Required fields.
  absl::StatusOr<bool> Bool(std::string_view key) const;
  absl::StatusOr<int64_t> Int(std::string_view key, int64_t min, int64_t max) const;
  absl::StatusOr<double> Float(std::string_view key) const;  // finite
  absl::StatusOr<std::string> String(std::string_view key) const;
  // A string that must be one of `allowed`.
  absl::StatusOr<std::string> Enum(std::string_view key, std::initializer_list<std::string_view> allowed) const;

  // Optional fields: the fallback when absent or null.
  absl::StatusOr<bool> Bool(std::string_view key, bool fallback) const;
  absl::StatusOr<int64_t> Int(std::string_view key, int64_t min, int64_t max, int64_t fallback) const;
  absl::StatusOr<double> Float(std::string_view key, double fallback) const;
  absl::StatusOr<std::string> Enum(std::string_view key, std::initializer_list<std::string_view> allowed,
                                   std::string_view fallback) const;
  absl::StatusOr<std::optional<int64_t>> OptionalInt(std::string_view key, int64_t min, int64_t max) const;

  // An int or a list of exactly `n` ints (Keras standardize_tuple), each in [min, max].
  absl::StatusOr<std::vector<int64_t>> IntTuple(std::string_view key, size_t n, int64_t min, int64_t max) const;
  // A list of ints of any length up to max_len, each in [min, max]; an int
  // alone is a list of one.
  absl::StatusOr<std::vector<int64_t>> IntList(std::string_view key, size_t max_len, int64_t min, int64_t max) const;
  // A shape: list of ints (>= 1, <= kMaxDim) or null (unknown) entries.
  absl::StatusOr<std::vector<int64_t>> Shape(std::string_view key) const;
  // A list of numbers (finite), or a single number (a list of one).
  absl::StatusOr<std::vector<double>> FloatList(std::string_view key) const;
  // A nested config object under `key` (must be an object).
  absl::StatusOr<ConfigView> Object(std::string_view key) const;

  // Refuses (KG-K010) any key other than `known` and the keys every layer
  // config has ("name", "trainable", "dtype"). Keras's from_config would
  // raise on an unknown keyword; kgate refuses what it does not understand.
  absl::Status OnlyKeys(std::initializer_list<std::string_view> known) const;

  // A KG-K010 error about `key`: "<location>/<key>: <message>".
  absl::Status Error(std::string_view key, std::string_view message) const;

 private:
  const io::json::Value& config_;
  std::string location_;
};

}  // namespace kgate::keras
