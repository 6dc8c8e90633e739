// File: model_builder.h
// Turns an audited Keras model config (the root object of config.json, or
// the model_config of a legacy .h5) into a graph::Graph: every layer envelope
// parsed through the layer registry (FindLayerSpec -> spec.parse), the
// Sequential chain or Functional DAG resolved, topologically sorted with
// cycle and dangling-reference detection (KG-K009), and every call built
// in order (spec.build: variables declared, output shapes inferred). The
// shapes Keras recorded in the config (__keras_tensor__ in inbound_nodes,
// build_config of Sequential layers) must agree with the inferred ones
// (KG-K010), which catches configs whose semantics kgate would get wrong.
//
// Layer envelopes: the loader handles the envelope keys (module, class_name,
// registered_name, build_config, compile_config, shared_object_id, and a
// Functional entry's name/inbound_nodes) and the common config fields: name
// (KG-K011 policy), trainable, and dtype (a DTypePolicy such as
// "mixed_float16" becomes attrs "compute_dtype"/"variable_dtype").
// Everything else in "config" is the spec's.
//
// Nested Sequential/Functional models are layers whose spec (ModelLayerSpecs,
// keras/layers/models.cc) calls ParseNestedModel, so a nested model is parsed
// and built exactly like a top-level one; calling it maps its outputs
// (CallNestedModel), re-inferring shapes when the call's input shapes are
// more specific than the nested model's own inputs.
//
// Errors: each problem becomes a finding with its rule and a file-qualified
// location. Layer parse errors are collected for every layer of a model; the
// first graph-level error of a model stops that model. Thread-safe: all
// state is per call.
#pragma once

#include <cstddef>
#include <memory>
#include <span>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "graph/graph.h"
#include "io/json/json.h"
#include "keras/config_view.h"
#include "keras/layer_registry.h"
#include "util/finding.h"

namespace kgate::keras {

// Total layer envelopes (all nesting levels, wrapped layers included) one
// model may have. The largest keras.applications model has ~800 layers.
inline constexpr size_t kMaxModelLayers = 100000;
// Calls (nodes) in one model level; shared layers make this exceed the layer count.
inline constexpr size_t kMaxModelNodes = 200000;
// Layer calls re-run when nested models are called on more specific shapes
// than their own inputs (shape inference through the nested graph). Without
// a budget, nested models calling nested models would multiply the work;
// a backbone of 1000 layers called on new shapes 100 times stays well below.
inline constexpr int64_t kMaxNestedReruns = int64_t{1} << 18;
// Elements one tensor may have, counting its known dimensions (the batch is
// usually unknown). A config declaring [None, 1e9, 1e9] is a shape bomb;
// real activations stay far below 2^31 elements per sample.
inline constexpr int64_t kMaxTensorElements = int64_t{1} << 31;
// Nesting of models and wrappers below the top-level model: its layers are at
// depth 1, a wrapped or nested model's layers at 2, and so on.
inline constexpr int kMaxNestingDepth = 32;

// Builds the model described by `root` (a top-level Sequential or
// Functional envelope). `location_prefix` qualifies locations
// ("config.json:", "model.h5:@model_config:"). Returns nullptr after adding
// at least one finding when the model cannot be built.
std::unique_ptr<graph::Graph> BuildModel(const io::json::Value& root, std::string_view location_prefix,
                                         util::FindingList* findings);

// For ModelLayerSpecs: parses and builds the Sequential or Functional model
// whose envelope "config" is `config` into layer.model.
absl::Status ParseNestedModel(std::string_view class_name, const ConfigView& config, const ParseContext& ctx,
                              graph::Layer& layer);
// For ModelLayerSpecs: one call of a nested model on `inputs`.
absl::Status CallNestedModel(graph::Layer& layer, std::span<const graph::TensorSpec> inputs,
                             std::vector<graph::TensorSpec>* outputs);

namespace model_internal {

// Status returned after an error has already been added as a finding, so
// callers up the stack do not report it again.
absl::Status AlreadyReported();
bool IsAlreadyReported(const absl::Status& status);

// A shape written by Keras in a config: a list of ints and nulls (None).
absl::StatusOr<graph::Dims> ParseShape(const io::json::Value& value, std::string_view what);
// "float32" etc. -> DType; error names `what`.
absl::StatusOr<util::DType> ParseTensorDType(const io::json::Value& value, std::string_view what);

// KG-K010 when an output of `layer` exceeds kMaxTensorElements.
absl::Status CheckOutputSizes(const graph::Layer& layer, const std::vector<graph::TensorSpec>& outputs);

}  // namespace model_internal

}  // namespace kgate::keras
