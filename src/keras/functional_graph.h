// File: functional_graph.h
// The Functional half of model_builder: a Functional config ({"layers",
// "input_layers", "output_layers"}) becomes a graph::Graph. Each layer entry
// is parsed through the ParseContext; its inbound_nodes, in the Keras 3
// {"args": [...], "kwargs": {...}} form or the Keras 2 legacy
// [[name, node_index, tensor_index, kwargs], ...] form, become graph nodes.
// keras_history references are resolved per model level (names are only
// unique within one model), then the nodes are sorted topologically
// (lowest config position first, so a valid Keras order is kept); a cycle,
// a dangling name, or a node/tensor index out of range is KG-K009. Every
// node is built in order and the __keras_tensor__ shape and dtype Keras
// recorded for each input must equal the inferred one (KG-K010).
//
// input_layers/output_layers may be a bare triple, a list, or a dict of
// triples (dicts flatten in sorted key order, as keras.tree does); a triple
// naming a Functional layer counts that layer's calls from 1 (Keras's
// built-in node; keras-format.md b.3). Not thread-compatible state: none.
#pragma once

#include <memory>

#include "absl/status/statusor.h"
#include "graph/graph.h"
#include "keras/config_view.h"
#include "keras/layer_registry.h"

namespace kgate::keras {

absl::StatusOr<std::unique_ptr<graph::Graph>> BuildFunctionalGraph(const ConfigView& config, const ParseContext& ctx);

}  // namespace kgate::keras
