// File: common_shapes.h
// Shape arithmetic shared by the layer families, written to give exactly the
// numbers Keras 3's own helpers give (keras/src/ops/operation_utils.py:
// broadcast_shapes, compute_conv_output_shape, compute_pooling_output_shape;
// keras/src/backend/common/backend_utils.py: compute_conv_transpose_output_shape),
// including where Keras raises. Unknown dimensions are graph::kUnknownDim and
// stay unknown through every helper.
//
// Errors are KG-K010 statuses whose message says what was wrong but not which
// layer: callers wrap them with ForLayer(layer, status). Every helper is a pure
// function of its arguments (thread-safe). Inputs are assumed to be dims
// already bounded by kMaxDim and kernel extents by kMaxKernelExtent (what
// ConfigView enforces), so no intermediate overflows int64; results that
// would exceed kMaxDim are refused.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "graph/graph.h"
#include "keras/config_view.h"
#include "util/dtype.h"

namespace kgate::keras::layers {

// `status` (non-OK) re-issued as LayerError(layer, message): KG-K010 with the
// layer's name and class in front. OK stays OK.
absl::Status ForLayer(const graph::Layer& layer, const absl::Status& status);

// Python-style axis (-rank <= axis < rank) to 0-based; an error otherwise.
absl::StatusOr<int64_t> NormalizeAxis(int64_t axis, int64_t rank);

// Keras broadcast_shapes: right-aligned; 1 stretches; an unknown dim against
// 1 stays unknown, against n becomes n; n against m (n, m > 1, n != m) fails.
absl::StatusOr<graph::Dims> BroadcastShapes(const graph::Dims& a, const graph::Dims& b);

// True when two dims can be the same at run time (equal, or either unknown).
bool DimsCompatible(int64_t a, int64_t b);
// The more specific of two compatible dims (known wins over unknown).
int64_t MergeDim(int64_t a, int64_t b);

// One spatial output length of a convolution (compute_conv_output_shape):
//   valid:          floor((input - dilation*(kernel-1) - 1) / stride) + 1, must be > 0
//   same or causal: floor((input - 1) / stride) + 1
// `input` kUnknownDim gives kUnknownDim. stride, kernel, dilation >= 1.
absl::StatusOr<int64_t> ConvOutputLength(int64_t input, int64_t kernel, std::string_view padding,
                                         int64_t stride, int64_t dilation);

// One spatial output length of a pooling op (compute_pooling_output_shape);
// padding "valid" or "same" only.
absl::StatusOr<int64_t> PoolOutputLength(int64_t input, int64_t pool, std::string_view padding,
                                         int64_t stride);

// One spatial output length of a transposed convolution
// (_get_output_shape_given_tf_padding); `output_padding` nullopt when the
// config has None. padding "valid" or "same".
absl::StatusOr<int64_t> DeconvOutputLength(int64_t input, int64_t kernel, std::string_view padding,
                                           int64_t stride, int64_t dilation,
                                           std::optional<int64_t> output_padding);

// data_format as Keras's standardize_data_format: absent/null means the
// backend default "channels_last"; otherwise "channels_last" or
// "channels_first" (case-insensitive, returned lowercase).
absl::StatusOr<std::string> ReadDataFormat(const ConfigView& config, std::string_view key = "data_format");
// 0-based channel axis for a tensor of `rank` (incl. batch).
inline int64_t ChannelAxis(std::string_view data_format, int64_t rank) {
  return data_format == "channels_first" ? 1 : rank - 1;
}
// 0-based spatial axes (everything except batch and channel) for `rank`.
std::vector<int64_t> SpatialAxes(std::string_view data_format, int64_t rank);

// Product of known dims `dims[begin, end)`; nullopt when one is unknown or
// the product exceeds kMaxDim * kMaxUnits (far above any real tensor).
std::optional<int64_t> KnownProduct(const graph::Dims& dims, size_t begin, size_t end);

// Error unless `shape` has a rank in [min_rank, max_rank] (incl. batch).
absl::Status CheckRank(const graph::TensorSpec& spec, int64_t min_rank, int64_t max_rank,
                       std::string_view what = "input");

// Output dtype of a layer whose Keras compute_output_spec uses the layer's
// compute dtype: the "compute_dtype" attribute the loader sets from the
// DTypePolicy, or `fallback` when absent or unparseable.
util::DType ComputeDType(const graph::Layer& layer, util::DType fallback);

// The call's tensors split the way LayerSpec::build receives them:
// `inputs` holds node.inputs.size() positional tensors, then one tensor per
// node.keyword_inputs entry, in that order.
struct CallInputs {
  std::span<const graph::TensorSpec> positional;
  // Keyword tensor `name`, or nullptr when the call did not pass it.
  const graph::TensorSpec* Keyword(std::string_view name) const;

  std::span<const graph::TensorSpec> all;
  const graph::Node* node = nullptr;
};
// Splits `inputs` and checks the positional count is in [min_positional,
// max_positional] and every keyword tensor is one of `keywords` (a "mask"
// keyword is always allowed: Keras passes masks that way). Errors name the
// layer.
absl::StatusOr<CallInputs> SplitCallInputs(const graph::Layer& layer, std::span<const graph::TensorSpec> inputs,
                                           const graph::Node& node, size_t min_positional, size_t max_positional,
                                           std::initializer_list<std::string_view> keywords = {});

// Refuses the config fields that would make a layer quantized or LoRA-adapted
// (quantization_config non-null, lora_rank non-null and non-zero): kgate does
// not implement those kernels (KG-K010).
absl::Status RefuseQuantization(const ConfigView& config);

// The einsum analysis of EinsumDense (keras/src/layers/core/einsum_dense.py,
// _analyze_einsum_string): kernel and bias shapes and the output shape for an
// equation of the form "X,Y->Z", "...X,Y->...Z" or "X...,Y->Z...".
// `partial_output_shape` is the config's output_shape (entries may be
// kUnknownDim); `bias_axes` empty means no bias. Deviation from Keras, on
// purpose: with a left ellipsis covering three or more input dimensions Keras
// lists the elided dimensions in reverse order in its symbolic shape (a bug;
// the einsum itself keeps them in order); kgate gives the true order. Letters
// must be unique within each operand (Keras would silently take the last).
// (Implemented in core_einsum.cc, next to EinsumDense.)
struct EinsumShapes {
  graph::Dims kernel;
  std::optional<graph::Dims> bias;
  graph::Dims output;
};
absl::StatusOr<EinsumShapes> AnalyzeEinsum(std::string_view equation, std::string_view bias_axes,
                                           const graph::Dims& input_shape, const graph::Dims& partial_output_shape);

}  // namespace kgate::keras::layers
