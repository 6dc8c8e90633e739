#include "deps/toml_scanner.h"

#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <limits>

#include "io/json/internal/utf8.h"
#include "util/status_macros.h"
#include "util/strings.h"

namespace kgate::deps::toml_internal {
namespace {

using io::json::Value;
using io::json::internal::AppendUtf8;

}  // namespace

// The same RFC 3629 rules as the JSON reader (io/json/internal/utf8.h).
bool ValidUtf8(std::string_view s, size_t* bad) {
  io::json::internal::Utf8Error error;
  *bad = io::json::internal::FindInvalidUtf8(s, &error);
  return *bad == std::string_view::npos;
}

bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsBareKeyChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || IsDigit(c) || c == '-' || c == '_';
}

absl::Status Scanner::Error(std::string_view what) const {
  int line = 1, col = 1;
  for (size_t i = 0; i < pos_ && i < s_.size(); ++i) {
    if (s_[i] == '\n') {
      ++line;
      col = 1;
    } else {
      ++col;
    }
  }
  return absl::InvalidArgumentError(util::StrCat(name_, ":", line, ":", col, ": ", what));
}

absl::Status Scanner::EatNewline() {
  if (Eat('\n')) return absl::OkStatus();
  if (Peek() == '\r' && Peek(1) == '\n') {
    pos_ += 2;
    return absl::OkStatus();
  }
  return Error(util::StrCat("expected the end of the line, found '", std::string(1, Peek()), "'"));
}

