// File: harness.h
// Test support for the layers_a families: a stand-in for the loader's
// per-layer steps (name, compute_dtype "float32", spec->parse), one-call
// builds from tensor specs, and access to the Keras-generated fixture
// tests/fixtures/layers/layers_a.json.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "graph/graph.h"
#include "io/json/json.h"
#include "keras/layer_registry.h"

namespace kgate::keras::layers_a_test {

// Parses `config` (a layer's "config" object) as class `class_name`: sets
// name (from config.name, if any) and compute_dtype "float32", then runs the
// spec's parse. KG-K007 when the class is not allowlisted.
absl::StatusOr<std::unique_ptr<graph::Layer>> ParseConfig(std::string_view class_name,
                                                          const io::json::Value& config);
// Same, from JSON text.
absl::StatusOr<std::unique_ptr<graph::Layer>> ParseConfigText(std::string_view class_name, std::string_view json);

// One call of `layer`: the first `positional` specs are positional, the rest
// keyword tensors named by `keywords`; `call_args` are the node's non-tensor
// arguments.
absl::Status BuildCall(graph::Layer& layer, const std::vector<graph::TensorSpec>& inputs, size_t positional,
                       const std::vector<std::string>& keywords, const graph::Attributes& call_args,
                       std::vector<graph::TensorSpec>* outputs);
// Positional float32 inputs of the given shapes, no keywords.
absl::StatusOr<std::vector<graph::TensorSpec>> Build(graph::Layer& layer, const std::vector<graph::Dims>& shapes);

// Parse + one positional call in one go.
absl::StatusOr<std::vector<graph::TensorSpec>> ParseAndBuild(std::string_view class_name, std::string_view config,
                                                             const std::vector<graph::Dims>& shapes);

const io::json::Value& Fixture();
const io::json::Value* FindCase(std::string_view id);
graph::Dims ShapeOf(const io::json::Value& shape);
util::DType DTypeOf(const io::json::Value& dtype);

// Copies of object `v` with `key` set (added if absent) or removed.
io::json::Value With(const io::json::Value& v, std::string_view key, io::json::Value value);
io::json::Value Without(const io::json::Value& v, std::string_view key);

std::string RuleIdOf(const absl::Status& s);

}  // namespace kgate::keras::layers_a_test
