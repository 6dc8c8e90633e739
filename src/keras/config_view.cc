#include "keras/config_view.h"

#include <cmath>

#include "util/strings.h"
#include "util/rules.h"
#include "util/status_macros.h"

namespace kgate::keras {
namespace {

using io::json::Value;

std::string_view KindOf(const Value& v) { return Value::KindName(v.kind()); }

// An integer JSON number; Keras also writes whole floats (2.0) for some
// integer fields, which Python's int() would accept.
std::optional<int64_t> AsInt(const Value& v) {
  if (!v.is_number()) return std::nullopt;
  if (v.number().integer) return v.number().integer;
  double d = v.number().value;
  if (std::isfinite(d) && d == std::trunc(d) && std::fabs(d) < 9.0e15) return static_cast<int64_t>(d);
  return std::nullopt;
}

// Calls take(element, index) for each element of a list value, or once for a
// scalar value (Keras accepts "x or [x, ...]"); stops at the first error.
template <typename Take>
absl::Status ForEachElement(const Value& v, Take take) {
  if (!v.is_array()) return take(v, 0);
  for (size_t i = 0; i < v.array().size(); ++i) {
    absl::Status s = take(v.array()[i], i);
    if (!s.ok()) return s;
  }
  return absl::OkStatus();
}

}  // namespace

std::string ConfigView::Location(std::string_view key) const {
  return util::StrCat(location_, "/", io::json::PointerToken(key));
}

absl::Status ConfigView::Error(std::string_view key, std::string_view message) const {
  return util::RuleError(util::rules::kConfigInvalid, util::StrCat(Location(key), ": ", message));
}

bool ConfigView::IsNull(std::string_view key) const {
  const Value* v = Find(key);
  return v == nullptr || v->is_null();
}

absl::StatusOr<bool> ConfigView::Bool(std::string_view key) const {
  const Value* v = Find(key);
  if (v == nullptr) return Error(key, "required boolean is missing");
  if (!v->is_bool()) return Error(key, util::StrCat("expected a boolean, got ", KindOf(*v)));
  return v->bool_value();
}

absl::StatusOr<bool> ConfigView::Bool(std::string_view key, bool fallback) const {
  if (IsNull(key)) return fallback;
  return Bool(key);
}

absl::StatusOr<int64_t> ConfigView::Int(std::string_view key, int64_t min, int64_t max) const {
  const Value* v = Find(key);
  if (v == nullptr) return Error(key, "required integer is missing");
  std::optional<int64_t> i = AsInt(*v);
  if (!i) return Error(key, util::StrCat("expected an integer, got ", KindOf(*v)));
  if (*i < min || *i > max) {
    return Error(key, util::StrCat("expected an integer in [", min, ", ", max, "], got ", *i));
  }
  return *i;
}

absl::StatusOr<int64_t> ConfigView::Int(std::string_view key, int64_t min, int64_t max,
                                        int64_t fallback) const {
  if (IsNull(key)) return fallback;
  return Int(key, min, max);
}

absl::StatusOr<std::optional<int64_t>> ConfigView::OptionalInt(std::string_view key, int64_t min,
                                                               int64_t max) const {
  if (IsNull(key)) return std::optional<int64_t>();
  auto i = Int(key, min, max);
  if (!i.ok()) return i.status();
  return std::optional<int64_t>(*i);
}

absl::StatusOr<double> ConfigView::Float(std::string_view key) const {
  const Value* v = Find(key);
  if (v == nullptr) return Error(key, "required number is missing");
  if (!v->is_number()) return Error(key, util::StrCat("expected a number, got ", KindOf(*v)));
  double d = v->number().value;
  if (!std::isfinite(d)) return Error(key, "expected a finite number");
  return d;
}

absl::StatusOr<double> ConfigView::Float(std::string_view key, double fallback) const {
  if (IsNull(key)) return fallback;
  return Float(key);
}

absl::StatusOr<std::string> ConfigView::String(std::string_view key) const {
  const Value* v = Find(key);
  if (v == nullptr) return Error(key, "required string is missing");
  if (!v->is_string()) return Error(key, util::StrCat("expected a string, got ", KindOf(*v)));
  return v->string();
}

absl::StatusOr<std::string> ConfigView::Enum(std::string_view key,
                                             std::initializer_list<std::string_view> allowed) const {
  auto s = String(key);
  if (!s.ok()) return s.status();
  for (std::string_view a : allowed) {
    if (*s == a) return s;
  }
  std::string expected;
  for (std::string_view a : allowed) util::StrAppend(&expected, expected.empty() ? "" : ", ", "'", a, "'");
  return Error(key, util::StrCat("expected one of ", expected, ", got '", *s, "'"));
}

absl::StatusOr<std::string> ConfigView::Enum(std::string_view key,
                                             std::initializer_list<std::string_view> allowed,
                                             std::string_view fallback) const {
  if (IsNull(key)) return std::string(fallback);
  return Enum(key, allowed);
}

absl::StatusOr<std::vector<int64_t>> ConfigView::IntList(std::string_view key, size_t max_len, int64_t min,
                                                         int64_t max) const {
  const Value* v = Find(key);
  if (v == nullptr) return Error(key, "required integer list is missing");
  std::vector<int64_t> out;
  auto take = [&](const Value& e, size_t index) -> absl::Status {
    std::optional<int64_t> i = AsInt(e);
    if (!i) return Error(key, util::StrCat("element ", index, ": expected an integer, got ", KindOf(e)));
    if (*i < min || *i > max) {
      return Error(key, util::StrCat("element ", index, ": expected an integer in [", min, ", ", max, "], got ", *i));
    }
    out.push_back(*i);
    return absl::OkStatus();
  };
  if (v->is_array() && v->array().size() > max_len) {
    return Error(key, util::StrCat("expected at most ", max_len, " integers, got ", v->array().size()));
  }
  KGATE_RETURN_IF_ERROR(ForEachElement(*v, take));
  return out;
}

absl::StatusOr<std::vector<int64_t>> ConfigView::IntTuple(std::string_view key, size_t n, int64_t min,
                                                          int64_t max) const {
  auto list = IntList(key, n, min, max);
  if (!list.ok()) return list.status();
  const Value* v = Find(key);
  if (!v->is_array()) return std::vector<int64_t>(n, (*list)[0]);
  if (list->size() != n) {
    return Error(key, util::StrCat("expected an integer or a list of ", n, " integers, got ", list->size()));
  }
  return list;
}

absl::StatusOr<std::vector<int64_t>> ConfigView::Shape(std::string_view key) const {
  const Value* v = Find(key);
  if (v == nullptr) return Error(key, "required shape is missing");
  if (!v->is_array()) return Error(key, util::StrCat("expected a shape (list), got ", KindOf(*v)));
  if (v->array().size() > static_cast<size_t>(kMaxRank)) {
    return Error(key, util::StrCat("shape has rank ", v->array().size(), "; at most ", kMaxRank, " is supported"));
  }
  std::vector<int64_t> out;
  for (size_t i = 0; i < v->array().size(); ++i) {
    const Value& e = v->array()[i];
    if (e.is_null()) {
      out.push_back(-1);
      continue;
    }
    std::optional<int64_t> d = AsInt(e);
    if (!d || *d < 0 || *d > kMaxDim) {
      return Error(key, util::StrCat("dimension ", i, ": expected null or an integer in [0, ", kMaxDim, "]"));
    }
    out.push_back(*d);
  }
  return out;
}

absl::StatusOr<std::vector<double>> ConfigView::FloatList(std::string_view key) const {
  const Value* v = Find(key);
  if (v == nullptr) return Error(key, "required number list is missing");
  std::vector<double> out;
  auto take = [&](const Value& e, size_t index) -> absl::Status {
    if (!e.is_number() || !std::isfinite(e.number().value)) {
      return Error(key, util::StrCat("element ", index, ": expected a finite number, got ", KindOf(e)));
    }
    out.push_back(e.number().value);
    return absl::OkStatus();
  };
  if (v->is_array() && v->array().size() > static_cast<size_t>(kMaxUnits)) {
    return Error(key, util::StrCat("expected at most ", kMaxUnits, " numbers, got ", v->array().size()));
  }
  KGATE_RETURN_IF_ERROR(ForEachElement(*v, take));
  return out;
}

absl::Status ConfigView::OnlyKeys(std::initializer_list<std::string_view> known) const {
  static constexpr std::string_view kCommon[] = {"name", "trainable", "dtype"};
  for (const io::json::Member& m : config_.object()) {
    bool ok = false;
    for (std::string_view k : kCommon) ok = ok || m.first == k;
    for (std::string_view k : known) ok = ok || m.first == k;
    if (!ok) return Error(m.first, "unknown config field; kgate refuses fields it does not understand");
  }
  return absl::OkStatus();
}

absl::StatusOr<ConfigView> ConfigView::Object(std::string_view key) const {
  const Value* v = Find(key);
  if (v == nullptr) return Error(key, "required object is missing");
  if (!v->is_object()) return Error(key, util::StrCat("expected an object, got ", KindOf(*v)));
  return ConfigView(*v, Location(key));
}

}  // namespace kgate::keras
