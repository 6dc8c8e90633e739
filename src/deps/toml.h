// File: toml.h
// A strict, bounded TOML 1.0 reader for the lockfiles kgate audits
// (poetry.lock, uv.lock, pylock.toml) and its own ignore file. It returns the
// document as an io::json::Value tree: tables become objects (keys in
// document order), arrays and arrays of tables become arrays, strings,
// integers, floats and booleans keep their types, and date-times are kept as
// their text. Supported: comments, bare/quoted/dotted keys, [table] and
// [[array.of.tables]] headers, all four string kinds with escapes, integers
// (with "_", 0x/0o/0b), floats, booleans, date-times, multi-line arrays and
// inline tables. Redefining a key or table, unterminated constructs and
// invalid UTF-8 are errors naming the line and column. Parsing is recursive
// only over nested arrays/inline tables, capped at kMaxTomlDepth.
#pragma once

#include <string_view>

#include "absl/status/statusor.h"
#include "io/json/json.h"

namespace kgate::deps {

inline constexpr size_t kMaxTomlBytes = size_t{64} << 20;  // a large uv.lock is ~5 MiB
inline constexpr int kMaxTomlDepth = 32;                   // nested arrays / inline tables
inline constexpr size_t kMaxTomlValues = size_t{4} << 20;  // values and tables in one document

// Parses `text`; `display_name` prefixes every error ("uv.lock:12:7: ...").
absl::StatusOr<io::json::Value> ParseToml(std::string_view text, std::string_view display_name);

}  // namespace kgate::deps
