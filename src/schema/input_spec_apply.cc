// Applies a parsed `inputs:` section to the schema derived from the model.
// Everything here only tightens: each rule must name an input the model has,
// fit that input's wire dtype (float32, int32, bool; string rules only on
// string inputs) and shape, and bounds must be values the dtype can hold, so
// a config can never widen what the model accepts.

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <utility>

#include "schema/config_fields.h"
#include "schema/input_spec.h"
#include "util/status_macros.h"
#include "util/strings.h"

namespace kgate::schema {
namespace {

using io::json::Value;
using util::DType;

bool IsNumeric(DType t) { return t == DType::kFloat32 || t == DType::kInt32; }

std::string DTypeText(DType t) { return std::string(util::DTypeName(t)); }

// A bound is usable when the dtype can hold it; beyond that it would admit
// values the model can never receive (or be meaningless), so it is refused.
absl::Status CheckBoundFits(double b, DType t, std::string_view where, const std::string& path) {
  if (t == DType::kFloat32 && !(std::fabs(b) <= std::numeric_limits<float>::max())) {
    return ConfigError(where, path, util::StrCat(b, " is beyond float32's range (magnitude at most 3.4028235e38)"));
  }
  if (t == DType::kInt32 &&
      !(b >= std::numeric_limits<int32_t>::min() && b <= std::numeric_limits<int32_t>::max())) {
    return ConfigError(where, path, util::StrCat(b, " is beyond int32's range [-2147483648, 2147483647]"));
  }
  return absl::OkStatus();
}

absl::Status CheckBoundsFit(const ValueBounds& b, DType t, std::string_view where, const std::string& path) {
  if (b.min) KGATE_RETURN_IF_ERROR(CheckBoundFits(*b.min, t, where, ConfigPath(path, "min")));
  if (b.max) KGATE_RETURN_IF_ERROR(CheckBoundFits(*b.max, t, where, ConfigPath(path, "max")));
  return absl::OkStatus();
}

// The tighter of two ranges, side by side.
void Tighten(const ValueBounds& extra, ValueBounds* b) {
  if (extra.min) b->min = b->min ? std::max(*b->min, *extra.min) : *extra.min;
  if (extra.max) b->max = b->max ? std::min(*b->max, *extra.max) : *extra.max;
}

absl::Status NeedsNumeric(const InputRule& rule, std::string_view key, std::string_view where,
                          const std::string& path) {
  if (IsNumeric(rule.dtype)) return absl::OkStatus();
  return ConfigError(where, ConfigPath(path, key),
                     util::StrCat("applies to numeric inputs; input '", rule.name, "' is ", DTypeText(rule.dtype)));
}

absl::Status ApplyFeatures(const InputSpecEntry& e, std::string_view where, const std::string& path,
                           InputRule* rule) {
  const std::string key = ConfigPath(path, "features");
  KGATE_RETURN_IF_ERROR(NeedsNumeric(*rule, "features", where, path));
  if (rule->shape.size() < 2) {
    return ConfigError(where, key,
                       util::StrCat("input '", rule->name, "' has rank ", rule->shape.size(),
                                    "; per-feature ranges need rank >= 2 (features lie along the last axis)"));
  }
  const int64_t last = rule->shape.back();
  if (last == graph::kUnknownDim) {
    return ConfigError(where, key, util::StrCat("the last axis of input '", rule->name,
                                                "' is not fixed, so features cannot be numbered"));
  }
  if (e.feature_list_length && *e.feature_list_length != last) {
    return ConfigError(where, key,
                       util::StrCat("lists ", *e.feature_list_length, " features; input '", rule->name, "' has ",
                                    last, " along its last axis (use a mapping by index for some of them)"));
  }
  if (rule->feature_bounds.empty()) rule->feature_bounds.resize(static_cast<size_t>(last));
  for (const FeatureSpec& f : e.features) {
    const std::string fpath =
        e.feature_list_length ? util::StrCat(key, "[", f.index, "]") : ConfigPath(key, std::to_string(f.index));
    if (f.index >= last) {
      return ConfigError(where, fpath,
                         util::StrCat("feature index ", f.index, " is past the last axis of input '", rule->name,
                                      "' (", last, " features)"));
    }
    KGATE_RETURN_IF_ERROR(CheckBoundsFit(f.bounds, rule->dtype, where, fpath));
    Tighten(f.bounds, &rule->feature_bounds[static_cast<size_t>(f.index)]);
  }
  return absl::OkStatus();
}

absl::Status ApplyAllowed(const std::vector<Value>& values, std::string_view where, const std::string& path,
                          InputRule* rule) {
  const std::string key = ConfigPath(path, "allowed_values");
  if (rule->dtype == DType::kString) {
    return ConfigError(where, key, util::StrCat("applies to numeric and bool inputs; input '", rule->name,
                                                "' is string"));
  }
  std::vector<double> allowed;
  for (size_t i = 0; i < values.size(); ++i) {
    const Value& v = values[i];
    const std::string item = util::StrCat(key, "[", i, "]");
    if (rule->dtype == DType::kBool) {
      if (!v.is_bool()) {
        return ConfigError(where, item, util::StrCat("input '", rule->name, "' is bool: expected true or false"));
      }
      allowed.push_back(v.bool_value() ? 1 : 0);
      continue;
    }
    if (!v.is_number()) {
      return ConfigError(where, item, util::StrCat("input '", rule->name, "' is ", DTypeText(rule->dtype),
                                                   ": expected a number"));
    }
    if (rule->dtype == DType::kInt32) {
      if (!v.number().integer) {
        return ConfigError(where, item, util::StrCat("input '", rule->name, "' is int32: expected an integer"));
      }
      KGATE_RETURN_IF_ERROR(CheckBoundFits(v.number().value, DType::kInt32, where, item));
      allowed.push_back(static_cast<double>(*v.number().integer));
    } else {
      KGATE_RETURN_IF_ERROR(CheckBoundFits(v.number().value, DType::kFloat32, where, item));
      // Requests are compared after their conversion to float32, so the
      // allowed values are too (0.1 matches the float32 nearest 0.1).
      allowed.push_back(static_cast<double>(static_cast<float>(v.number().value)));
    }
  }
  std::sort(allowed.begin(), allowed.end());
  if (std::adjacent_find(allowed.begin(), allowed.end()) != allowed.end()) {
    return ConfigError(where, key, "lists a value twice");
  }
  if (!rule->allowed_values.empty()) {
    std::vector<double> both;
    std::set_intersection(rule->allowed_values.begin(), rule->allowed_values.end(), allowed.begin(), allowed.end(),
                          std::back_inserter(both));
    if (both.empty()) return ConfigError(where, key, "admits none of the values already allowed");
    allowed = std::move(both);
  }
  rule->allowed_values = std::move(allowed);
  return absl::OkStatus();
}

absl::Status ApplyStrings(const InputSpecEntry& e, std::string_view where, const std::string& path,
                          InputRule* rule) {
  if (!e.min_length && !e.max_length && !e.utf8) return absl::OkStatus();
  if (rule->dtype != DType::kString) {
    std::string_view key = e.min_length ? "min_length" : e.max_length ? "max_length" : "utf8";
    return ConfigError(where, ConfigPath(path, key),
                       util::StrCat("applies to string inputs; input '", rule->name, "' is ", DTypeText(rule->dtype)));
  }
  if (e.min_length) rule->strings.min_length = std::max(rule->strings.min_length.value_or(0), *e.min_length);
  if (e.max_length) {
    rule->strings.max_length = std::min(rule->strings.max_length.value_or(*e.max_length), *e.max_length);
  }
  if (e.utf8 && !*e.utf8 && rule->strings.require_utf8) {
    // Loosening the default: allowed, since the engine itself does not need UTF-8.
    rule->strings.require_utf8 = false;
  }
  return absl::OkStatus();
}

absl::Status ApplyEntry(const InputSpecEntry& e, std::string_view where, InputRule* rule) {
  const std::string path = ConfigPath("inputs", e.input);
  if (!e.bounds.empty()) {
    KGATE_RETURN_IF_ERROR(NeedsNumeric(*rule, e.bounds.min ? "min" : "max", where, path));
    KGATE_RETURN_IF_ERROR(CheckBoundsFit(e.bounds, rule->dtype, where, path));
    Tighten(e.bounds, &rule->bounds);
  }
  if (!e.features.empty() || e.feature_list_length) KGATE_RETURN_IF_ERROR(ApplyFeatures(e, where, path, rule));
  if (e.stats) KGATE_RETURN_IF_ERROR(NeedsNumeric(*rule, "stats", where, path));
  if (e.finite) {
    if (rule->dtype != DType::kFloat32) {
      return ConfigError(where, ConfigPath(path, "finite"),
                         util::StrCat("applies to float inputs; input '", rule->name, "' is ", DTypeText(rule->dtype)));
    }
    rule->require_finite = *e.finite;
  }
  if (e.allowed_values) KGATE_RETURN_IF_ERROR(ApplyAllowed(*e.allowed_values, where, path, rule));
  if (e.max_batch) rule->max_batch = std::min(rule->max_batch.value_or(*e.max_batch), *e.max_batch);
  if (e.image) KGATE_RETURN_IF_ERROR(ApplyImageSpec(*e.image, where, ConfigPath(path, "image"), rule));
  return ApplyStrings(e, where, path, rule);
}

}  // namespace

absl::StatusOr<InputSchema> ApplyInputSpec(InputSchema base, const InputSpec& spec, std::string_view where) {
  for (const InputSpecEntry& e : spec.inputs) {
    auto it = std::find_if(base.inputs.begin(), base.inputs.end(),
                           [&](const InputRule& r) { return r.name == e.input; });
    if (it == base.inputs.end()) {
      std::vector<std::string> names;
      for (const InputRule& r : base.inputs) names.push_back(r.name);
      return ConfigError(where, ConfigPath("inputs", e.input),
                         util::StrCat("the model has no input '", e.input, "'; its inputs are: ",
                                      util::StrJoin(names, ", ")));
    }
    KGATE_RETURN_IF_ERROR(ApplyEntry(e, where, &*it));
  }
  return base;
}

}  // namespace kgate::schema
