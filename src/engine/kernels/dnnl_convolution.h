// File: dnnl_convolution.h
// One convolution or transposed convolution on oneDNN, as the convolution
// ops (engine/ops/convolution.cc) run Keras's Conv*D, DepthwiseConv*D,
// SeparableConv*D and Conv*DTranspose. A DnnlConvolution owns the weights in
// oneDNN's plain grouped order (g*oc/g, ic/g, spatial...), with any epilogue
// already folded in, and the bias; Prepare builds the primitive for concrete
// shapes and hands it weights reordered into the layout the primitive prefers
// (reordered once per layout and shared by every plan that wants it, so runs
// never reorder weights). Padding follows Keras on JAX exactly: "same" puts
// the odd padding element at the end, "causal" pads only the start, and
// transposed convolutions use Keras's conv_transpose padding rule
// (keras/layers/convolution_transpose.cc).
//
// A DnnlConvolution is immutable apart from its internal, mutex-guarded
// weight cache; a PreparedConvolution is immutable and may run from many
// threads at once (each run brings its own scratch memory).
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "engine/tensor.h"
#include "oneapi/dnnl/dnnl.hpp"

namespace kgate::engine::kernels {

struct ConvGeometry {
  bool transposed = false;
  bool channels_first = false;
  int64_t groups = 1;
  int64_t in_channels = 0;
  int64_t out_channels = 0;
  // Per spatial axis, in Keras order (1 to 3 axes).
  std::vector<int64_t> kernel, strides, dilation;
  std::string padding = "valid";  // "valid", "same" or "causal"
  // Transposed convolutions only; empty when the config's is null.
  std::vector<int64_t> output_padding;
  // "valid" convolutions only: zeros around the input, (before, after) per
  // spatial axis (a ZeroPadding layer folded in); empty for none.
  std::vector<int64_t> input_padding;
};

class PreparedConvolution {
 public:
  virtual ~PreparedConvolution() = default;
  virtual int64_t scratch_bytes() const = 0;
  // `in` and `out` are engine tensors (float32, the shapes given to Prepare);
  // `scratch` holds scratch_bytes() bytes, 64-byte aligned.
  virtual absl::Status Run(const float* in, float* out, void* scratch) const = 0;
};

class DnnlConvolution {
 public:
  // `weights` are in oneDNN's plain order (out_channels, in_channels/groups,
  // spatial...); `bias` has out_channels values or is empty. `activation` is
  // a canonical Keras activation name applied to the result (a oneDNN post-op
  // where oneDNN computes it as Keras does). With `accumulate` the result is
  // added to what the output holds before the activation (oneDNN's sum
  // post-op: a residual Add); not for transposed convolutions.
  static absl::StatusOr<std::unique_ptr<DnnlConvolution>> Create(ConvGeometry geometry, std::vector<float> weights,
                                                                 std::vector<float> bias, std::string activation,
                                                                 bool accumulate = false);

  // For engine input/output shapes (batch, spatial..., channels) or
  // (batch, channels, spatial...).
  absl::StatusOr<std::unique_ptr<PreparedConvolution>> Prepare(const Dims& in, const Dims& out) const;

  const ConvGeometry& geometry() const { return geometry_; }

 private:
  DnnlConvolution(ConvGeometry geometry, std::vector<float> weights, std::vector<float> bias, std::string activation,
                  bool accumulate);
  // The weights in `layout`, reordered on first request.
  absl::StatusOr<std::shared_ptr<const dnnl::memory>> WeightsIn(const dnnl::memory::desc& layout) const;

  const ConvGeometry geometry_;
  const std::vector<float> bias_;
  const std::string activation_;
  const bool accumulate_;
  const dnnl::memory::desc plain_weights_desc_;

  // Weights in every layout a live plan uses. The plain copy is dropped once
  // another layout exists and no plan uses it; any cached layout can be
  // reordered into a new one (reorders between layouts are exact).
  mutable std::mutex mu_;
  mutable std::vector<std::shared_ptr<const dnnl::memory>> layouts_;
};

}  // namespace kgate::engine::kernels
