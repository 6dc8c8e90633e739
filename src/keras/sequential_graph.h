// File: sequential_graph.h
// The Sequential half of model_builder: a Sequential config ({"layers",
// "build_input_shape"}) becomes a linear graph::Graph. The model input is the
// leading InputLayer if the config has one; otherwise an InputLayer is
// synthesized (graph.layers[0], named "input_layer") from build_input_shape
// or the first layer's batch_shape/batch_input_shape, with the first layer's
// compute dtype, exactly as Sequential.build does. A Sequential with neither
// was never built: Keras could not restore its weights either (KG-K010).
// Each layer is called on all outputs of the previous one; a layer's
// build_config.input_shape, when Keras recorded one, must equal the inferred
// input shape (KG-K010).
#pragma once

#include <memory>

#include "absl/status/statusor.h"
#include "graph/graph.h"
#include "keras/config_view.h"
#include "keras/layer_registry.h"

namespace kgate::keras {

absl::StatusOr<std::unique_ptr<graph::Graph>> BuildSequentialGraph(const ConfigView& config, const ParseContext& ctx);

}  // namespace kgate::keras
