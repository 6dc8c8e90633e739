// File: input_schema.h
// What a server accepts for a model's inputs. The default schema is derived
// from the model itself: each input's name, the dtype the wire carries for it
// (the engine's storage type: float32 for floating inputs, int32 for integer
// inputs, bool), and its shape with a free batch dimension; NaN and Inf are
// refused. The `inputs:` section of a model's kgate.yaml (input_spec.h),
// often written by `kgate schema infer`, tightens it with value ranges (per
// input and per feature along the last axis), allowed values, a batch cap
// and string rules, and `image:` lets an input take encoded images
// (image_spec.h); nothing may loosen what the model itself requires.
// Plain values, shared read-only by every request.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "graph/graph.h"
#include "schema/image_spec.h"
#include "util/dtype.h"

namespace kgate::schema {

// An inclusive range; an absent side is open.
struct ValueBounds {
  std::optional<double> min;
  std::optional<double> max;
  bool empty() const { return !min && !max; }
};

// Rules for string-typed inputs. The engine has no string inputs today, so
// only synthetic schemas carry them; config parsing refuses them on other
// inputs.
struct StringRules {
  std::optional<int64_t> min_length;  // bytes
  std::optional<int64_t> max_length;  // bytes
  bool require_utf8 = true;
};

struct InputRule {
  std::string name;
  util::DType dtype = util::DType::kFloat32;  // what the wire carries; the engine storage type
  graph::Dims shape;                          // dim 0 is the batch, free; kUnknownDim elsewhere is free too
  std::optional<ImageSpec> image;             // kgate.yaml inputs.<name>.image: also takes encoded images
  // Tightening (kgate.yaml `inputs:`); defaults check nothing beyond the above.
  bool require_finite = true;                 // float inputs: NaN and +-Inf are refused
  ValueBounds bounds;                         // every element
  std::vector<ValueBounds> feature_bounds;    // empty, or one per index of the (fixed) last axis
  std::vector<double> allowed_values;         // sorted, unique; empty admits any value (bool: 0 and 1)
  std::optional<int64_t> max_batch;           // dim 0 at most this
  StringRules strings;                        // string inputs only
};

struct InputSchema {
  std::vector<InputRule> inputs;  // in the model's input order
};

// The schema for inputs `names` with Keras specs `specs` (same order), given
// the dtype the engine stores each one as. UNIMPLEMENTED, naming the input,
// for inputs serving cannot carry (strings, no batch dimension).
absl::StatusOr<InputSchema> DeriveInputSchema(const std::vector<std::string>& names,
                                              const std::vector<graph::TensorSpec>& specs,
                                              const std::vector<util::DType>& storage_dtypes);

}  // namespace kgate::schema
