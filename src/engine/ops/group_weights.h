// File: group_weights.h
// Copying a layer's variable that Keras saves under a sub-path of the layer
// (an RNN's "cell", MultiHeadAttention's "query_dense", ...) out of the graph
// into op-owned aligned memory, checking its size. The graph frees its
// weight values after compile, so ops keep these copies.
#pragma once

#include <cstdint>
#include <memory>
#include <string_view>

#include "absl/status/statusor.h"
#include "engine/tensor.h"
#include "graph/graph.h"

namespace kgate::engine::ops {

// The variable `name` in group `group` of `layer`, which must hold
// `expected` values; an error naming the layer and variable otherwise.
absl::StatusOr<std::shared_ptr<AlignedBuffer>> CopyGroupWeight(const graph::Layer& layer, std::string_view group,
                                                               std::string_view name, int64_t expected);

}  // namespace kgate::engine::ops
