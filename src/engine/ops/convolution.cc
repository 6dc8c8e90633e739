// Convolution ops: Conv1D/2D/3D, DepthwiseConv1D/2D, SeparableConv1D/2D and
// Conv1D/2D/3DTranspose, all on oneDNN (kernels/dnnl_convolution.h). The
// factories repack Keras's kernels (keras/layers/convolution.cc documents
// their layouts) into oneDNN's plain grouped order; Conv*D and
// DepthwiseConv*D take the planner's epilogue, whose scale is folded into the
// weights and shift into the bias (both per output channel), with the
// activation fused into the primitive where oneDNN computes it as Keras does,
// a residual added by oneDNN's sum post-op, and a folded ZeroPadding as the
// primitive's own padding.
#include <cstring>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "engine/kernels/dnnl_convolution.h"
#include "engine/align.h"
#include "engine/op_registry.h"
#include "engine/ops/layer_support.h"
#include "util/status_macros.h"
#include "util/strings.h"

namespace kgate::engine::ops {
namespace {

using kernels::ConvGeometry;
using kernels::DnnlConvolution;
using kernels::PreparedConvolution;

// The weight `name` with the rank and element count its shape declares.
absl::StatusOr<const graph::Weight*> RequireWeight(const graph::Layer& layer, std::string_view name, size_t rank) {
  const graph::Weight* w = FindWeight(layer, name);
  if (w == nullptr || w->shape.size() != rank || NumElements(w->shape) != static_cast<int64_t>(w->values.size())) {
    return OpError(layer, util::StrCat("weight '", name, "' is missing or not of rank ", rank));
  }
  return w;
}

// Geometry attributes shared by every convolution class; the input must be
// a float tensor (the kernels read float32).
absl::StatusOr<ConvGeometry> ReadGeometry(const OpContext& ctx) {
  const graph::Layer& layer = ctx.layer;
  const size_t inputs = ctx.epilogue != nullptr && ctx.epilogue->residual ? 2 : 1;
  if (ctx.inputs.size() != inputs || !IsFloatStorage(ctx.inputs[0].dtype)) {
    return OpError(layer, "expects one floating-point input");
  }
  ConvGeometry g;
  const int64_t rank = layer.attrs.GetInt("rank", 0);
  g.kernel = layer.attrs.GetInts("kernel_size");
  g.strides = layer.attrs.GetInts("strides");
  g.dilation = layer.attrs.GetInts("dilation_rate");
  g.padding = layer.attrs.GetString("padding", "valid");
  g.channels_first = layer.attrs.GetString("data_format", "channels_last") == "channels_first";
  const size_t r = static_cast<size_t>(rank);
  if (rank < 1 || rank > 3 || g.kernel.size() != r || g.strides.size() != r || g.dilation.size() != r) {
    return OpError(layer, "kernel_size, strides and dilation_rate must each have one entry per spatial axis");
  }
  if (g.padding != "valid" && g.padding != "same" && g.padding != "causal") {
    return OpError(layer, util::StrCat("unsupported padding '", g.padding, "'"));
  }
  if (ctx.epilogue != nullptr && !ctx.epilogue->input_padding.empty()) {
    if (g.padding != "valid" || ctx.epilogue->input_padding.size() != 2 * r) {
      return OpError(layer, "a ZeroPadding was folded into a convolution that does not pad \"valid\"");
    }
    g.input_padding = ctx.epilogue->input_padding;
  }
  return g;
}

// Keras kernel (spatial..., a, b) -> oneDNN rows of (spatial...) per (row,
// col): rows are output channels. `b_outer` says whether the output channel
// is b (Conv: b = filters, a = input channels per group) or a*B + b
// (depthwise: a = channel, b = multiplier; transposed: a = filters, b = input).
std::vector<float> Repack(const std::vector<float>& keras, int64_t spatial, int64_t a_dim, int64_t b_dim,
                          bool b_outer) {
  std::vector<float> out(keras.size());
  for (int64_t k = 0; k < spatial; ++k) {
    for (int64_t a = 0; a < a_dim; ++a) {
      for (int64_t b = 0; b < b_dim; ++b) {
        const int64_t row = b_outer ? b * a_dim + a : a * b_dim + b;
        out[row * spatial + k] = keras[(k * a_dim + a) * b_dim + b];
      }
    }
  }
  return out;
}

// The activation the op computes, with the epilogue folded into `weights`
// (rows of equal length per output channel) and `bias`.
absl::StatusOr<std::string> FoldEpilogue(const OpContext& ctx, int64_t out_channels, std::vector<float>& weights,
                                         std::vector<float>& bias) {
  const std::string own = ctx.layer.attrs.GetString("activation", "linear");
  if (ctx.epilogue == nullptr) return own;
  const Epilogue& e = *ctx.epilogue;
  // Only a ZeroPadding folded in: the layer's own activation stands.
  if (e.scale.empty() && e.shift.empty() && !e.residual && e.activation == "linear") return own;
  if (own != "linear") return OpError(ctx.layer, "an epilogue was fused after a non-linear activation");
  const auto n = static_cast<size_t>(out_channels);
  if ((!e.scale.empty() && e.scale.size() != n) || (!e.shift.empty() && e.shift.size() != n)) {
    return OpError(ctx.layer, "the fused epilogue does not match the output channels");
  }
  if (!e.scale.empty()) {
    const size_t row = weights.size() / n;
    for (size_t o = 0; o < n; ++o) {
      for (size_t i = 0; i < row; ++i) weights[o * row + i] *= e.scale[o];
      if (!bias.empty()) bias[o] *= e.scale[o];
    }
  }
  if (!e.shift.empty()) {
    if (bias.empty()) bias.assign(n, 0.f);
    for (size_t o = 0; o < n; ++o) bias[o] += e.shift[o];
  }
  return e.activation;
}

absl::StatusOr<std::vector<float>> ReadBias(const graph::Layer& layer, int64_t channels) {
  if (!layer.attrs.GetBool("use_bias", true)) return std::vector<float>{};
  KGATE_ASSIGN_OR_RETURN(const graph::Weight* bias, RequireWeight(layer, "bias", 1));
  if (bias->shape[0] != channels) return OpError(layer, "bias does not match the output channels");
  return bias->values;
}

// With a residual (the last input), the output starts as a copy of it (no
// copy when the planner placed the output over it) and the primitive adds
// the convolution in (oneDNN's sum post-op).
class PreparedConv final : public PreparedOp {
 public:
  PreparedConv(std::unique_ptr<PreparedConvolution> conv, bool residual)
      : conv_(std::move(conv)), residual_(residual) {}
  int64_t scratch_bytes() const override { return conv_->scratch_bytes(); }
  absl::Status Run(RunContext& ctx, std::span<const Tensor> in, std::span<const Tensor> out) const override {
    if (residual_ && in[1].data != out[0].data) std::memcpy(out[0].data, in[1].data, out[0].num_bytes());
    return conv_->Run(in[0].f32(), out[0].f32(), ctx.scratch());
  }

