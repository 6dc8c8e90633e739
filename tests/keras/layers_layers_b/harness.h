// File: harness.h
// Test support for the layers_b families (convolution, pooling, recurrent,
// wrappers, applications): a minimal stand-in for the loader's layer parsing
// (envelope -> allowlisted spec -> parse, with a ParseContext that recurses
// for wrapped layers), one-call builds from tensor specs, and access to the
// Keras-generated fixture tests/fixtures/layers/layers_b.json.
#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "graph/graph.h"
#include "io/json/json.h"
#include "keras/layer_registry.h"

namespace kgate::keras::testing {

// Parses a layer envelope {"class_name", "config", ...} the way the loader
// does for the parts the specs rely on: name from config["name"], attr
// compute_dtype "float32", spec->parse with a context whose parse_layer
// recurses into this function.
absl::StatusOr<std::unique_ptr<graph::Layer>> ParseEnvelope(const io::json::Value& envelope, std::string location);

// Parses {"class_name": class_name, "config": config}.
absl::StatusOr<std::unique_ptr<graph::Layer>> ParseConfig(std::string_view class_name, const io::json::Value& config);

// One call: `positional` positional specs followed by keyword specs named by
// `keywords` (same order as the specs after the positional ones), with the
// node's non-tensor `call_args`.
absl::Status BuildCall(graph::Layer& layer, const std::vector<graph::TensorSpec>& inputs, size_t positional,
                       const std::vector<std::string>& keywords, std::vector<graph::TensorSpec>* outputs,
                       const graph::Attributes& call_args = {});

// Shortcut: one positional input of `shape` (float32), no keywords.
absl::StatusOr<std::vector<graph::TensorSpec>> BuildOne(graph::Layer& layer, graph::Dims shape);

// The parsed fixture file (parsed once, kept for the process).
const io::json::Value& Fixture();
// A JSON shape [null, 3] as Dims {-1, 3}.
graph::Dims ShapeOf(const io::json::Value& shape);
// A fixture case by id, or nullptr.
const io::json::Value* FindCase(std::string_view id);

// A deep copy of `v` with object member `key` set to `value` (added when
// absent); `v` must be an object.
io::json::Value With(const io::json::Value& v, std::string_view key, io::json::Value value);
// A deep copy of object `v` without member `key`.
io::json::Value Without(const io::json::Value& v, std::string_view key);

// Every weight of `layer` and its sublayers as (path, weight), path being
// the sublayer attr_keys and the weight group joined by '/'.
std::vector<std::pair<std::string, const graph::Weight*>> FlattenWeights(const graph::Layer& layer);

// Rule id attached to a status ("" when none).
std::string RuleIdOf(const absl::Status& s);

}  // namespace kgate::keras::testing
