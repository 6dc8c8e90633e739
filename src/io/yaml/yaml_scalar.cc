// The YAML 1.2 core schema (yaml.org/spec/1.2.2, 10.3.2), written out as
// small matchers rather than regular expressions so that nothing here can
// backtrack. Numbers are converted with std::from_chars: exact for int64,
// correctly rounded and locale-independent for doubles.

#include <charconv>
#include <cmath>
#include <cstdint>
#include <string>

#include "io/yaml/internal/scalar.h"
#include "util/strings.h"

namespace kgate::io::yaml::internal {
namespace {

using util::StrCat;

bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsOctal(char c) { return c >= '0' && c <= '7'; }
bool IsHex(char c) { return IsDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }

template <typename Pred>
bool AllOf(std::string_view s, Pred pred) {
  if (s.empty()) return false;
  for (char c : s) {
    if (!pred(c)) return false;
  }
  return true;
}

bool IsNullText(std::string_view t) { return t.empty() || t == "~" || t == "null" || t == "Null" || t == "NULL"; }

std::optional<bool> BoolText(std::string_view t) {
  if (t == "true" || t == "True" || t == "TRUE") return true;
  if (t == "false" || t == "False" || t == "FALSE") return false;
  return std::nullopt;
}

// Texts too long for a message are cut; they come from the input.
std::string Quote(std::string_view t) {
  constexpr size_t kMax = 40;
  if (t.size() <= kMax) return StrCat("'", t, "'");
  size_t cut = kMax;
  while (cut > 0 && (static_cast<unsigned char>(t[cut]) & 0xC0) == 0x80) --cut;  // keep UTF-8 whole
  return StrCat("'", t.substr(0, cut), "...'");
}

enum class IntForm { kNone, kDecimal, kOctal, kHex };

IntForm MatchInt(std::string_view t) {
  if (t.size() > 2 && t[0] == '0' && t[1] == 'o' && AllOf(t.substr(2), IsOctal)) return IntForm::kOctal;
  if (t.size() > 2 && t[0] == '0' && t[1] == 'x' && AllOf(t.substr(2), IsHex)) return IntForm::kHex;
  std::string_view digits = t;
  if (!digits.empty() && (digits[0] == '-' || digits[0] == '+')) digits.remove_prefix(1);
  return AllOf(digits, IsDigit) ? IntForm::kDecimal : IntForm::kNone;
}

absl::StatusOr<json::Value> ConvertInt(std::string_view t, IntForm form) {
  int base = 10;
  std::string_view body = t;
  if (form == IntForm::kOctal || form == IntForm::kHex) {
    base = form == IntForm::kOctal ? 8 : 16;
    body.remove_prefix(2);
  } else if (body[0] == '+') {
    body.remove_prefix(1);  // from_chars takes '-' but not '+'
  }
  int64_t v = 0;
  auto r = std::from_chars(body.data(), body.data() + body.size(), v, base);
  if (r.ec != std::errc() || r.ptr != body.data() + body.size()) {
    return absl::InvalidArgumentError(StrCat("integer ", Quote(t), " does not fit in a signed 64-bit integer"));
  }
  return json::Value::Int(v);
}

// The parts of a decimal float literal that the core schema accepts:
// [-+]? ( \. [0-9]+ | [0-9]+ ( \. [0-9]* )? ) ( [eE] [-+]? [0-9]+ )?
struct FloatParts {
  std::string_view int_digits, frac_digits;
  int64_t exponent = 0;  // saturated; only its sign relative to the digits matters
};

std::optional<FloatParts> MatchFloat(std::string_view t) {
  FloatParts parts;
  size_t i = 0;
  if (i < t.size() && (t[i] == '-' || t[i] == '+')) ++i;
  size_t start = i;
  while (i < t.size() && IsDigit(t[i])) ++i;
  parts.int_digits = t.substr(start, i - start);
  if (i < t.size() && t[i] == '.') {
    ++i;
    start = i;
    while (i < t.size() && IsDigit(t[i])) ++i;
    parts.frac_digits = t.substr(start, i - start);
    if (parts.int_digits.empty() && parts.frac_digits.empty()) return std::nullopt;
  } else if (parts.int_digits.empty()) {
    return std::nullopt;
  }
  if (i < t.size() && (t[i] == 'e' || t[i] == 'E')) {
    ++i;
    bool negative = false;
    if (i < t.size() && (t[i] == '-' || t[i] == '+')) negative = t[i++] == '-';
    if (i == t.size()) return std::nullopt;
    for (; i < t.size(); ++i) {
      if (!IsDigit(t[i])) return std::nullopt;
      if (parts.exponent < 100000) parts.exponent = parts.exponent * 10 + (t[i] - '0');
    }
    if (negative) parts.exponent = -parts.exponent;
  }
  return i == t.size() ? std::optional(parts) : std::nullopt;
}

bool IsInfText(std::string_view t) {
  if (!t.empty() && (t[0] == '-' || t[0] == '+')) t.remove_prefix(1);
  return t == ".inf" || t == ".Inf" || t == ".INF";
}
bool IsNanText(std::string_view t) { return t == ".nan" || t == ".NaN" || t == ".NAN"; }

absl::StatusOr<json::Value> ConvertFloat(std::string_view t, const FloatParts& parts) {
  std::string_view body = t[0] == '+' ? t.substr(1) : t;
  double d = 0;
  auto r = std::from_chars(body.data(), body.data() + body.size(), d);
  if (r.ec == std::errc::result_out_of_range) {
    // Overflow or underflow: the decimal exponent of the leading digit says which.
    int64_t lead = 0;
    bool found = false;
    for (size_t k = 0; k < parts.int_digits.size() && !found; ++k) {
      if (parts.int_digits[k] != '0') {
        lead = static_cast<int64_t>(parts.int_digits.size() - k - 1);
        found = true;
      }
    }
    for (size_t k = 0; k < parts.frac_digits.size() && !found; ++k) {
      if (parts.frac_digits[k] != '0') {
        lead = -static_cast<int64_t>(k + 1);
        found = true;
      }
    }
    if (found && lead + parts.exponent >= 0) {
      return absl::InvalidArgumentError(
          StrCat("number ", Quote(t), " is too large for a double (it would become infinite)"));
    }
    d = t[0] == '-' ? -0.0 : 0.0;
  } else if (r.ec != std::errc() || r.ptr != body.data() + body.size()) {
    return absl::InvalidArgumentError(StrCat("number ", Quote(t), " cannot be converted"));
  }
  return json::Value::Double(d);
}

absl::Status NonFinite(std::string_view t) {
  return absl::InvalidArgumentError(
      StrCat("non-finite number ", Quote(t), " is not accepted (leave a bound out instead of making it infinite)"));
}

}  // namespace

std::optional<CoreTag> ParseCoreTag(std::string_view tag) {
  constexpr std::string_view kPrefix = "tag:yaml.org,2002:";
  if (tag.substr(0, kPrefix.size()) != kPrefix) return std::nullopt;
  std::string_view name = tag.substr(kPrefix.size());
  if (name == "str") return CoreTag::kStr;
  if (name == "int") return CoreTag::kInt;
  if (name == "float") return CoreTag::kFloat;
  if (name == "bool") return CoreTag::kBool;
  if (name == "null") return CoreTag::kNull;
  if (name == "map") return CoreTag::kMap;
  if (name == "seq") return CoreTag::kSeq;
  return std::nullopt;
}

absl::StatusOr<json::Value> ResolvePlain(std::string_view t) {
  if (IsNullText(t)) return json::Value::Null();
  if (auto b = BoolText(t)) return json::Value::Bool(*b);
  if (IntForm form = MatchInt(t); form != IntForm::kNone) {
    absl::StatusOr<json::Value> v = ConvertInt(t, form);
    // Like the JSON reader: a decimal integer beyond int64 is the nearest
    // double (shortest-form doubles print that way, e.g. 3881210522493577592832).
    if (!v.ok() && form == IntForm::kDecimal) return ConvertFloat(t, *MatchFloat(t));
    return v;
  }
  if (auto parts = MatchFloat(t)) return ConvertFloat(t, *parts);
  if (IsInfText(t) || IsNanText(t)) return NonFinite(t);
  return json::Value::String(std::string(t));
}

absl::StatusOr<json::Value> ResolveTagged(CoreTag tag, std::string_view t) {
  switch (tag) {
    case CoreTag::kStr:
      return json::Value::String(std::string(t));
    case CoreTag::kNull:
      if (IsNullText(t)) return json::Value::Null();
      return absl::InvalidArgumentError(StrCat("!!null scalar ", Quote(t), " is not null, ~ or empty"));
    case CoreTag::kBool:
      if (auto b = BoolText(t)) return json::Value::Bool(*b);
      return absl::InvalidArgumentError(StrCat("!!bool scalar ", Quote(t), " is not true or false"));
    case CoreTag::kInt:
      if (IntForm form = MatchInt(t); form != IntForm::kNone) return ConvertInt(t, form);
      return absl::InvalidArgumentError(StrCat("!!int scalar ", Quote(t), " is not an integer"));
    case CoreTag::kFloat:
      // Decimal integer forms are floats too ("!!float 1" is 1.0).
      if (auto parts = MatchFloat(t)) return ConvertFloat(t, *parts);
      if (IsInfText(t) || IsNanText(t)) return NonFinite(t);
      return absl::InvalidArgumentError(StrCat("!!float scalar ", Quote(t), " is not a number"));
    case CoreTag::kMap:
    case CoreTag::kSeq:
      break;
  }
  return absl::InvalidArgumentError(StrCat("a scalar cannot carry the ", tag == CoreTag::kMap ? "!!map" : "!!seq",
                                           " tag"));
}

}  // namespace kgate::io::yaml::internal