 private:
  std::unique_ptr<PreparedConvolution> conv_;
  bool residual_;
};

class ConvOp final : public Op {
 public:
  ConvOp(std::unique_ptr<DnnlConvolution> conv, bool residual) : conv_(std::move(conv)), residual_(residual) {}
  absl::StatusOr<std::unique_ptr<PreparedOp>> Prepare(std::span<const Dims> in,
                                                      std::span<const Dims> out) const override {
    if (in.size() != (residual_ ? 2u : 1u) || out.size() != 1) {
      return absl::InternalError("a convolution takes one input (and a residual)");
    }
    if (residual_ && in[1] != out[0]) {
      return absl::InvalidArgumentError(util::StrCat("the residual Add's other operand has shape ",
                                                     graph::ShapeString(in[1]), ", the convolution's output ",
                                                     graph::ShapeString(out[0])));
    }
    KGATE_ASSIGN_OR_RETURN(std::unique_ptr<PreparedConvolution> conv, conv_->Prepare(in[0], out[0]));
    return std::make_unique<PreparedConv>(std::move(conv), residual_);
  }
  int InPlaceInput(int output) const override { return residual_ && output == 0 ? 1 : -1; }

 private:
  std::unique_ptr<DnnlConvolution> conv_;
  bool residual_;
};

absl::StatusOr<std::unique_ptr<Op>> MakeConvOp(const OpContext& ctx, ConvGeometry g, std::vector<float> weights,
                                               std::vector<float> bias) {
  KGATE_ASSIGN_OR_RETURN(std::string activation, FoldEpilogue(ctx, g.out_channels, weights, bias));
  const bool residual = ctx.epilogue != nullptr && ctx.epilogue->residual;
  auto conv = DnnlConvolution::Create(std::move(g), std::move(weights), std::move(bias), std::move(activation),
                                      residual);
  if (!conv.ok()) return OpError(ctx.layer, std::string(conv.status().message()));
  return std::unique_ptr<Op>(new ConvOp(*std::move(conv), residual));
}

absl::StatusOr<std::unique_ptr<Op>> CreateConv(const OpContext& ctx) {
  const graph::Layer& layer = ctx.layer;
  KGATE_ASSIGN_OR_RETURN(ConvGeometry g, ReadGeometry(ctx));
  const size_t rank = g.kernel.size();
  KGATE_ASSIGN_OR_RETURN(const graph::Weight* kernel, RequireWeight(layer, "kernel", rank + 2));
  g.groups = layer.attrs.GetInt("groups", 1);
  const int64_t per_group = kernel->shape[rank];
  g.out_channels = kernel->shape[rank + 1];
  g.in_channels = per_group * g.groups;
  if (g.groups < 1 || g.out_channels % g.groups != 0) return OpError(layer, "filters must divide into the groups");
  std::vector<float> weights = Repack(kernel->values, Product(g.kernel, 0, g.kernel.size()), per_group, g.out_channels, true);
  KGATE_ASSIGN_OR_RETURN(std::vector<float> bias, ReadBias(layer, g.out_channels));
  return MakeConvOp(ctx, std::move(g), std::move(weights), std::move(bias));
}

// A depthwise convolution as a grouped one: one group per input channel,
// depth_multiplier outputs each.
absl::StatusOr<std::pair<ConvGeometry, std::vector<float>>> DepthwiseParts(const OpContext& ctx,
                                                                           std::string_view kernel_name) {
  const graph::Layer& layer = ctx.layer;
  KGATE_ASSIGN_OR_RETURN(ConvGeometry g, ReadGeometry(ctx));
  const size_t rank = g.kernel.size();
  KGATE_ASSIGN_OR_RETURN(const graph::Weight* kernel, RequireWeight(layer, kernel_name, rank + 2));
  const int64_t channels = kernel->shape[rank];
  const int64_t mult = kernel->shape[rank + 1];
  g.groups = channels;
  g.in_channels = channels;
  g.out_channels = channels * mult;
  std::vector<float> weights = Repack(kernel->values, Product(g.kernel, 0, g.kernel.size()), channels, mult, false);
  return std::make_pair(std::move(g), std::move(weights));
}

absl::StatusOr<std::unique_ptr<Op>> CreateDepthwise(const OpContext& ctx) {
  KGATE_ASSIGN_OR_RETURN(auto parts, DepthwiseParts(ctx, "kernel"));
  KGATE_ASSIGN_OR_RETURN(std::vector<float> bias, ReadBias(ctx.layer, parts.first.out_channels));
  return MakeConvOp(ctx, std::move(parts.first), std::move(parts.second), std::move(bias));
}

absl::StatusOr<std::unique_ptr<Op>> CreateTranspose(const OpContext& ctx) {
  const graph::Layer& layer = ctx.layer;
  KGATE_ASSIGN_OR_RETURN(ConvGeometry g, ReadGeometry(ctx));
  const size_t rank = g.kernel.size();
  KGATE_ASSIGN_OR_RETURN(const graph::Weight* kernel, RequireWeight(layer, "kernel", rank + 2));
  g.transposed = true;
  g.out_channels = kernel->shape[rank];
  g.in_channels = kernel->shape[rank + 1];
  if (const auto* op = layer.attrs.Get<std::vector<int64_t>>("output_padding")) g.output_padding = *op;
  if (g.padding == "causal") return OpError(layer, "causal padding is not defined for transposed convolutions");
  std::vector<float> weights = Repack(kernel->values, Product(g.kernel, 0, g.kernel.size()), g.out_channels, g.in_channels, false);
  KGATE_ASSIGN_OR_RETURN(std::vector<float> bias, ReadBias(layer, g.out_channels));
  return MakeConvOp(ctx, std::move(g), std::move(weights), std::move(bias));
}

// SeparableConv*D: a depthwise convolution into scratch, then a pointwise
// (1x1) convolution with the bias and activation.
class PreparedSeparable final : public PreparedOp {
 public:
  PreparedSeparable(std::unique_ptr<PreparedConvolution> depthwise, std::unique_ptr<PreparedConvolution> pointwise,
                    int64_t mid_bytes)
      : depthwise_(std::move(depthwise)), pointwise_(std::move(pointwise)), mid_bytes_(AlignUp(mid_bytes)) {}
  int64_t scratch_bytes() const override {
    return mid_bytes_ + std::max(depthwise_->scratch_bytes(), pointwise_->scratch_bytes());
  }
  absl::Status Run(RunContext& ctx, std::span<const Tensor> in, std::span<const Tensor> out) const override {
    auto* mid = static_cast<float*>(ctx.scratch());
    void* rest = static_cast<uint8_t*>(ctx.scratch()) + mid_bytes_;
    KGATE_RETURN_IF_ERROR(depthwise_->Run(in[0].f32(), mid, rest));
    return pointwise_->Run(mid, out[0].f32(), rest);
  }

