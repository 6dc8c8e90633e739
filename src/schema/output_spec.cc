#include "schema/output_spec.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "schema/config_fields.h"
#include "util/dtype.h"
#include "util/status_macros.h"
#include "util/strings.h"

namespace kgate::schema {
namespace {

using io::json::Value;

struct RuleName {
  std::string_view name;
  OutputRuleKind kind;
};
constexpr RuleName kRuleNames[] = {
    {"finite", OutputRuleKind::kFinite},
    {"range", OutputRuleKind::kRange},
    {"simplex", OutputRuleKind::kSimplex},
    {"allowed_classes", OutputRuleKind::kAllowedClasses},
    {"min_confidence", OutputRuleKind::kMinConfidence},
};

bool IsVectorRule(OutputRuleKind k) {
  return k == OutputRuleKind::kSimplex || k == OutputRuleKind::kAllowedClasses || k == OutputRuleKind::kMinConfidence;
}

absl::StatusOr<OutputAction> ParseAction(const Value& v, std::string_view where, const std::string& path) {
  KGATE_ASSIGN_OR_RETURN(std::string name, ReadString(v, where, path));
  if (name == "reject") return OutputAction::kReject;
  if (name == "flag") return OutputAction::kFlag;
  if (name == "log") return OutputAction::kLog;
  return ConfigError(where, path, util::StrCat("expected reject, flag or log, got '", name.substr(0, 64), "'"));
}

absl::StatusOr<double> ReadFinite(const Value& v, std::string_view where, const std::string& path) {
  KGATE_ASSIGN_OR_RETURN(double d, ReadNumber(v, where, path));
  // Bounds are compared in float32, so they must be float32 numbers too.
  if (!(std::fabs(d) <= std::numeric_limits<float>::max())) {
    return ConfigError(where, path, util::StrCat("expected a finite float32 number, got ", d));
  }
  return d;
}

absl::Status ParseClasses(const Value& v, std::string_view where, const std::string& path, OutputRule* rule) {
  if (!v.is_array() || v.array().empty()) {
    return ConfigError(where, path, "expected a non-empty list of class indexes");
  }
  if (v.array().size() > kMaxAllowedClasses) {
    return ConfigError(where, path, util::StrCat("lists ", v.array().size(), " classes; at most ", kMaxAllowedClasses));
  }
  for (size_t i = 0; i < v.array().size(); ++i) {
    const std::string item = util::StrCat(path, "[", i, "]");
    KGATE_ASSIGN_OR_RETURN(int64_t c, ReadInteger(v.array()[i], where, item));
    if (c < 0) return ConfigError(where, item, util::StrCat("expected a class index >= 0, got ", c));
    rule->classes.push_back(c);
  }
  std::sort(rule->classes.begin(), rule->classes.end());
  if (std::adjacent_find(rule->classes.begin(), rule->classes.end()) != rule->classes.end()) {
    return ConfigError(where, path, "lists a class twice");
  }
  return absl::OkStatus();
}

// One rule's mapping: its parameters and `action`.
absl::StatusOr<OutputRule> ParseRule(OutputRuleKind kind, const Value& v, std::string_view where,
                                     const std::string& path) {
  OutputRule rule;
  rule.kind = kind;
  switch (kind) {
    case OutputRuleKind::kFinite: KGATE_RETURN_IF_ERROR(CheckObject(v, {"action"}, where, path)); break;
    case OutputRuleKind::kRange: KGATE_RETURN_IF_ERROR(CheckObject(v, {"min", "max", "action"}, where, path)); break;
    case OutputRuleKind::kSimplex: KGATE_RETURN_IF_ERROR(CheckObject(v, {"tolerance", "action"}, where, path)); break;
    case OutputRuleKind::kAllowedClasses:
      KGATE_RETURN_IF_ERROR(CheckObject(v, {"classes", "action"}, where, path));
      break;
    case OutputRuleKind::kMinConfidence: KGATE_RETURN_IF_ERROR(CheckObject(v, {"min", "action"}, where, path)); break;
  }
  for (const io::json::Member& m : v.object()) {
    const std::string key = ConfigPath(path, m.first);
    if (m.first == "action") {
      KGATE_ASSIGN_OR_RETURN(rule.action, ParseAction(m.second, where, key));
    } else if (m.first == "min") {
      KGATE_ASSIGN_OR_RETURN(rule.min, ReadFinite(m.second, where, key));
    } else if (m.first == "max") {
      KGATE_ASSIGN_OR_RETURN(rule.max, ReadFinite(m.second, where, key));
    } else if (m.first == "tolerance") {
      KGATE_ASSIGN_OR_RETURN(rule.tolerance, ReadFinite(m.second, where, key));
      if (rule.tolerance < 0 || rule.tolerance >= 1) {
        return ConfigError(where, key, util::StrCat("expected a number in [0, 1), got ", rule.tolerance));
      }
    } else if (m.first == "classes") {
      KGATE_RETURN_IF_ERROR(ParseClasses(m.second, where, key, &rule));
    }
  }
  if (kind == OutputRuleKind::kRange) {
    if (!rule.min && !rule.max) return ConfigError(where, path, "expected min, max or both");
    if (rule.min && rule.max && *rule.min > *rule.max) {
      return ConfigError(where, path, util::StrCat("min ", *rule.min, " is above max ", *rule.max));
    }
  }
  if (kind == OutputRuleKind::kAllowedClasses && rule.classes.empty()) {
    return ConfigError(where, ConfigPath(path, "classes"), "missing; expected a list of class indexes");
  }
  if (kind == OutputRuleKind::kMinConfidence && !rule.min) {
    return ConfigError(where, ConfigPath(path, "min"), "missing; expected the lowest top score accepted");
  }
  return rule;
}

absl::StatusOr<OutputRules> ParseOutput(const io::json::Member& m, std::string_view where) {
  const std::string path = ConfigPath("outputs", m.first);
  if (!m.second.is_object() || m.second.object().empty()) {
    return ConfigError(where, path, "expected a mapping of rules (finite, range, simplex, allowed_classes, "
                                    "min_confidence)");
  }
  OutputRules out;
  out.output = m.first;
  for (const io::json::Member& r : m.second.object()) {
    const RuleName* known = nullptr;
    for (const RuleName& n : kRuleNames) {
      if (n.name == r.first) known = &n;
    }
    const std::string rule_path = ConfigPath(path, r.first);
    if (known == nullptr) {
      return ConfigError(where, rule_path,
                         "unknown rule; expected one of finite, range, simplex, allowed_classes, min_confidence");
    }
    KGATE_ASSIGN_OR_RETURN(OutputRule rule, ParseRule(known->kind, r.second, where, rule_path));
    out.rules.push_back(std::move(rule));
  }
  return out;
}

// Calls `broke(batch_index)` for each row of `values` that fails `rule`.
template <typename Broke>
void ForEachBreak(const OutputRule& rule, std::span<const float> values, const graph::Dims& shape, Broke broke) {
  const int64_t batch = shape.empty() ? 1 : shape[0];
  if (batch <= 0 || values.empty()) return;
  const int64_t per_batch = static_cast<int64_t>(values.size()) / batch;
  const bool vector_rule = IsVectorRule(rule.kind);
  const int64_t width = vector_rule ? (shape.size() >= 2 ? shape.back() : 0) : 1;
  if (width <= 0 || per_batch % width != 0) return;  // CheckOutputSpec refused such specs
  // Bounds are compared at the output's precision, so `min: 0.7` admits the
  // float32 nearest 0.7 that a model prints as 0.7.
  const float min = static_cast<float>(rule.min.value_or(0));
  const float max = static_cast<float>(rule.max.value_or(0));
  for (int64_t b = 0; b < batch; ++b) {
    bool bad = false;
    for (int64_t start = b * per_batch; start < (b + 1) * per_batch && !bad; start += width) {
      const std::span<const float> row = values.subspan(static_cast<size_t>(start), static_cast<size_t>(width));
      switch (rule.kind) {
        case OutputRuleKind::kFinite: bad = !std::isfinite(row[0]); break;
        case OutputRuleKind::kRange:
          // NaN fails every comparison, so it is out of any range.
          bad = !((!rule.min || row[0] >= min) && (!rule.max || row[0] <= max));
          break;
        case OutputRuleKind::kSimplex: {
          double sum = 0;
          for (float f : row) {
            if (!(f >= 0)) bad = true;
            sum += f;
          }
          bad = bad || !(std::fabs(sum - 1.0) <= rule.tolerance);
          break;
        }
        case OutputRuleKind::kAllowedClasses:
        case OutputRuleKind::kMinConfidence: {
          size_t top = 0;
          for (size_t i = 1; i < row.size(); ++i) {
            if (row[i] > row[top]) top = i;  // first maximum, as numpy.argmax
          }
          if (std::any_of(row.begin(), row.end(), [](float f) { return std::isnan(f); })) {
            bad = true;  // no class wins when a score is NaN
          } else if (rule.kind == OutputRuleKind::kAllowedClasses) {
            bad = !std::binary_search(rule.classes.begin(), rule.classes.end(), static_cast<int64_t>(top));
          } else {
            bad = !(row[top] >= min);
          }
          break;
        }
      }
    }
    if (bad) broke(b);
  }
}

}  // namespace

std::string_view OutputActionName(OutputAction a) {
  switch (a) {
    case OutputAction::kReject: return "reject";
    case OutputAction::kFlag: return "flag";
    case OutputAction::kLog: return "log";
  }
  return "?";
}

std::string_view OutputRuleName(OutputRuleKind k) {
  for (const RuleName& n : kRuleNames) {
    if (n.kind == k) return n.name;
  }
  return "?";
}

absl::StatusOr<OutputSpec> ParseOutputSpec(const Value& section, std::string_view where) {
  if (!section.is_object()) {
    return ConfigError(where, "outputs",
                       util::StrCat("expected a mapping of output names to rules, got ", Value::KindName(section.kind())));
  }
  OutputSpec spec;
  for (const io::json::Member& m : section.object()) {
    KGATE_ASSIGN_OR_RETURN(OutputRules rules, ParseOutput(m, where));
    spec.outputs.push_back(std::move(rules));
  }
  return spec;
}

absl::Status CheckOutputSpec(const OutputSpec& spec, const std::vector<std::string>& names,
                             const std::vector<graph::TensorSpec>& specs, std::string_view where) {
  for (const OutputRules& out : spec.outputs) {
    const auto it = std::find(names.begin(), names.end(), out.output);
    const std::string path = ConfigPath("outputs", out.output);
    if (it == names.end() || static_cast<size_t>(it - names.begin()) >= specs.size()) {
      return ConfigError(where, path,
                         util::StrCat("the model has no output of that name; its outputs are ", util::StrJoin(names, ", ")));
    }
    const graph::TensorSpec& t = specs[static_cast<size_t>(it - names.begin())];
    for (const OutputRule& rule : out.rules) {
      if (!IsVectorRule(rule.kind)) continue;
      const std::string rule_path = ConfigPath(path, OutputRuleName(rule.kind));
      if (!util::IsFloating(t.dtype) || t.shape.size() < 2 || t.shape.back() <= 0) {
        return ConfigError(where, rule_path,
                           util::StrCat("needs a floating output of rank >= 2 with a fixed last dimension; '",
                                        out.output, "' is ", util::DTypeName(t.dtype), " ", graph::ShapeString(t.shape)));
      }
      if (!rule.classes.empty() && rule.classes.back() >= t.shape.back()) {
        return ConfigError(where, ConfigPath(rule_path, "classes"),
                           util::StrCat("class ", rule.classes.back(), " is not below the output's last dimension ",
                                        t.shape.back()));
      }
    }
  }
  return absl::OkStatus();
}

std::vector<RuleBreak> EvaluateOutputRules(const OutputRules& rules, std::span<const float> values,
                                           const graph::Dims& shape) {
  std::vector<RuleBreak> breaks;
  for (const OutputRule& rule : rules.rules) {
    RuleBreak br;
    br.rule = &rule;
    ForEachBreak(rule, values, shape, [&br](int64_t b) {
      if (br.rows.size() < kMaxReportedRows) br.rows.push_back(b);
      ++br.count;
    });
    if (br.count > 0) breaks.push_back(std::move(br));
  }
  return breaks;
}

}  // namespace kgate::schema
