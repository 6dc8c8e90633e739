// File: inbound_nodes.h
// Parsing of a Functional layer's inbound_nodes and of input_layers /
// output_layers into symbolic references, for functional_graph. Both the
// Keras 3 node form {"args": [...], "kwargs": {...}} (tensors written as
// __keras_tensor__ objects carrying keras_history, shape and dtype) and the
// Keras 2 legacy form [[name, node_index, tensor_index, {kwargs}], ...] are
// accepted. Tensors are flattened in keras.tree order (lists in order, dicts
// by sorted key); tensor-valued kwargs ("mask", "initial_state", ...) stay
// keyword inputs; plain kwargs ("training": false) become call attributes.
// Non-tensor positional arguments are refused (KG-K010); malformed
// references are KG-K009. Pure functions, thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "graph/graph.h"
#include "io/json/json.h"

namespace kgate::keras {

// A symbolic tensor: output `tensor` of call `node` of the layer named `layer`
// (in this model level), with the shape/dtype Keras recorded, when it did.
struct TensorReference {
  std::string layer;
  int64_t node = 0;
  int64_t tensor = 0;
  bool has_shape = false;
  bool has_dtype = false;
  graph::Dims shape;
  util::DType dtype = util::DType::kFloat32;
  std::string location;  // file-qualified JSON Pointer, for messages
};

// One call of a layer, before references are resolved.
struct CallReference {
  size_t layer = 0;
  std::vector<TensorReference> args;
  std::vector<std::pair<std::string, TensorReference>> kwargs;
  graph::Attributes call_args;
  std::string location;
};

// Parses one element of a layer's inbound_nodes. `allow_scalar` (keras.ops
// nodes only) accepts one number among the positional arguments, passed as
// call_args "scalar" (int64 or double), as in `x + 3.0`.
absl::StatusOr<CallReference> ParseInboundNode(const io::json::Value& node, const std::string& location,
                                               size_t layer, bool allow_scalar);

// Flattens input_layers / output_layers (a triple, or a list/dict of them).
absl::Status CollectEndpoints(const io::json::Value& value, const std::string& location,
                              std::vector<TensorReference>* out);

}  // namespace kgate::keras
