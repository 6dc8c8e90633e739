// File: input_spec.h
// The `inputs:` section of a model's kgate.yaml: per-input rules that
// tighten the schema derived from the model (input_schema.h). Each key is a
// model input's name; under it, any of:
//
//   inputs:
//     image:
//       min: 0.0              # every element >= min
//       max: 1.0              # every element <= max
//       features:             # per feature along the last axis: a list with one
//         - {min: 0, max: 1}  # entry per index, or a map by index ({0: {...}, 3: {...}})
//       finite: false         # float inputs: also admit NaN and +-Inf (default: refused)
//       allowed_values: [0, 1]  # every element is one of these
//       max_batch: 64         # dim 0 at most this
//       stats: {...}          # what `kgate schema infer` measured; recorded, not enforced
//       min_length: 1         # string inputs only (bytes)
//       max_length: 256
//       utf8: true            # string inputs only (default true)
//       image: {...}          # also take encoded images (image_spec.h)
//
// Parsing (ParseInputSpec) needs no model; applying (ApplyInputSpec) checks
// the spec against the model's derived schema: every rule only tightens, so
// an unknown input, a bound beyond what the input's dtype can hold, a
// feature index past a fixed last axis, string rules on a numeric input or
// `finite: false` on a non-float input are config errors naming the key.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "io/json/json.h"
#include "schema/image_spec.h"
#include "schema/input_schema.h"

namespace kgate::schema {

// Longest list a rule may carry: bounds the config's memory and per-element
// lookups (allowed values are binary-searched).
inline constexpr size_t kMaxAllowedValues = 65536;
inline constexpr int64_t kMaxFeatures = int64_t{1} << 20;

// Training-data statistics of one feature or a whole input, as
// `kgate schema infer` measured them. Kept for drift monitoring and people;
// no request is refused by them.
//   stats: {count: 60000, quantiles: [0.001, 0.999], min: 0, max: 1,
//           mean: 0.13, std: 0.31, q_low: 0, q_high: 1}
struct FeatureStats {
  std::optional<int64_t> count;                    // values measured
  std::optional<std::pair<double, double>> quantiles;  // the levels q_low and q_high are at
  double min = 0, max = 0, mean = 0, std = 0;
  std::optional<double> q_low, q_high;
};

struct FeatureSpec {
  int64_t index = 0;
  ValueBounds bounds;
  std::optional<FeatureStats> stats;
};

struct InputSpecEntry {
  std::string input;
  ValueBounds bounds;
  std::vector<FeatureSpec> features;             // ascending index, unique
  std::optional<int64_t> feature_list_length;    // when `features:` was a list: its length
  std::optional<bool> finite;
  std::optional<std::vector<io::json::Value>> allowed_values;  // numbers or booleans, as written
  std::optional<int64_t> max_batch;
  std::optional<int64_t> min_length, max_length;
  std::optional<bool> utf8;
  std::optional<FeatureStats> stats;
  std::optional<ImageSpec> image;  // as written; ApplyImageSpec fills its defaults
};

struct InputSpec {
  std::vector<InputSpecEntry> inputs;  // in the order the section lists them
  bool empty() const { return inputs.empty(); }
};

// Parses the value of the `inputs:` key. `where` names the file; errors read
// "<where>: inputs.<name>.<key>: expected ..., got ...".
absl::StatusOr<InputSpec> ParseInputSpec(const io::json::Value& section, std::string_view where);

// `base` (derived from the model) tightened by `spec`, or INVALID_ARGUMENT
// naming the key that would loosen it or does not fit the model.
absl::StatusOr<InputSchema> ApplyInputSpec(InputSchema base, const InputSpec& spec, std::string_view where);

}  // namespace kgate::schema