absl::Status Scanner::SkipComment() {
  while (!AtEnd() && Peek() != '\n') {
    char c = Peek();
    if ((static_cast<unsigned char>(c) < 0x20 && c != '\t' && !(c == '\r' && Peek(1) == '\n')) || c == 0x7F) {
      return Error("control character in a comment");
    }
    ++pos_;
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> Scanner::ParseString() {
  const char quote = Peek();
  const bool literal = quote == '\'';
  const bool multiline = Peek(1) == quote && Peek(2) == quote;
  pos_ += multiline ? 3 : 1;
  if (multiline) {
    // A newline right after the opening delimiter is trimmed.
    if (Peek() == '\n') {
      ++pos_;
    } else if (Peek() == '\r' && Peek(1) == '\n') {
      pos_ += 2;
    }
  }
  std::string out;
  while (true) {
    if (AtEnd()) return Error("unterminated string");
    char c = Peek();
    if (c == quote) {
      if (!multiline) {
        ++pos_;
        return out;
      }
      if (Peek(1) == quote && Peek(2) == quote) {
        // Up to two quotes may sit right before the closing delimiter.
        size_t run = 3;
        while (run < 5 && Peek(run) == quote) ++run;
        out.append(run - 3, quote);
        pos_ += run;
        return out;
      }
      out.push_back(c);
      ++pos_;
      continue;
    }
    if (c == '\n' || (c == '\r' && Peek(1) == '\n')) {
      if (!multiline) return Error("newline in a single-line string");
      if (c == '\r') ++pos_;
      ++pos_;
      out.push_back('\n');
      continue;
    }
    if ((static_cast<unsigned char>(c) < 0x20 && c != '\t') || c == 0x7F) {
      return Error("control character in a string (escape it)");
    }
    if (c == '\\' && !literal) {
      KGATE_RETURN_IF_ERROR(ParseEscape(multiline, &out));
      continue;
    }
    out.push_back(c);
    ++pos_;
  }
}

absl::Status Scanner::ParseEscape(bool multiline, std::string* out) {
  ++pos_;  // '\'
  char e = Peek();
  if (multiline && (e == ' ' || e == '\t' || e == '\n' || e == '\r')) {
    // Line-ending backslash: skip whitespace up to and across newlines.
    size_t save = pos_;
    SkipBlanks();
    if (Peek() != '\n' && !(Peek() == '\r' && Peek(1) == '\n')) {
      pos_ = save;
      return Error("'\\' followed by spaces must end the line");
    }
    while (Peek() == ' ' || Peek() == '\t' || Peek() == '\n' || (Peek() == '\r' && Peek(1) == '\n')) ++pos_;
    return absl::OkStatus();
  }
  ++pos_;
  switch (e) {
    case 'b': out->push_back('\b'); return absl::OkStatus();
    case 't': out->push_back('\t'); return absl::OkStatus();
    case 'n': out->push_back('\n'); return absl::OkStatus();
    case 'f': out->push_back('\f'); return absl::OkStatus();
    case 'r': out->push_back('\r'); return absl::OkStatus();
    case '"': out->push_back('"'); return absl::OkStatus();
    case '\\': out->push_back('\\'); return absl::OkStatus();
    case 'u':
    case 'U': {
      int digits = e == 'u' ? 4 : 8;
      uint32_t cp = 0;
      for (int i = 0; i < digits; ++i) {
        char h = Peek();
        int d = IsDigit(h) ? h - '0' : (h >= 'a' && h <= 'f') ? h - 'a' + 10 : (h >= 'A' && h <= 'F') ? h - 'A' + 10 : -1;
        if (d < 0) return Error(util::StrCat("expected ", digits, " hex digits after \\", std::string(1, e)));
        cp = cp * 16 + static_cast<uint32_t>(d);
        ++pos_;
      }
      if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return Error("escape is not a Unicode scalar value");
      AppendUtf8(cp, out);
      return absl::OkStatus();
    }
    default:
      --pos_;
      return Error(util::StrCat("unknown escape '\\", std::string(1, e), "'"));
  }
}

bool Scanner::IsDateTimeStart() const {
  auto d = [&](size_t i) { return IsDigit(Peek(i)); };
  return (d(0) && d(1) && d(2) && d(3) && Peek(4) == '-') || (d(0) && d(1) && Peek(2) == ':');
}

absl::StatusOr<std::string> Scanner::ParseDateTime() {
  size_t start = pos_;
  auto digits = [&](int n) {
    for (int i = 0; i < n; ++i) {
      if (!IsDigit(Peek())) return false;
      ++pos_;
    }
    return true;
  };
  auto time = [&]() {
    if (!digits(2) || !Eat(':') || !digits(2) || !Eat(':') || !digits(2)) return false;
    if (Eat('.') && !digits(1)) return false;
    while (IsDigit(Peek())) ++pos_;
    return true;
  };
  if (Peek(2) == ':') {
    if (!time()) return Error("malformed local time (expected HH:MM:SS)");
    return std::string(s_.substr(start, pos_ - start));
  }
  if (!digits(4) || !Eat('-') || !digits(2) || !Eat('-') || !digits(2)) {
    return Error("malformed date (expected YYYY-MM-DD)");
  }
  if ((Peek() == 'T' || Peek() == 't' || Peek() == ' ') && IsDigit(Peek(1))) {
    ++pos_;
    if (!time()) return Error("malformed time in a date-time (expected HH:MM:SS)");
    if (Peek() == 'Z' || Peek() == 'z') {
      ++pos_;
    } else if (Peek() == '+' || Peek() == '-') {
      ++pos_;
      if (!digits(2) || !Eat(':') || !digits(2)) return Error("malformed offset (expected +HH:MM)");
    }
  }
  return std::string(s_.substr(start, pos_ - start));
}

absl::StatusOr<io::json::Value> Scanner::ParseNumber() {
  size_t start = pos_;
  while (!AtEnd() && (IsBareKeyChar(Peek()) || Peek() == '+' || Peek() == '.')) ++pos_;
  std::string_view tok = s_.substr(start, pos_ - start);
  std::string_view body = tok;
  bool negative = false;
  if (!body.empty() && (body[0] == '+' || body[0] == '-')) {
    negative = body[0] == '-';
    body.remove_prefix(1);
  }
  if (body == "inf") return Value::Double(negative ? -HUGE_VAL : HUGE_VAL);
  if (body == "nan") return Value::Double(std::numeric_limits<double>::quiet_NaN());
  auto bad = [&]() {
    pos_ = start;
    return Error(util::StrCat("'", tok, "' is not a TOML number"));
  };
  // Underscores only between digits.
  std::string clean;
  for (size_t i = 0; i < body.size(); ++i) {
    if (body[i] == '_') {
      if (i == 0 || i + 1 == body.size() || !std::isxdigit(static_cast<unsigned char>(body[i - 1])) ||
          !std::isxdigit(static_cast<unsigned char>(body[i + 1]))) {
        return bad();
      }
      continue;
    }
    clean.push_back(body[i]);
  }
  if (clean.empty()) return bad();
  int base = 10;
  if (clean.size() > 2 && clean[0] == '0' && (clean[1] == 'x' || clean[1] == 'o' || clean[1] == 'b')) {
    if (tok[0] == '+' || tok[0] == '-') return bad();
    base = clean[1] == 'x' ? 16 : clean[1] == 'o' ? 8 : 2;
    clean = clean.substr(2);
  }
  const bool is_float = base == 10 && clean.find_first_of(".eE") != std::string::npos;
  if (base == 10) {
    // Leading zeros are not allowed ("0", "0.5" and "0e1" are).
    if (clean.size() > 1 && clean[0] == '0' && IsDigit(clean[1])) return bad();
    for (char c : clean) {
      if (!IsDigit(c) && c != '.' && c != 'e' && c != 'E' && c != '+' && c != '-') return bad();
    }
  }
  if (is_float) {
    size_t dot = clean.find('.');
    if (dot != std::string::npos && (dot == 0 || dot + 1 >= clean.size() || !IsDigit(clean[dot + 1]))) return bad();
    errno = 0;
    char* end = nullptr;
    std::string full = (negative ? "-" : "") + clean;
    double d = std::strtod(full.c_str(), &end);
    if (end != full.c_str() + full.size() || errno == ERANGE) return bad();
    return Value::Double(d);
  }
  errno = 0;
  char* end = nullptr;
  unsigned long long magnitude = std::strtoull(clean.c_str(), &end, base);
  if (end != clean.c_str() + clean.size() || errno == ERANGE) return bad();
  if (clean.find_first_of("+-") != std::string::npos) return bad();
  const unsigned long long limit = negative ? 9223372036854775808ull : 9223372036854775807ull;
  if (magnitude > limit) return bad();
  return Value::Int(negative ? static_cast<int64_t>(0 - magnitude) : static_cast<int64_t>(magnitude));
}

}  // namespace kgate::deps::toml_internal
