// Advanced activation layers (keras/layers/activation_layers.cc), each as
// its Keras 3.15 call computes it on JAX:
//   ReLU      ReLU.static_call: leaky_relu when only negative_slope is set,
//             else threshold / relu6 / relu, a clip to max_value, then
//             x -= negative_slope * relu(-x + threshold)
//   LeakyReLU where(x >= 0, x, slope * x)
//   PReLU     relu(x) + (-alpha * relu(-x)), alpha broadcast over shared axes
//   ELU       where(x > 0, x, alpha * expm1(x))
//   Softmax   jax.nn.softmax over one axis; exp(x - logsumexp(x, axes)) over
//             several; an optional keyword "mask" (bool, or > 0.5) replaces
//             masked inputs with -1e9 and zeroes masked outputs.
#include <algorithm>
#include <cmath>
#include <optional>
#include <string>
#include <vector>

#include "engine/kernels/strided.h"
#include "engine/op_registry.h"
#include "engine/ops/layer_support.h"
#include "util/status_macros.h"
#include "util/strings.h"

namespace kgate::engine::ops {
namespace {

absl::Status ExpectFloatUnary(const OpContext& ctx) {
  if (PositionalCount(ctx) != 1 || ctx.outputs.size() != 1) return OpError(ctx.layer, "expected one input");
  if (!IsFloatStorage(ctx.outputs[0].dtype)) return OpError(ctx.layer, "only floating outputs are supported");
  return absl::OkStatus();
}

// An op applying `f(value, flat index)` to every element of input 0.
template <typename F>
class PointwiseOp final : public Op {
 public:
  explicit PointwiseOp(F f) : f_(std::move(f)) {}
  absl::StatusOr<std::unique_ptr<PreparedOp>> Prepare(std::span<const Dims>, std::span<const Dims>) const override {
    return MakePrepared([f = f_](RunContext&, std::span<const Tensor> in, std::span<const Tensor> out) {
      float* y = out[0].f32();
      for (int64_t i = 0, n = in[0].num_elements(); i < n; ++i) y[i] = f(LoadAsFloat(in[0], i), i);
      return absl::OkStatus();
    });
  }

