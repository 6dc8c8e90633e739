#include "io/yaml/yaml_writer.h"

#include <cassert>
#include <charconv>
#include <cmath>

#include "io/json/internal/utf8.h"

namespace kgate::io::yaml {
namespace {

constexpr char kHex[] = "0123456789ABCDEF";

void AppendEscapedCodePoint(uint32_t cp, std::string* out) {
  if (cp <= 0xFF) {
    out->append("\\x");
    out->push_back(kHex[cp >> 4]);
    out->push_back(kHex[cp & 0xF]);
    return;
  }
  out->append("\\u");
  for (int shift = 12; shift >= 0; shift -= 4) out->push_back(kHex[(cp >> shift) & 0xF]);
}

// Characters YAML's c-printable set excludes, plus the ones a reader might
// fold or strip (line separators, the byte-order mark).
bool NeedsEscape(uint32_t cp) {
  return cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp <= 0x9F) || cp == 0x2028 || cp == 0x2029 || cp == 0xFEFF ||
         cp == 0xFFFE || cp == 0xFFFF;
}

uint32_t DecodeUtf8(const unsigned char* p, size_t n) {
  if (n == 2) return ((p[0] & 0x1Fu) << 6) | (p[1] & 0x3Fu);
  if (n == 3) return ((p[0] & 0x0Fu) << 12) | ((p[1] & 0x3Fu) << 6) | (p[2] & 0x3Fu);
  return ((p[0] & 0x07u) << 18) | ((p[1] & 0x3Fu) << 12) | ((p[2] & 0x3Fu) << 6) | (p[3] & 0x3Fu);
}

}  // namespace

void AppendQuoted(std::string_view s, std::string* out) {
  out->push_back('"');
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  const auto* end = p + s.size();
  while (p < end) {
    if (*p < 0x80) {
      const char c = static_cast<char>(*p++);
      if (c == '"' || c == '\\') {
        out->push_back('\\');
        out->push_back(c);
      } else if (NeedsEscape(static_cast<unsigned char>(c))) {
        AppendEscapedCodePoint(static_cast<unsigned char>(c), out);
      } else {
        out->push_back(c);
      }
      continue;
    }
    json::internal::Utf8Error error;
    const size_t n = json::internal::CheckUtf8Sequence(p, end, &error);
    if (n == 0) {
      out->append("\xEF\xBF\xBD");  // U+FFFD
      ++p;
      continue;
    }
    const uint32_t cp = DecodeUtf8(p, n);
    if (NeedsEscape(cp)) {
      AppendEscapedCodePoint(cp, out);
    } else {
      out->append(reinterpret_cast<const char*>(p), n);
    }
    p += n;
  }
  out->push_back('"');
}

void AppendNumber(double d, std::string* out) {
  assert(std::isfinite(d));
  if (!std::isfinite(d)) d = 0;
  char buf[32];
  auto r = std::to_chars(buf, buf + sizeof(buf), d);
  out->append(buf, r.ptr);
  // "-0" would read back as the integer 0; keep the sign with a fraction.
  if (d == 0 && std::signbit(d)) out->append(".0");
}

void AppendInteger(int64_t i, std::string* out) {
  char buf[24];
  auto r = std::to_chars(buf, buf + sizeof(buf), i);
  out->append(buf, r.ptr);
}

}  // namespace kgate::io::yaml