 private:
  std::unique_ptr<PreparedConvolution> depthwise_, pointwise_;
  int64_t mid_bytes_;
};

class SeparableOp final : public Op {
 public:
  SeparableOp(std::unique_ptr<DnnlConvolution> depthwise, std::unique_ptr<DnnlConvolution> pointwise)
      : depthwise_(std::move(depthwise)), pointwise_(std::move(pointwise)) {}
  absl::StatusOr<std::unique_ptr<PreparedOp>> Prepare(std::span<const Dims> in,
                                                      std::span<const Dims> out) const override {
    if (in.size() != 1 || out.size() != 1) return absl::InternalError("a convolution takes one input");
    Dims mid = out[0];
    mid[depthwise_->geometry().channels_first ? 1 : mid.size() - 1] = depthwise_->geometry().out_channels;
    KGATE_ASSIGN_OR_RETURN(std::unique_ptr<PreparedConvolution> dw, depthwise_->Prepare(in[0], mid));
    KGATE_ASSIGN_OR_RETURN(std::unique_ptr<PreparedConvolution> pw, pointwise_->Prepare(mid, out[0]));
    return std::make_unique<PreparedSeparable>(std::move(dw), std::move(pw),
                                               NumElements(mid) * static_cast<int64_t>(sizeof(float)));
  }

