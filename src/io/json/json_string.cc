// Strings and error formatting for the JSON reader (see internal/scan.h).

#include <algorithm>
#include <cstring>

#include "io/json/internal/scan.h"
#include "io/json/internal/utf8.h"
#include "io/json/json.h"
#include "util/rules.h"
#include "util/strings.h"

namespace kgate::io::json::internal {
namespace {

using util::StrCat;

int HexDigit(unsigned char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// The code unit of the four hex digits at p, or -1 (also when fewer than
// four bytes remain).
int32_t Hex4(const unsigned char* p, const unsigned char* end) {
  if (end - p < 4) return -1;
  int32_t v = 0;
  for (int i = 0; i < 4; ++i) {
    int d = HexDigit(p[i]);
    if (d < 0) return -1;
    v = (v << 4) | d;
  }
  return v;
}

std::string EscapeText(const unsigned char* p, const unsigned char* end, size_t n) {
  size_t avail = std::min<size_t>(n, end - p);
  std::string s(reinterpret_cast<const char*>(p), avail);
  return QuoteForMessage(s);
}

}  // namespace

std::string_view Utf8ErrorName(Utf8Error e) {
  switch (e) {
    case Utf8Error::kNone: return "valid UTF-8";
    case Utf8Error::kUnexpectedContinuation: return "UTF-8 continuation byte without a lead byte";
    case Utf8Error::kInvalidByte: return "byte that never occurs in UTF-8";
    case Utf8Error::kOverlong: return "overlong UTF-8 encoding";
    case Utf8Error::kSurrogate: return "UTF-16 surrogate encoded in UTF-8";
    case Utf8Error::kTooLarge: return "UTF-8 sequence above U+10FFFF";
    case Utf8Error::kTruncated: return "truncated UTF-8 sequence";
  }
  return "invalid UTF-8";
}

LineColumn LocateOffset(std::string_view text, size_t offset) {
  offset = std::min(offset, text.size());
  LineColumn lc{1, 1};
  for (size_t i = 0; i < offset; ++i) {
    unsigned char c = static_cast<unsigned char>(text[i]);
    if (c == '\n') {
      ++lc.line;
      lc.column = 1;
    } else if ((c & 0xC0) != 0x80) {
      ++lc.column;
    }
  }
  return lc;
}

absl::Status ErrorAt(const Source& src, const char* at, std::string_view rule, std::string_view what,
                     std::string_view expected, bool limit) {
  std::string_view text(src.begin, static_cast<size_t>(src.end - src.begin));
  size_t offset = static_cast<size_t>(at - src.begin);
  LineColumn lc = LocateOffset(text, offset);
  std::string message = StrCat("JSON: ", what, " at byte ", offset, " (line ", lc.line, ", column ", lc.column,
                               "): expected ", expected);
  return limit ? util::RuleLimitError(rule, message) : util::RuleError(rule, message);
}

std::string DescribeByte(unsigned char c) {
  if (c >= 0x21 && c < 0x7F) return StrCat("'", static_cast<char>(c), "'");
  static constexpr char kHex[] = "0123456789ABCDEF";
  return StrCat("byte 0x", kHex[c >> 4], kHex[c & 0xF]);
}

std::string QuoteForMessage(std::string_view s, size_t max_bytes) {
  bool cut = s.size() > max_bytes;
  if (cut) {
    size_t n = max_bytes;
    while (n > 0 && (static_cast<unsigned char>(s[n]) & 0xC0) == 0x80) --n;  // keep whole characters
    s = s.substr(0, n);
  }
  std::string out;
  AppendQuoted(s, &out);
  if (cut) out.append("...");
  return out;
}

absl::Status ScanString(const Source& src, const char** pp, uint64_t max_bytes, std::string* out) {
  namespace rules = util::rules;
  const char* open = *pp;
  const auto* p = reinterpret_cast<const unsigned char*>(open + 1);
  const auto* end = reinterpret_cast<const unsigned char*>(src.end);
  auto at = [](const unsigned char* q) { return reinterpret_cast<const char*>(q); };
  auto too_long = [&] {
    return ErrorAt(src, open, rules::kJsonLimit, StrCat("string longer than the cap of ", max_bytes, " bytes"),
                   StrCat("a string of at most ", max_bytes, " bytes"), /*limit=*/true);
  };
  auto unterminated = [&] {
    return ErrorAt(src, src.end, rules::kJsonMalformed,
                   StrCat("unexpected end of input in the string opened at byte ", open - src.begin), "'\"'");
  };
  // Invariant: out->size() <= max_bytes, so `max_bytes - out->size()` does not wrap.
  out->clear();
  for (;;) {
    // The longest run of bytes that stand for themselves, valid UTF-8 included.
    const unsigned char* run = p;
    for (;;) {
      while (p < end && kStringPlain[*p]) ++p;
      if (p == end || *p < 0x80) break;
      Utf8Error error;
      size_t n = CheckUtf8Sequence(p, end, &error);
      if (n == 0) {
        return ErrorAt(src, at(p), rules::kJsonMalformed,
                       StrCat(Utf8ErrorName(error), " (", DescribeByte(*p), ") in a string"), "valid UTF-8");
      }
      p += n;
    }
    size_t run_len = static_cast<size_t>(p - run);
    if (run_len > max_bytes - out->size()) return too_long();
    out->append(at(run), run_len);
    if (p == end) return unterminated();
    if (*p == '"') {
      *pp = at(p + 1);
      return absl::OkStatus();
    }
    if (*p != '\\') {  // the only bytes left: controls below 0x20
      static constexpr char kHex[] = "0123456789ABCDEF";
      std::string escape = StrCat("\\u00", kHex[*p >> 4], kHex[*p & 0xF]);
      return ErrorAt(src, at(p), rules::kJsonMalformed,
                     StrCat("unescaped control character ", DescribeByte(*p), " in a string"),
                     StrCat("it escaped (", escape, ")"));
    }
    const unsigned char* escape = p++;
    if (p == end) return unterminated();
    char decoded[4];
    size_t decoded_len = 1;
    switch (*p++) {
      case '"': decoded[0] = '"'; break;
      case '\\': decoded[0] = '\\'; break;
      case '/': decoded[0] = '/'; break;
      case 'b': decoded[0] = '\b'; break;
      case 'f': decoded[0] = '\f'; break;
      case 'n': decoded[0] = '\n'; break;
      case 'r': decoded[0] = '\r'; break;
      case 't': decoded[0] = '\t'; break;
      case 'u': {
        int32_t unit = Hex4(p, end);
        if (unit < 0) {
          return ErrorAt(src, at(escape), rules::kJsonMalformed,
                         StrCat("invalid escape ", EscapeText(escape, end, 6)), "four hex digits after \\u");
        }
        p += 4;
        uint32_t cp = static_cast<uint32_t>(unit);
        if (cp >= 0xDC00 && cp <= 0xDFFF) {
          return ErrorAt(src, at(escape), rules::kJsonMalformed,
                         StrCat("lone low surrogate ", EscapeText(escape, end, 6), " in a string"),
                         "a high surrogate \\uD800..\\uDBFF before it");
        }
        if (cp >= 0xD800 && cp <= 0xDBFF) {
          int32_t low = (end - p >= 2 && p[0] == '\\' && p[1] == 'u') ? Hex4(p + 2, end) : -1;
          if (low < 0xDC00 || low > 0xDFFF) {
            return ErrorAt(src, at(escape), rules::kJsonMalformed,
                           StrCat("lone high surrogate ", EscapeText(escape, end, 6), " in a string"),
                           "a low surrogate \\uDC00..\\uDFFF right after it");
          }
          p += 6;
          cp = 0x10000 + ((cp - 0xD800) << 10) + (static_cast<uint32_t>(low) - 0xDC00);
        }
        struct Sink {
          char* buf;
          size_t n = 0;
          void push_back(char c) { buf[n++] = c; }
        } sink{decoded};
        AppendUtf8(cp, &sink);
        decoded_len = sink.n;
        break;
      }
      default:
        return ErrorAt(src, at(escape), rules::kJsonMalformed, StrCat("invalid escape ", EscapeText(escape, end, 2)),
                       "one of \\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX");
    }
    if (decoded_len > max_bytes - out->size()) return too_long();
    out->append(decoded, decoded_len);
  }
}

}  // namespace kgate::io::json::internal
