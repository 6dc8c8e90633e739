// File: config_fields.h
// What serve's configuration readers (a model's kgate.yaml, the server
// config file) add to the shared typed reads of schema/config_fields.h:
// reading the file itself (size-capped, no symlinks, YAML), integers and
// numbers within a range, lists of strings, and paths relative to the file.
// Errors read like the shared ones: "models/digits/kgate.yaml:
// limits.max_batch: expected an integer in 1..1048576, got string "eight"".
#pragma once

#include <cstdint>
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

absl::StatusOr<int64_t> ReadInt(const io::json::Value& v, std::string_view where, std::string_view key_path,
                                int64_t lo, int64_t hi);
// A finite number in [lo, hi] (integers too).
absl::StatusOr<double> ReadNumber(const io::json::Value& v, std::string_view where, std::string_view key_path,
                                  double lo, double hi);
absl::StatusOr<std::vector<std::string>> ReadStringList(const io::json::Value& v, std::string_view where,
                                                        std::string_view key_path);

// A path from a configuration file: relative paths are taken from the folder
// holding that file (`base_dir`), so a config reads the same from anywhere.
std::string ResolvePath(std::string_view base_dir, const std::string& path);

}  // namespace kgate::serve::config
