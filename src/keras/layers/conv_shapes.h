// File: conv_shapes.h
// Config and call helpers shared by the convolution, pooling, recurrent,
// wrapper and application layer families (convolution*.cc, pooling.cc,
// recurrent*.cc, wrappers.cc, applications.cc). Shape arithmetic itself lives
// in common_shapes.h; this header adds what those families read the same way:
// Keras's standardize_tuple/standardize_padding for conv-like configs, the
// input-count checks of a call, and the dtype a call produces.
//
// Everything here is a pure function of its arguments (thread-safe). Errors
// are KG-K010: config errors name the JSON Pointer (through ConfigView),
// call errors name the layer (through LayerError).
#pragma once

#include <cstdint>
#include <initializer_list>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "graph/graph.h"
#include "keras/config_view.h"

namespace kgate::keras::layers {

// What the shared part of a conv-like config holds once read.
struct ConvGeometry {
  int64_t rank = 0;                     // spatial dimensions: 1, 2 or 3
  std::vector<int64_t> kernel_size;     // rank entries, each in [1, kMaxKernelExtent]
  std::vector<int64_t> strides;         // rank entries, each in [1, kMaxKernelExtent]
  std::vector<int64_t> dilation_rate;   // rank entries, each in [1, kMaxKernelExtent]
  std::string padding;                  // "valid", "same" or (Conv1D only) "causal"
  std::string data_format;              // "channels_last" or "channels_first"
};

// Reads kernel_size, strides, dilation_rate, padding and data_format the way
// Keras's base conv layers standardise them (an int means the same value on
// every axis; padding is case-insensitive) and stores them in `attrs` under
// their Keras names, plus "rank". `causal` allows padding "causal".
absl::StatusOr<ConvGeometry> ReadConvGeometry(const ConfigView& config, int64_t rank, bool causal,
                                              graph::Attributes& attrs);

// Reads "activation" (ReadActivation) and "use_bias" (default true) into attrs.
absl::Status ReadActivationAndBias(const ConfigView& config, graph::Attributes& attrs);

// Refuses a non-null "lora_rank" (LoRA-enabled layers are not served).
absl::Status RefuseLora(const ConfigView& config);

// The call's inputs must be exactly `positional` positional tensors and only
// keyword tensors whose name is in `keywords` (each at most once unless it is
// "initial_state"). Names the layer and what it got on failure.
absl::Status CheckCallInputs(const graph::Layer& layer, std::span<const graph::TensorSpec> inputs,
                             const graph::Node& node, size_t positional,
                             std::initializer_list<std::string_view> keywords = {});

// The tensor spec of the keyword input `name` (first occurrence), or nullptr.
const graph::TensorSpec* KeywordInput(std::span<const graph::TensorSpec> inputs, const graph::Node& node,
                                      std::string_view name);

// The dtype a call of `layer` produces: its compute dtype ("compute_dtype"
// attribute set by the loader from the DTypePolicy), else float32.
util::DType OutputDType(const graph::Layer& layer);

// The channel dimension of `spec` for `data_format`; an error naming the
// layer when it is unknown (Keras cannot build the kernel then).
absl::StatusOr<int64_t> KnownChannels(const graph::Layer& layer, const graph::TensorSpec& spec,
                                      std::string_view data_format);

}  // namespace kgate::keras::layers
