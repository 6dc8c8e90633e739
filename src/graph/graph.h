// File: graph.h
// The model IR that the keras loader produces and the engine consumes: a
// Graph of Layers (configuration, weights, wrapped sub-layers, nested models)
// and Nodes (one per call of a layer) in topological order, with every
// tensor's dtype and shape inferred (the batch dimension is kUnknownDim).
//
// A Graph is built once by the loader and is immutable afterwards; a
// `std::shared_ptr<const Graph>` can then be shared by any number of threads.
// Nothing in a Graph refers back to the file it came from.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "graph/attributes.h"
#include "util/dtype.h"

namespace kgate::graph {

inline constexpr int64_t kUnknownDim = -1;
using Dims = std::vector<int64_t>;

struct TensorSpec {
  util::DType dtype = util::DType::kFloat32;
  Dims shape;  // batch first; kUnknownDim where unknown
};

// "[None, 28, 28, 1]" style, as Keras prints shapes.
std::string ShapeString(const Dims& dims);
// Number of elements of a fully known shape; -1 if any dim is unknown or the
// product overflows int64.
int64_t NumElements(const Dims& dims);

// One variable of a layer. Values are converted to float32 at load time
// (float16/bfloat16/float64/integer storage is recorded in source_dtype).
struct Weight {
  std::string name;     // Keras variable name: "kernel", "bias", "moving_mean", ...
  // Where Keras stores it relative to the layer's own save path: "" for the
  // layer's `vars`, "cell" for an RNN cell, "query_dense" for MHA parts, ...
  std::string group;
  Dims shape;
  bool trainable = true;
  util::DType source_dtype = util::DType::kFloat32;
  std::vector<float> values;  // empty until bound; NumElements(shape) once bound
};

struct Graph;
struct Layer;
struct Node;

// Shape inference for one call of a layer on other input specs (a concrete
// batch size, a sequence length): the loader's Keras shape rules, carried by
// the graph so that its consumers (the engine) need not depend on the loader.
// A call on an already built layer only checks its variables, never changes
// them. Appends the call's outputs to `outputs`.
using ShapeFunction = absl::Status (*)(Layer& layer, std::span<const TensorSpec> inputs, const Node& node,
                                       std::vector<TensorSpec>* outputs);

struct Layer {
  std::string name;
  std::string class_name;   // "Dense", "Functional", ...
  // The attribute under which Keras saves this layer inside its parent layer
  // ("layer" in TimeDistributed, "forward_layer" in Bidirectional); empty for
  // layers that sit directly in a model.
  std::string attr_key;
  bool trainable = true;
  Attributes attrs;
  // Variables in Keras's save order (`vars/0`, `vars/1`, ... per group).
  std::vector<Weight> weights;
  // Layers this layer wraps, in Keras's tracking order.
  std::vector<std::unique_ptr<Layer>> sublayers;
  // For nested Sequential/Functional models used as a layer.
  std::unique_ptr<Graph> model;
  // True once the layer's variables have been declared by its first call.
  bool built = false;

  // Weights of this layer, its sublayers and its nested model, as Keras's
  // layer.count_params() counts them.
  int64_t ParamCount() const;
};

// Output `index` of node `node` in the same graph.
struct TensorRef {
  int32_t node = -1;
  int32_t index = 0;
  friend bool operator==(const TensorRef&, const TensorRef&) = default;
};

// One call of a layer.
struct Node {
  int32_t layer = -1;  // index into Graph::layers
  // Tensor arguments in Keras call order, flattened (a merge layer's list of
  // tensors becomes several inputs).
  std::vector<TensorRef> inputs;
  // Tensor keyword arguments: "mask", "attention_mask", "key", "initial_state", ...
  std::vector<std::pair<std::string, TensorRef>> keyword_inputs;
  // Non-tensor call arguments ("training", "use_causal_mask", ...).
  Attributes call_args;
  std::vector<TensorSpec> outputs;
};

struct Graph {
  std::string name;
  std::string class_name;  // "Sequential" or "Functional"
  // The config's layer list, InputLayers included (a Sequential built without
  // an explicit Input gets a synthesized InputLayer at index 0).
  std::vector<std::unique_ptr<Layer>> layers;
  std::vector<Node> nodes;          // topological order
  std::vector<TensorRef> inputs;    // model inputs, in model order
  std::vector<TensorRef> outputs;   // model outputs, in model order
  std::vector<std::string> input_names;
  std::vector<std::string> output_names;
  // Set by the loader for every graph it builds (nested ones too).
  ShapeFunction infer_shapes = nullptr;

  const TensorSpec& Spec(TensorRef ref) const { return nodes[ref.node].outputs[ref.index]; }
  // The first call of layers[i], or nullptr when the layer is never called.
  // Its outputs are what Keras reports as `layer.output`.
  const Node* FirstNodeOf(size_t i) const;
  // Whether layers[i] is in Keras's `model.layers`: a Sequential's InputLayer
  // is not, nor are keras.ops operation nodes (class names "ops.*").
  bool InModelLayers(size_t i) const;
  int64_t ParamCount() const;
};

}  // namespace kgate::graph
