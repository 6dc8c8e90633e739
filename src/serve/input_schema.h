// File: input_schema.h
// The serving side of a model's input schema: the schema (schema/
// input_schema.h) derived from a compiled engine model, the names and Keras
// specs metadata replies list, and what a request's tensors look like once a
// protocol has decoded them, before validation: a shape, an optional
// client-declared dtype, and either JSON scalars or raw bytes.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "engine/model.h"
#include "graph/graph.h"
#include "io/json/json.h"
#include "schema/input_schema.h"
#include "util/dtype.h"

namespace kgate::serve {

using schema::InputRule;
using schema::InputSchema;

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