 private:
  std::unique_ptr<DnnlConvolution> depthwise_, pointwise_;
};

absl::StatusOr<std::unique_ptr<Op>> CreateSeparable(const OpContext& ctx) {
  const graph::Layer& layer = ctx.layer;
  KGATE_ASSIGN_OR_RETURN(auto parts, DepthwiseParts(ctx, "depthwise_kernel"));
  ConvGeometry& dg = parts.first;
  const size_t rank = dg.kernel.size();
  KGATE_ASSIGN_OR_RETURN(const graph::Weight* pointwise, RequireWeight(layer, "pointwise_kernel", rank + 2));
  ConvGeometry pg;
  pg.channels_first = dg.channels_first;
  pg.in_channels = pointwise->shape[rank];
  pg.out_channels = pointwise->shape[rank + 1];
  pg.kernel.assign(rank, 1);
  pg.strides.assign(rank, 1);
  pg.dilation.assign(rank, 1);
  if (pg.in_channels != dg.out_channels) return OpError(layer, "pointwise_kernel does not match depthwise_kernel");
  std::vector<float> pw = Repack(pointwise->values, 1, pg.in_channels, pg.out_channels, true);
  KGATE_ASSIGN_OR_RETURN(std::vector<float> bias, ReadBias(layer, pg.out_channels));
  const std::string activation = layer.attrs.GetString("activation", "linear");
  auto depthwise = DnnlConvolution::Create(std::move(dg), std::move(parts.second), {}, "linear");
  if (!depthwise.ok()) return OpError(layer, std::string(depthwise.status().message()));
  auto pointwise_conv = DnnlConvolution::Create(std::move(pg), std::move(pw), std::move(bias), activation);
  if (!pointwise_conv.ok()) return OpError(layer, std::string(pointwise_conv.status().message()));
  return std::unique_ptr<Op>(new SeparableOp(*std::move(depthwise), *std::move(pointwise_conv)));
}

constexpr OpSpec kSpecs[] = {
    {"Conv1D", &CreateConv, true, true, true},
    {"Conv2D", &CreateConv, true, true, true},
    {"Conv3D", &CreateConv, true, true, true},
    {"DepthwiseConv1D", &CreateDepthwise, true, true, true},
    {"DepthwiseConv2D", &CreateDepthwise, true, true, true},
    {"SeparableConv1D", &CreateSeparable, false},
    {"SeparableConv2D", &CreateSeparable, false},
    {"Conv1DTranspose", &CreateTranspose, false},
    {"Conv2DTranspose", &CreateTranspose, false},
    {"Conv3DTranspose", &CreateTranspose, false},
};

}  // namespace

std::span<const OpSpec> ConvolutionOps() { return kSpecs; }

}  // namespace kgate::engine::ops
