// File: internal/scan.h
// The lexical half of the JSON reader: strings (escapes, surrogate pairs,
// UTF-8 validation, the string-length cap), numbers (RFC 8259 grammar, exact
// int64, locale-independent double conversion, no overflow to infinity), the
// NaN/Infinity words that Python's json module writes, and the one place that
// formats an error ("JSON: <what> at byte N (line L, column C): expected <x>").
// Every function reads only inside [Source::begin, Source::end).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "io/json/json.h"

namespace kgate::io::json::internal {

// The whole input; positions are pointers into it.
struct Source {
  const char* begin;
  const char* end;
};

// Line (1-based) and column (1-based, counted in characters: UTF-8
// continuation bytes do not advance it) of byte `offset`.
struct LineColumn {
  uint64_t line;
  uint64_t column;
};
LineColumn LocateOffset(std::string_view text, size_t offset);

// "JSON: <what> at byte N (line L, column C): expected <expected>", with
// `rule` attached. `limit` selects RESOURCE_EXHAUSTED (a cap was hit) over
// INVALID_ARGUMENT.
absl::Status ErrorAt(const Source& src, const char* at, std::string_view rule, std::string_view what,
                     std::string_view expected, bool limit = false);

// `c` for messages: 'x' when printable ASCII, 0xNN otherwise.
std::string DescribeByte(unsigned char c);

// `s` quoted and escaped for a message, cut (at a character boundary) after
// `max_bytes` bytes with "..." appended.
std::string QuoteForMessage(std::string_view s, size_t max_bytes = 64);

// Parses the string whose opening quote is at `*p`. On success `*out` holds
// the decoded text (at most `max_bytes` bytes) and `*p` points past the
// closing quote.
absl::Status ScanString(const Source& src, const char** p, uint64_t max_bytes, std::string* out);

// Parses the number that starts at `*p` ('-' or a digit). On success `*p`
// points past it. A literal without fraction or exponent that fits int64
// also sets `integer` ("-0" is the integer 0). Magnitudes beyond the double
// range are refused (KG-J003); ones below it round to zero as IEEE does.
absl::Status ScanNumber(const Source& src, const char** p, Value::Number* out);

// Length of a NaN/Infinity word at `p` (an optional sign, then "NaN", "Inf"
// or "Infinity" in any case), or 0.
size_t MatchNonFiniteWord(const char* p, const char* end);

}  // namespace kgate::io::json::internal
