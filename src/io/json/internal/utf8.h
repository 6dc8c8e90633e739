// File: internal/utf8.h
// UTF-8 validation shared by the JSON reader (which refuses invalid text) and
// the serializers (which replace it, so their output is always valid JSON).
// The accepted forms are exactly RFC 3629's table: no overlong encodings, no
// UTF-16 surrogates (U+D800..U+DFFF) and nothing above U+10FFFF.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace kgate::io::json::internal {

enum class Utf8Error : uint8_t {
  kNone,
  kUnexpectedContinuation,  // 0x80..0xBF where a character must start
  kInvalidByte,             // 0xF8..0xFF never occur in UTF-8
  kOverlong,                // 0xC0, 0xC1, E0 80..9F, F0 80..8F
  kSurrogate,               // ED A0..BF: U+D800..U+DFFF encoded directly
  kTooLarge,                // F4 90.., F5..F7: above U+10FFFF
  kTruncated,               // input ends, or a non-continuation byte comes, mid-sequence
};

// What went wrong, for messages ("overlong UTF-8 encoding").
std::string_view Utf8ErrorName(Utf8Error e);

// Checks the multi-byte sequence that starts at `p` (requires p < end and
// *p >= 0x80) and returns its length, 2 to 4, or 0 with `*error` set. Never
// reads at or past `end`.
inline size_t CheckUtf8Sequence(const unsigned char* p, const unsigned char* end, Utf8Error* error) {
  const unsigned char lead = p[0];
  size_t len;
  // The allowed range of the second byte depends on the lead byte.
  unsigned char lo = 0x80, hi = 0xBF;
  if (lead < 0xC0) {
    *error = Utf8Error::kUnexpectedContinuation;
    return 0;
  } else if (lead < 0xC2) {
    *error = Utf8Error::kOverlong;
    return 0;
  } else if (lead < 0xE0) {
    len = 2;
  } else if (lead < 0xF0) {
    len = 3;
    if (lead == 0xE0) lo = 0xA0;
    if (lead == 0xED) hi = 0x9F;
  } else if (lead < 0xF5) {
    len = 4;
    if (lead == 0xF0) lo = 0x90;
    if (lead == 0xF4) hi = 0x8F;
  } else if (lead < 0xF8) {
    *error = Utf8Error::kTooLarge;
    return 0;
  } else {
    *error = Utf8Error::kInvalidByte;
    return 0;
  }
  if (end - p < 2 || (p[1] & 0xC0) != 0x80) {
    *error = Utf8Error::kTruncated;
    return 0;
  }
  if (p[1] < lo) {
    *error = Utf8Error::kOverlong;
    return 0;
  }
  if (p[1] > hi) {
    *error = lead == 0xED ? Utf8Error::kSurrogate : Utf8Error::kTooLarge;
    return 0;
  }
  for (size_t i = 2; i < len; ++i) {
    if (static_cast<size_t>(end - p) <= i || (p[i] & 0xC0) != 0x80) {
      *error = Utf8Error::kTruncated;
      return 0;
    }
  }
  *error = Utf8Error::kNone;
  return len;
}

// Appends code point `cp` (<= 0x10FFFF, not a surrogate) as UTF-8.
template <typename String>
void AppendUtf8(uint32_t cp, String* out) {
  if (cp < 0x80) {
    out->push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out->push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out->push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out->push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

// The offset of the first byte of `s` that does not start a valid UTF-8
// sequence, with `*error` saying why, or npos when all of `s` is valid.
inline size_t FindInvalidUtf8(std::string_view s, Utf8Error* error) {
  const auto* begin = reinterpret_cast<const unsigned char*>(s.data());
  const auto* end = begin + s.size();
  for (const unsigned char* p = begin; p < end;) {
    if (*p < 0x80) {
      ++p;
      continue;
    }
    const size_t n = CheckUtf8Sequence(p, end, error);
    if (n == 0) return static_cast<size_t>(p - begin);
    p += n;
  }
  *error = Utf8Error::kNone;
  return std::string_view::npos;
}

// Decodes the valid sequence p[0..n) that CheckUtf8Sequence measured (n >= 2).
inline uint32_t DecodeUtf8(const unsigned char* p, size_t n) {
  if (n == 2) return ((p[0] & 0x1Fu) << 6) | (p[1] & 0x3Fu);
  if (n == 3) return ((p[0] & 0x0Fu) << 12) | ((p[1] & 0x3Fu) << 6) | (p[2] & 0x3Fu);
  return ((p[0] & 0x07u) << 18) | ((p[1] & 0x3Fu) << 12) | ((p[2] & 0x3Fu) << 6) | (p[3] & 0x3Fu);
}

// Code points the writers escape although JSON allows them raw: YAML's
// printable set excludes C0, DEL, C1 and U+FFFE/FFFF, and a reader may fold
// or strip U+2028/2029 and U+FEFF. Escaping them keeps written JSON valid
// YAML and keeps terminal control codes out of logs.
inline bool EscapedOnOutput(uint32_t cp) {
  return cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp <= 0x9F) || cp == 0x2028 || cp == 0x2029 || cp == 0xFEFF ||
         cp == 0xFFFE || cp == 0xFFFF;
}

// kStringPlain[c] is true for bytes that stand for themselves inside a JSON
// string: printable ASCII other than '"' and '\\' (0x7F included).
inline constexpr std::array<bool, 256> kStringPlain = [] {
  std::array<bool, 256> t{};
  for (int c = 0x20; c < 0x80; ++c) t[c] = c != '"' && c != '\\';
  return t;
}();

}  // namespace kgate::io::json::internal
