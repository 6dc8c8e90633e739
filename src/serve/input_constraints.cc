#include "serve/input_constraints.h"

#include <algorithm>
#include <cmath>
#include <string>
#include <type_traits>

#include "io/json/json.h"
#include "util/strings.h"

namespace kgate::serve {
namespace {

// At most this many allowed values are listed in a violation's "expected".
constexpr size_t kListedAllowedValues = 8;

std::string AllowedText(const InputRule& rule) {
  std::string s = "one of ";
  const size_t n = std::min(rule.allowed_values.size(), kListedAllowedValues);
  for (size_t i = 0; i < n; ++i) {
    const double v = rule.allowed_values[i];
    if (rule.dtype == util::DType::kBool) {
      util::StrAppend(&s, i ? ", " : "", v != 0);
    } else {
      util::StrAppend(&s, i ? ", " : "", v);
    }
  }
  if (rule.allowed_values.size() > n) util::StrAppend(&s, ", ... (", rule.allowed_values.size(), " values)");
  return s;
}

// The value as a violation quotes it; formatted only for a violation, since
// rules are checked on every element of every request.
template <typename T>
std::string ValueText(T v) {
  if constexpr (std::is_same_v<T, uint8_t>) {
    return v != 0 ? "true" : "false";
  } else {
    return util::StrCat(v);
  }
}

// Checks `v` against one range: the input's own (feature < 0) or that of
// one feature of the last axis, which the violation then names.
template <typename T>
void CheckBounds(const InputRule& rule, const schema::ValueBounds& b, T v, int64_t feature, int64_t flat,
                 const graph::Dims& shape, schema::Violations* violations) {
  const double x = static_cast<double>(v);
  const bool low = b.min && x < *b.min;
  if (!low && !(b.max && x > *b.max)) return;
  const std::string_view prefix = feature < 0 ? "" : "feature_";
  const std::string what = feature < 0 ? "" : util::StrCat(" (feature ", feature, ")");
  violations->Add(schema::Violation{rule.name, UnravelIndex(flat, shape), util::StrCat(prefix, low ? "min" : "max"),
                                    util::StrCat(low ? ">= " : "<= ", low ? *b.min : *b.max, what), ValueText(v)});
}

template <typename T>
void CheckElements(const InputRule& rule, const T* data, int64_t n, const graph::Dims& shape,
                   schema::Violations* violations) {
  const size_t features = rule.feature_bounds.size();
  const bool check_bounds = !rule.bounds.empty();
  const bool check_allowed = !rule.allowed_values.empty();
  for (int64_t i = 0; i < n && !violations->full(); ++i) {
    const double x = static_cast<double>(data[i]);
    if (std::isnan(x)) continue;
    if (check_bounds) CheckBounds(rule, rule.bounds, data[i], -1, i, shape, violations);
    if (features > 0) {
      const size_t f = static_cast<size_t>(i % static_cast<int64_t>(features));
      const schema::ValueBounds& fb = rule.feature_bounds[f];
      if (!fb.empty()) {
        CheckBounds(rule, fb, data[i], static_cast<int64_t>(f), i, shape, violations);
      }
    }
    if (check_allowed && !std::binary_search(rule.allowed_values.begin(), rule.allowed_values.end(), x)) {
      violations->Add(
          schema::Violation{rule.name, UnravelIndex(i, shape), "allowed_values", AllowedText(rule), ValueText(data[i])});
    }
  }
}

}  // namespace

std::vector<int64_t> UnravelIndex(int64_t flat, const graph::Dims& shape) {
  std::vector<int64_t> index(shape.size());
  for (size_t a = shape.size(); a-- > 0;) {
    index[a] = shape[a] > 0 ? flat % shape[a] : 0;
    if (shape[a] > 0) flat /= shape[a];
  }
  return index;
}

bool CheckMaxBatch(const InputRule& rule, int64_t batch, schema::Violations* violations) {
  if (!rule.max_batch || batch <= *rule.max_batch) return true;
  violations->Add(schema::Violation{rule.name, {}, "max_batch", util::StrCat("batch at most ", *rule.max_batch),
                                    util::StrCat("batch ", batch)});
  return false;
}

bool HasValueRules(const InputRule& rule) {
  return !rule.bounds.empty() || !rule.feature_bounds.empty() || !rule.allowed_values.empty();
}

void CheckValueRules(const InputRule& rule, const engine::HostTensor& t, schema::Violations* violations) {
  if (!HasValueRules(rule)) return;
  const int64_t n = t.view().num_elements();
  switch (rule.dtype) {
    case util::DType::kFloat32:
      CheckElements(rule, t.buffer.f32(), n, t.shape, violations);
      break;
    case util::DType::kInt32:
      CheckElements(rule, static_cast<const int32_t*>(t.buffer.data()), n, t.shape, violations);
      break;
    case util::DType::kBool:
      CheckElements(rule, static_cast<const uint8_t*>(t.buffer.data()), n, t.shape, violations);
      break;
    default:
      break;  // ApplyInputSpec puts value rules only on these dtypes
  }
}

void CheckStringRules(const InputRule& rule, const std::vector<std::string_view>& values, const graph::Dims& shape,
                      schema::Violations* violations) {
  const schema::StringRules& s = rule.strings;
  for (size_t i = 0; i < values.size() && !violations->full(); ++i) {
    const std::string_view v = values[i];
    const int64_t flat = static_cast<int64_t>(i);
    const int64_t length = static_cast<int64_t>(v.size());
    if (s.min_length && length < *s.min_length) {
      violations->Add(schema::Violation{rule.name, UnravelIndex(flat, shape), "min_length",
                                        util::StrCat("at least ", *s.min_length, " bytes"),
                                        util::StrCat(length, " bytes")});
    } else if (s.max_length && length > *s.max_length) {
      violations->Add(schema::Violation{rule.name, UnravelIndex(flat, shape), "max_length",
                                        util::StrCat("at most ", *s.max_length, " bytes"),
                                        util::StrCat(length, " bytes")});
    }
    if (s.require_utf8 && !io::json::IsValidUtf8(v)) {
      violations->Add(
          schema::Violation{rule.name, UnravelIndex(flat, shape), "utf8", "valid UTF-8", "invalid UTF-8 bytes"});
    }
  }
}

}  // namespace kgate::serve