 private:
  const F f_;
};

template <typename F>
std::unique_ptr<Op> Pointwise(F f) {
  return std::make_unique<PointwiseOp<F>>(std::move(f));
}

inline float Relu(float x) { return x > 0.f || std::isnan(x) ? x : 0.f; }

absl::StatusOr<std::unique_ptr<Op>> CreateReLU(const OpContext& ctx) {
  KGATE_RETURN_IF_ERROR(ExpectFloatUnary(ctx));
  const graph::Attributes& a = ctx.layer.attrs;
  const double slope_d = a.GetFloat("negative_slope", 0.0), threshold_d = a.GetFloat("threshold", 0.0);
  const double* max_value_d = a.Get<double>("max_value");
  const float slope = static_cast<float>(slope_d), threshold = static_cast<float>(threshold_d);
  if (slope_d != 0.0 && max_value_d == nullptr && threshold_d == 0.0) {
    return Pointwise([slope](float x, int64_t) { return x >= 0.f ? x : slope * x; });
  }
  const bool clip = max_value_d != nullptr && !(threshold_d == 0.0 && *max_value_d == 6.0);
  const bool relu6 = max_value_d != nullptr && threshold_d == 0.0 && *max_value_d == 6.0;
  const float max_value = max_value_d != nullptr ? static_cast<float>(*max_value_d) : 0.f;
  return Pointwise([=](float x, int64_t) {
    float negative = 1.f;
    if (slope_d != 0.0) negative = threshold_d != 0.0 ? Relu(-x + threshold) : Relu(-x);
    float y;
    if (threshold_d != 0.0) {
      y = x > threshold ? x : 0.f;
    } else if (relu6) {
      y = std::isnan(x) ? x : std::min(std::max(x, 0.f), 6.f);
    } else {
      y = Relu(x);
    }
    if (clip && !std::isnan(y)) y = std::min(std::max(y, 0.f), max_value);
    if (slope_d != 0.0) y -= slope * negative;
    return y;
  });
}

absl::StatusOr<std::unique_ptr<Op>> CreateLeakyReLU(const OpContext& ctx) {
  KGATE_RETURN_IF_ERROR(ExpectFloatUnary(ctx));
  const float slope = static_cast<float>(ctx.layer.attrs.GetFloat("negative_slope", 0.3));
  return Pointwise([slope](float x, int64_t) { return x >= 0.f ? x : slope * x; });
}

absl::StatusOr<std::unique_ptr<Op>> CreateELU(const OpContext& ctx) {
  KGATE_RETURN_IF_ERROR(ExpectFloatUnary(ctx));
  const float alpha = static_cast<float>(ctx.layer.attrs.GetFloat("alpha", 1.0));
  return Pointwise([alpha](float x, int64_t) { return x > 0.f ? x : alpha * std::expm1(x > 0.f ? 0.f : x); });
}

// alpha has the input's non-batch shape with shared axes set to 1; element
// i of the input uses alpha at its index with the batch and shared axes
// dropped, which a broadcast of alpha over the per-sample shape gives.
class PReLUOp final : public Op {
 public:
  PReLUOp(SharedFloats alpha, Dims alpha_shape) : alpha_(std::move(alpha)), alpha_shape_(std::move(alpha_shape)) {}
  absl::StatusOr<std::unique_ptr<PreparedOp>> Prepare(std::span<const Dims> inputs,
                                                      std::span<const Dims>) const override {
    Dims sample(inputs[0].begin() + 1, inputs[0].end());
    kernels::Broadcast plan;
    if (!kernels::MakeBroadcast(sample, alpha_shape_, sample, &plan)) {
      return absl::InvalidArgumentError(util::StrCat("alpha of shape ", graph::ShapeString(alpha_shape_),
                                                     " does not fit inputs of shape ",
                                                     graph::ShapeString(inputs[0])));
    }
    const int64_t per_sample = NumElements(sample);
    return MakePrepared([plan, per_sample, alpha = alpha_](RunContext&, std::span<const Tensor> in,
                                                          std::span<const Tensor> out) {
      const int64_t batch = per_sample == 0 ? 0 : in[0].num_elements() / per_sample;
      for (int64_t b = 0; b < batch; ++b) {
        const float* x = in[0].f32() + b * per_sample;
        kernels::ApplyBroadcast(plan, x, alpha->f32(), out[0].f32() + b * per_sample,
                                [](float v, float a) { return Relu(v) + (-a * Relu(-v)); });
      }
      return absl::OkStatus();
    });
  }

 private:
  const SharedFloats alpha_;
  const Dims alpha_shape_;
};

absl::StatusOr<std::unique_ptr<Op>> CreatePReLU(const OpContext& ctx) {
  KGATE_RETURN_IF_ERROR(ExpectFloatUnary(ctx));
  if (ctx.inputs[0].dtype != ctx.outputs[0].dtype || !IsFloatStorage(ctx.inputs[0].dtype)) {
    return OpError(ctx.layer, "only floating inputs are supported");
  }
  const graph::Weight* w = FindWeight(ctx.layer, "alpha");
  if (w == nullptr) return OpError(ctx.layer, "the variable 'alpha' is missing");
  KGATE_ASSIGN_OR_RETURN(SharedFloats alpha, CopyWeight(ctx.layer, "alpha"));
  return std::unique_ptr<Op>(std::make_unique<PReLUOp>(std::move(alpha), w->shape));
}

// Softmax over any set of axes, with an optional mask broadcast to the input.
class SoftmaxOp final : public Op {
 public:
  SoftmaxOp(std::vector<int64_t> axes, bool masked) : axes_(std::move(axes)), masked_(masked) {}

