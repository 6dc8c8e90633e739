// File: output_spec.h
// What a server checks in a model's outputs after inference, from the
// `outputs:` section of a model's kgate.yaml. Each key there is an output
// name; under it, any of these rules, each with an action:
//
//   outputs:
//     probs:
//       finite:          {action: reject}
//       range:           {min: 0, max: 1, action: reject}
//       simplex:         {tolerance: 1.0e-4, action: flag}    # each row >= 0, sums to 1
//       allowed_classes: {classes: [0, 1, 7], action: flag}   # argmax along the last axis
//       min_confidence:  {min: 0.6, action: log}              # max along the last axis
//
// Actions: `reject` (the request fails with a generic 500 that says nothing
// of the output), `flag` (the reply carries the broken rules beside the
// outputs), `log` (only the server log and the audit log see it). `action`
// defaults to reject: a rule someone wrote is enforced unless they said less.
// A "row" is one vector along the last axis (simplex, classes, confidence)
// or one element (finite, range); breaks are reported by batch index.
// Plain values, shared read-only by every request.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "graph/graph.h"
#include "io/json/json.h"

namespace kgate::schema {

enum class OutputAction { kReject, kFlag, kLog };
enum class OutputRuleKind { kFinite, kRange, kSimplex, kAllowedClasses, kMinConfidence };

// A class list longer than this is a mistake (or a different model); it also
// bounds the per-row set lookup.
inline constexpr size_t kMaxAllowedClasses = 65536;

struct OutputRule {
  OutputRuleKind kind = OutputRuleKind::kFinite;
  OutputAction action = OutputAction::kReject;
  std::optional<double> min;     // range: lower bound; min_confidence: the threshold
  std::optional<double> max;     // range: upper bound
  double tolerance = 1e-4;       // simplex: |sum - 1| allowed
  std::vector<int64_t> classes;  // allowed_classes, sorted, unique
};

struct OutputRules {
  std::string output;  // the model output's name
  std::vector<OutputRule> rules;
};

struct OutputSpec {
  std::vector<OutputRules> outputs;  // in the order the section lists them
  bool empty() const { return outputs.empty(); }
};

std::string_view OutputActionName(OutputAction a);
std::string_view OutputRuleName(OutputRuleKind k);

// Parses the value of the `outputs:` key. `where` names the file; errors
// read "<where>: outputs.<name>.<rule>.<key>: expected ..., got ...".
absl::StatusOr<OutputSpec> ParseOutputSpec(const io::json::Value& section, std::string_view where);

// Checks the spec against the model it guards: every named output exists,
// the vector rules (simplex, allowed_classes, min_confidence) apply to a
// floating output of rank >= 2 whose last dimension is fixed, and every
// allowed class is below that dimension.
absl::Status CheckOutputSpec(const OutputSpec& spec, const std::vector<std::string>& names,
                             const std::vector<graph::TensorSpec>& specs, std::string_view where);

// One rule's verdict on one output tensor: the batch indexes that broke it
// (the first `kMaxReportedRows`, ascending) and how many did.
inline constexpr size_t kMaxReportedRows = 16;
struct RuleBreak {
  const OutputRule* rule = nullptr;
  std::vector<int64_t> rows;
  int64_t count = 0;
};

// Evaluates `rules` on `values`, a row-major tensor of `shape` (dim 0 the
// batch). Only broken rules are returned, in rule order.
std::vector<RuleBreak> EvaluateOutputRules(const OutputRules& rules, std::span<const float> values,
                                           const graph::Dims& shape);

}  // namespace kgate::schema
