// File: layer_registry.h
// The allowlist of Keras layer classes kgate understands, and for each the
// Keras semantics the loader needs: how its config becomes graph attributes
// (parse), which variables a call declares and in what order Keras saves them,
// and what shapes a call produces (build). A class that is not in this table
// is refused (KG-K007); nothing from a file ever names code.
//
// Specs are plain functions in a static table: thread-safe, no registration
// at start-up. One source file per layer family under keras/layers/.
#pragma once

#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "graph/graph.h"
#include "io/json/json.h"
#include "keras/config_view.h"

namespace kgate::keras {

// What a spec's parse function may ask of the loader: parsing a nested layer
// envelope (TimeDistributed.layer, Bidirectional.layer/backward_layer), which
// goes through the same allowlist and audit as a top-level layer.
struct ParseContext {
  std::function<absl::StatusOr<std::unique_ptr<graph::Layer>>(const io::json::Value& envelope,
                                                               std::string location)>
      parse_layer;
};

struct LayerSpec {
  std::string_view class_name;
  // Validates `config` (the envelope's "config" object) and fills
  // layer.attrs, layer.trainable and, for wrappers, layer.sublayers. Names,
  // class_name and the envelope are handled by the caller.
  absl::Status (*parse)(const ConfigView& config, const ParseContext& ctx, graph::Layer& layer);
  // One call of the layer on `inputs` (flattened positional tensors, then in
  // `keyword_inputs` order as the node lists them). The first call declares
  // the layer's variables with DeclareWeights; later calls of a shared layer
  // must be compatible. Appends the call's outputs to `outputs`.
  absl::Status (*build)(graph::Layer& layer, std::span<const graph::TensorSpec> inputs,
                        const graph::Node& node, std::vector<graph::TensorSpec>* outputs);
};

// The spec for `class_name`, or nullptr if the class is not allowlisted.
const LayerSpec* FindLayerSpec(std::string_view class_name);
// Every allowlisted class name, sorted (for docs and tests).
std::vector<std::string_view> AllowlistedLayerClasses();

// Runs the spec's build for one call. Errors are KG-K010 (config/shape
// inconsistency) and name the layer.
absl::Status BuildLayer(graph::Layer& layer, std::span<const graph::TensorSpec> inputs,
                        const graph::Node& node, std::vector<graph::TensorSpec>* outputs);

struct WeightDecl {
  std::string name;
  graph::Dims shape;
  bool trainable = true;
  std::string group;  // see graph::Weight::group
};
// Declares `layer`'s variables on its first build (in Keras save order) or,
// when the layer is already built (a shared layer's later call), checks the
// declaration is identical. Sets layer.built.
absl::Status DeclareWeights(graph::Layer& layer, std::vector<WeightDecl> weights);

// Error helper for build functions: KG-K010 "layer 'name' (Class): message".
absl::Status LayerError(const graph::Layer& layer, std::string_view message);

}  // namespace kgate::keras
