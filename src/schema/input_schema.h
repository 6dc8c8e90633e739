// File: input_schema.h
// What a server accepts for a model's inputs. The default schema is derived
// from the model itself: each input's name, the dtype the wire carries for it
// (the engine's storage type: float32 for floating inputs, int32 for integer
// inputs, bool), and its shape with a free batch dimension; NaN and Inf are
// refused. A model's kgate.yaml and `kgate schema infer` tighten it; nothing
// may loosen what the model itself requires. Plain values, shared read-only
// by every request.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "graph/graph.h"
#include "schema/image_spec.h"
#include "util/dtype.h"

namespace kgate::schema {

struct InputRule {
  std::string name;
  util::DType dtype = util::DType::kFloat32;  // what the wire carries; the engine storage type
  graph::Dims shape;                          // dim 0 is the batch, free; kUnknownDim elsewhere is free too
  std::optional<ImageSpec> image;             // kgate.yaml inputs.<name>.image: also takes encoded images
};

struct InputSchema {
  std::vector<InputRule> inputs;  // in the model's input order
  bool require_finite = true;     // NaN and +-Inf are refused unless a model allows them
};

// The schema for inputs `names` with Keras specs `specs` (same order), given
// the dtype the engine stores each one as. UNIMPLEMENTED, naming the input,
// for inputs serving cannot carry (strings, no batch dimension).
absl::StatusOr<InputSchema> DeriveInputSchema(const std::vector<std::string>& names,
                                              const std::vector<graph::TensorSpec>& specs,
                                              const std::vector<util::DType>& storage_dtypes);

}  // namespace kgate::schema
