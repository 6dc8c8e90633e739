// File: config_fields.h
// Strict, typed reading of kgate's configuration documents (a model's
// kgate.yaml, the server config file): every section parser walks an
// io::json::Value (the YAML reader produces the same tree as the JSON
// reader) through these helpers, so unknown keys are refused rather than
// ignored and every error names the file, the key path and what was
// expected: "models/digits/kgate.yaml: limits.max_batch: expected an integer
// in 1..65536, got string".
#pragma once

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "io/json/json.h"

namespace kgate::serve::config {

// A configuration file is small; anything larger is refused before reading.
inline constexpr uint64_t kMaxConfigBytes = uint64_t{1} << 20;

// Reads `path` (at most kMaxConfigBytes, a regular file, not a symlink) and
// parses it as YAML. An empty document is an empty mapping.
absl::StatusOr<io::json::Value> ReadDocument(const std::string& path);

// "a.b" from "a" and "b"; just "b" when `parent` is empty.
std::string KeyPath(std::string_view parent, std::string_view key);

// kInvalidArgument "<where>: <key_path>: <what>".
absl::Status Error(std::string_view where, std::string_view key_path, std::string_view what);

// A short description of what a value is, for "got ...": "string 'x'", "a list", ...
std::string Describe(const io::json::Value& v);

// `v` must be a mapping whose keys are all in `allowed`.
absl::Status ExpectMapping(const io::json::Value& v, std::string_view where, std::string_view key_path,
                           std::initializer_list<std::string_view> allowed);

absl::StatusOr<bool> ReadBool(const io::json::Value& v, std::string_view where, std::string_view key_path);
absl::StatusOr<int64_t> ReadInt(const io::json::Value& v, std::string_view where, std::string_view key_path,
                                int64_t lo, int64_t hi);
// A finite number in [lo, hi] (integers too).
absl::StatusOr<double> ReadNumber(const io::json::Value& v, std::string_view where, std::string_view key_path,
                                  double lo, double hi);
absl::StatusOr<std::string> ReadString(const io::json::Value& v, std::string_view where, std::string_view key_path);
absl::StatusOr<std::vector<std::string>> ReadStringList(const io::json::Value& v, std::string_view where,
                                                        std::string_view key_path);

// A path from a configuration file: relative paths are taken from the folder
// holding that file (`base_dir`), so a config reads the same from anywhere.
std::string ResolvePath(std::string_view base_dir, const std::string& path);

}  // namespace kgate::serve::config
