// File: input_schema.h
// The input schema a model gets by default, derived from the model itself:
// each input's name, the dtype the server accepts for it (the engine's
// storage type: float32 for floating inputs, int32 for integer inputs, bool),
// and its shape with a free batch dimension. Also what a request's tensors
// look like once a protocol has decoded them, before validation: a shape, an
// optional client-declared dtype, and either JSON scalars or raw bytes.
// Later slices tighten the schema from kgate.yaml (ranges, allowed values).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "engine/model.h"
#include "graph/graph.h"
#include "io/json/json.h"
#include "util/dtype.h"

namespace kgate::serve {

struct InputRule {
  std::string name;
  util::DType dtype = util::DType::kFloat32;  // what the wire carries; the engine storage type
  graph::Dims shape;                          // dim 0 is the batch, free; kUnknownDim elsewhere is free too
};

struct InputSchema {
  std::vector<InputRule> inputs;  // in the model's input order
  bool require_finite = true;     // NaN and +-Inf are refused unless a model allows them
};

// A model input's or output's name with its Keras spec, for metadata replies.
struct NamedSpec {
  std::string name;
  graph::TensorSpec spec;
};
std::vector<NamedSpec> NamedInputs(const engine::Model& model);
std::vector<NamedSpec> NamedOutputs(const engine::Model& model);

// The schema of `model`; UNIMPLEMENTED for inputs serving cannot carry yet
// (strings), naming the input.
absl::StatusOr<InputSchema> SchemaForModel(const engine::Model& model);

// One tensor of a request as a protocol decoded it.
struct RequestInput {
  std::string name;
  graph::Dims shape;                    // as sent (KServe) or as the JSON nesting gives it (TF Serving)
  std::optional<util::DType> declared;  // the client's datatype, when the protocol carries one
  // Exactly one of these holds the values, row-major:
  std::vector<const io::json::Value*> json_values;  // JSON scalars
  std::optional<std::string_view> raw;              // bytes in `declared` (KServe binary extension)
};

}  // namespace kgate::serve
