// Numbers and the NaN/Infinity words for the JSON reader (see internal/scan.h).

#include <charconv>
#include <cstring>
#include <system_error>

#include "io/json/internal/scan.h"
#include "util/rules.h"
#include "util/strings.h"

namespace kgate::io::json::internal {
namespace {

using util::StrCat;
namespace rules = util::rules;

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

char Lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

bool StartsWithNoCase(const char* p, const char* end, std::string_view word) {
  if (static_cast<size_t>(end - p) < word.size()) return false;
  for (size_t i = 0; i < word.size(); ++i) {
    if (Lower(p[i]) != word[i]) return false;
  }
  return true;
}

// Decimal exponent of the leading significant digit of a literal that
// from_chars found out of range: >= 0 means the magnitude is at least 1 (so
// the literal overflowed), < 0 that it underflowed. Saturates far beyond any
// exponent a double can reach.
int64_t LeadingDigitExponent(const char* int_begin, const char* int_end, const char* frac_begin,
                             const char* frac_end, const char* exp_begin, const char* exp_end) {
  constexpr int64_t kSaturate = int64_t{1} << 40;
  int64_t exponent = 0;
  if (exp_begin != exp_end) {
    bool negative = *exp_begin == '-';
    if (*exp_begin == '-' || *exp_begin == '+') ++exp_begin;
    for (const char* q = exp_begin; q < exp_end && exponent < kSaturate; ++q) exponent = exponent * 10 + (*q - '0');
    if (negative) exponent = -exponent;
  }
  int64_t lead = 0;
  bool found = false;
  for (const char* q = int_begin; q < int_end; ++q) {
    if (*q != '0') {
      lead = int_end - q - 1;
      found = true;
      break;
    }
  }
  if (!found) {
    for (const char* q = frac_begin; q < frac_end; ++q) {
      if (*q != '0') {
        lead = -(q - frac_begin) - 1;
        found = true;
        break;
      }
    }
  }
  if (!found) return -kSaturate;  // zero: cannot overflow
  return lead + exponent;
}

}  // namespace

size_t MatchNonFiniteWord(const char* p, const char* end) {
  const char* q = p;
  if (q < end && (*q == '-' || *q == '+')) ++q;
  for (std::string_view word : {"infinity", "inf", "nan"}) {
    if (StartsWithNoCase(q, end, word)) return static_cast<size_t>(q - p) + word.size();
  }
  return 0;
}

absl::Status ScanNumber(const Source& src, const char** pp, Value::Number* out) {
  const char* start = *pp;
  const char* p = start;
  const char* end = src.end;
  bool negative = p < end && *p == '-';
  if (negative) ++p;
  const char* int_begin = p;
  if (p == end || !IsDigit(*p)) {
    if (size_t n = MatchNonFiniteWord(start, end); n > 0) {
      return ErrorAt(src, start, rules::kJsonNonFinite,
                     StrCat(QuoteForMessage(std::string_view(start, n)), " is not a JSON number"),
                     "a finite number (JSON has no NaN or Infinity)");
    }
    return ErrorAt(src, p, rules::kJsonMalformed,
                   p == end ? std::string("unexpected end of input in a number")
                            : StrCat("unexpected ", DescribeByte(static_cast<unsigned char>(*p)), " after '-'"),
                   "a digit");
  }
  if (*p == '0') {
    ++p;
    if (p < end && IsDigit(*p)) {
      return ErrorAt(src, start, rules::kJsonMalformed, "number with a leading zero",
                     "a single 0 or a number starting with 1-9");
    }
  } else {
    while (p < end && IsDigit(*p)) ++p;
  }
  const char* int_end = p;
  const char* frac_begin = p;
  const char* frac_end = p;
  if (p < end && *p == '.') {
    ++p;
    frac_begin = p;
    while (p < end && IsDigit(*p)) ++p;
    frac_end = p;
    if (frac_begin == frac_end) {
      return ErrorAt(src, p, rules::kJsonMalformed, "number with no digit after the decimal point", "a digit");
    }
  }
  const char* exp_begin = p;
  const char* exp_end = p;
  if (p < end && (*p == 'e' || *p == 'E')) {
    ++p;
    exp_begin = p;
    if (p < end && (*p == '+' || *p == '-')) ++p;
    const char* digits = p;
    while (p < end && IsDigit(*p)) ++p;
    if (digits == p) {
      return ErrorAt(src, p, rules::kJsonMalformed, "number with no digit in its exponent", "a digit");
    }
    exp_end = p;
  }
  *pp = p;

  const bool integral = frac_begin == frac_end && exp_begin == exp_end;
  if (integral) {
    int64_t i;
    auto r = std::from_chars(start, p, i);
    if (r.ec == std::errc() && r.ptr == p) {
      out->integer = i;
      // int64 -> double rounds to nearest, exactly as parsing the literal would.
      out->value = static_cast<double>(i);
      return absl::OkStatus();
    }
  }
  out->integer.reset();
  // std::from_chars is locale-independent and correctly rounded.
  double d;
  auto r = std::from_chars(start, p, d);
  if (r.ec == std::errc::result_out_of_range) {
    if (LeadingDigitExponent(int_begin, int_end, frac_begin, frac_end, exp_begin, exp_end) >= 0) {
      return ErrorAt(src, start, rules::kJsonNonFinite,
                     StrCat("number ", QuoteForMessage(std::string_view(start, p - start), 40),
                            " is too large for a double (it would become infinite)"),
                     "a number of magnitude at most 1.7976931348623157e308");
    }
    d = negative ? -0.0 : 0.0;  // underflow: IEEE round-to-nearest gives zero
  } else if (r.ec != std::errc() || r.ptr != p) {
    return ErrorAt(src, start, rules::kJsonMalformed, "number that cannot be converted", "a JSON number");
  }
  out->value = d;
  return absl::OkStatus();
}

}  // namespace kgate::io::json::internal
