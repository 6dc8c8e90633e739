// File: legacy_weights.h
// Binds a built graph to the weights of a legacy .h5 model file
// (legacy_h5_format.py; keras-format.md section d):
//   /model_weights @layer_names=[...]           every model.layers name in
//                                                order (split attributes
//                                                layer_names0, 1, ... too)
//   /model_weights/<layer> @weight_names=[...]   dataset paths relative to the
//                                                layer group (may contain '/')
// Keras binds by POSITION: the i-th weight name to the i-th variable in the
// legacy order, trainable_weights + non_trainable_weights of the layer
// (own variables, then sublayers, then a nested model's layers, each
// recursively; a frozen layer's variables are all non-trainable). kgate
// recomputes that order (LegacyWeightOrder), requires the layers that have
// weights to appear in the file in the model's order under their own names,
// and requires exactly as many weight names as variables (KG-W001). Each
// dataset then goes through the same dtype/shape/finiteness checks as for
// .keras files (LoadWeight). Datasets under /model_weights that no variable
// claims are KG-W001; /optimizer_weights is ignored (KG-I001).
// Thread-safe: no shared state.
#pragma once

#include <vector>

#include "graph/graph.h"
#include "io/hdf5/hdf5.h"
#include "keras/h5_audit.h"
#include "keras/weight_binding.h"
#include "util/finding.h"

namespace kgate::keras {

void BindLegacyWeights(const io::hdf5::File& file, const Hdf5Inventory& inventory, graph::Graph& graph,
                       const BindOptions& options, util::FindingList* findings);

// The variables of a top-level layer (one of model.layers) in Keras's legacy
// order: layer.trainable_weights + layer.non_trainable_weights.
std::vector<graph::Weight*> LegacyWeightOrder(graph::Layer& layer);

}  // namespace kgate::keras