  absl::StatusOr<std::unique_ptr<PreparedOp>> Prepare(std::span<const Dims> inputs,
                                                      std::span<const Dims>) const override {
    const Dims& shape = inputs[0];
    const int64_t rank = static_cast<int64_t>(shape.size());
    std::vector<bool> reduced(shape.size(), false);
    for (int64_t a : axes_) {
      const int64_t axis = a < 0 ? a + rank : a;
      if (axis < 0 || axis >= rank) return absl::InvalidArgumentError(util::StrCat("softmax axis ", a, " out of range"));
      reduced[axis] = true;
    }
    std::vector<bool> kept(reduced.size());
    for (size_t i = 0; i < reduced.size(); ++i) kept[i] = !reduced[i];
    auto inner = std::make_shared<const std::vector<int64_t>>(kernels::AxisOffsets(shape, reduced));
    auto outer = std::make_shared<const std::vector<int64_t>>(kernels::AxisOffsets(shape, kept));
    std::optional<kernels::Broadcast> mask_plan;
    if (masked_) {
      mask_plan.emplace();
      if (!kernels::MakeBroadcast(shape, inputs[1], shape, &*mask_plan)) {
        return absl::InvalidArgumentError(util::StrCat("the mask of shape ", graph::ShapeString(inputs[1]),
                                                       " does not broadcast to the input's ",
                                                       graph::ShapeString(shape)));
      }
    }
    const bool single_axis = axes_.size() == 1;
    const int64_t n = NumElements(shape);
    return MakePrepared(
        [=](RunContext& ctx, std::span<const Tensor> in, std::span<const Tensor> out) {
          float* y = out[0].f32();
          CopyAsFloat(in[0], y);
          uint8_t* keep = static_cast<uint8_t*>(ctx.scratch());
          if (mask_plan) {
            const Tensor& m = in[1];
            if (m.dtype == util::DType::kBool) {
              kernels::ApplyBroadcast(*mask_plan, y, m.b8(), keep, [](float, uint8_t v) -> uint8_t { return v != 0; });
            } else if (m.dtype == util::DType::kInt32) {
              kernels::ApplyBroadcast(*mask_plan, y, m.i32(), keep, [](float, int32_t v) -> uint8_t { return v > 0; });
            } else {
              kernels::ApplyBroadcast(*mask_plan, y, m.f32(), keep, [](float, float v) -> uint8_t { return v > 0.5f; });
            }
            for (int64_t i = 0; i < n; ++i) {
              if (!keep[i]) y[i] = -1e9f;
            }
          }
          for (int64_t o : *outer) {
            float max = -INFINITY;
            for (int64_t j : *inner) {
              const float v = y[o + j];
              if (std::isnan(v) || v > max) max = v;
            }
            if (single_axis) {  // jax.nn.softmax
              float sum = 0.f;
              for (int64_t j : *inner) sum += (y[o + j] = std::exp(y[o + j] - max));
              for (int64_t j : *inner) y[o + j] = y[o + j] / sum;
            } else {  // exp(x - jax.scipy.special.logsumexp(x))
              if (!std::isfinite(max)) max = 0.f;
              float sum = 0.f;
              for (int64_t j : *inner) sum += std::exp(y[o + j] - max);
              const float lse = std::log(sum) + max;
              for (int64_t j : *inner) y[o + j] = std::exp(y[o + j] - lse);
            }
          }
          if (mask_plan) {
            for (int64_t i = 0; i < n; ++i) {
              if (!keep[i]) y[i] = 0.f;
            }
          }
          return absl::OkStatus();
        },
        masked_ ? n : 0);
  }

 private:
  const std::vector<int64_t> axes_;
  const bool masked_;
};

absl::StatusOr<std::unique_ptr<Op>> CreateSoftmax(const OpContext& ctx) {
  const size_t positional = PositionalCount(ctx);
  if (positional != 1 || ctx.outputs.size() != 1) return OpError(ctx.layer, "expected one input");
  if (!IsFloatStorage(ctx.outputs[0].dtype)) return OpError(ctx.layer, "only floating outputs are supported");
  bool masked = false;
  for (size_t i = positional; i < ctx.inputs.size(); ++i) {
    if (ctx.input_keywords[i] != "mask" || i != 1) {
      return OpError(ctx.layer, util::StrCat("unexpected keyword input '", ctx.input_keywords[i], "'"));
    }
    if (ctx.inputs[i].shape.size() > ctx.inputs[0].shape.size()) {
      return OpError(ctx.layer, "the mask must not have more dimensions than the input");
    }
    masked = true;
  }
  std::vector<int64_t> axes = ctx.layer.attrs.GetInts("axis");
  if (axes.empty()) return OpError(ctx.layer, "expected at least one softmax axis");
  return std::unique_ptr<Op>(std::make_unique<SoftmaxOp>(std::move(axes), masked));
}

constexpr OpSpec kSpecs[] = {
    {"ELU", CreateELU},
    {"LeakyReLU", CreateLeakyReLU},
    {"PReLU", CreatePReLU},
    {"ReLU", CreateReLU},
    {"Softmax", CreateSoftmax},
};

}  // namespace

std::span<const OpSpec> ActivationOps() { return kSpecs; }

}  // namespace kgate::engine::ops
