// File: config_fields.h
// Typed reads from a parsed configuration tree (kgate.yaml and the server
// config file both arrive as io::json::Value, whether written as YAML or
// JSON). Every error is INVALID_ARGUMENT and reads
// "<where>: <key path>: expected <what>, got <actual>", so a user sees the
// file, the exact key and what would have been accepted. Unknown keys are
// errors, never ignored: a misspelt rule must not silently turn a check off.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "io/json/json.h"

namespace kgate::schema {

// "<where>: <path>: <what>" as INVALID_ARGUMENT ("<where>: <what>" when
// `path` is empty: the document itself).
absl::Status ConfigError(std::string_view where, std::string_view path, std::string_view what);

// What a value is, for "got ...": `string "x"` (cut at 64 bytes), `number 2`,
// `true`, `array`, ...
std::string DescribeValue(const io::json::Value& v);

// `path` + "." + `key` (just `key` when path is empty).
std::string ConfigPath(std::string_view path, std::string_view key);

// OK when `v` is an object whose keys are all in `allowed`; the error for an
// unknown key lists the allowed ones.
absl::Status CheckObject(const io::json::Value& v, std::initializer_list<std::string_view> allowed,
                         std::string_view where, std::string_view path);

absl::StatusOr<double> ReadNumber(const io::json::Value& v, std::string_view where, std::string_view path);
// An integer literal (no fraction or exponent) that fits int64.
absl::StatusOr<int64_t> ReadInteger(const io::json::Value& v, std::string_view where, std::string_view path);
absl::StatusOr<std::string> ReadString(const io::json::Value& v, std::string_view where, std::string_view path);
absl::StatusOr<bool> ReadBool(const io::json::Value& v, std::string_view where, std::string_view path);

}  // namespace kgate::schema
