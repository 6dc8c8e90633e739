// File: input_infer.h
// `kgate schema infer` as a library: an `inputs:` section (input_spec.h)
// from training data. For each numeric input given data, it measures the
// whole input and each feature along a fixed last axis (count, min, max,
// mean, population std, two quantiles with NumPy's default linear
// interpolation) and sets bounds to the data's min and max widened on each
// side by `margin` times their distance (a constant feature: times
// max(|value|, 1)), rounded outward to integers for integer inputs and
// clamped to what the input's dtype holds. The quantiles are recorded in
// `stats`, for people and drift checks; they do not bound anything. NaN or
// Inf in the data is an error naming the element: bounds from such data
// would mean little, and `finite: false` is for a person to decide.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "io/npy/npy.h"
#include "schema/input_schema.h"
#include "schema/input_spec.h"

namespace kgate::schema {

struct InferOptions {
  double quantile_low = 0.001;
  double quantile_high = 0.999;
  double margin = 0.05;  // fraction of (max - min) added below min and above max; 0 keeps them exact
  // Values measured per input at most: the quantiles sort a copy of them.
  uint64_t max_values = uint64_t{1} << 28;
};

struct TrainingData {
  std::string input;       // the model input's name
  std::string source;      // for messages (a file name)
  const io::npy::Array* array = nullptr;  // rows along axis 0, then the input's shape without its batch
};

// The inferred section, one entry per input with data, in model order.
// INVALID_ARGUMENT for data naming no input, given twice, of the wrong rank
// or fixed dimension, empty, non-numeric, or holding NaN/Inf.
absl::StatusOr<InputSpec> InferInputSpec(const InputSchema& schema, const std::vector<TrainingData>& data,
                                         const InferOptions& options = {});

// `spec` as the YAML text of a kgate.yaml `inputs:` section that
// ParseInputSpec reads back to the same spec. `comment` lines (may be empty)
// go first, each prefixed with "# ".
std::string InputSpecToYaml(const InputSpec& spec, const std::vector<std::string>& comment);

}  // namespace kgate::schema
