// Dense: y = activation(x . kernel + bias) over the last axis, every leading
// axis flattened into the rows of one oneDNN matmul. A fused epilogue
// (BatchNormalization folded by the planner) is folded once more, into the
// prepacked kernel and bias: (xW + b) * s + t = x (W s) + (b s + t). The
// activation runs as a oneDNN post-op where oneDNN computes it as Keras does
// (kernels::AsDnnlEltwise), else as a pass over the output; glu halves the
// units (Op::RefineOutputShapes) and reads the full product from scratch.
#include <memory>
#include <optional>
#include <string>

#include "engine/align.h"
#include "engine/kernels/activation.h"
#include "engine/kernels/matmul.h"
#include "engine/ops/core_internal.h"
#include "engine/ops/layer_support.h"
#include "util/status_macros.h"
#include "util/strings.h"

namespace kgate::engine::ops::core_internal {
namespace {

class DenseOp final : public Op {
 public:
  DenseOp(int64_t in, int64_t units, SharedFloats kernel, SharedFloats bias, std::string activation)
      : in_(in), units_(units), kernel_(std::move(kernel)), bias_(std::move(bias)), activation_(std::move(activation)) {}

  void RefineOutputShapes(std::span<const Dims>, std::span<Dims> outputs) const override {
    if (activation_ == "glu") HalveLastAxis(outputs);
  }

  absl::StatusOr<std::unique_ptr<PreparedOp>> Prepare(std::span<const Dims> inputs,
                                                      std::span<const Dims>) const override {
    const int64_t rows = NumElements(inputs[0]) / in_;
    const bool glu = activation_ == "glu";
    if (glu && units_ % 2 != 0) {
      return absl::InvalidArgumentError(util::StrCat("glu needs an even number of units, got ", units_));
    }
    const std::optional<kernels::DnnlEltwise> fused = kernels::AsDnnlEltwise(activation_);
    KGATE_ASSIGN_OR_RETURN(kernels::Matmul mm,
                           kernels::Matmul::Create({1, 1, rows, in_, units_, bias_ != nullptr}, fused));
    auto matmul = std::make_shared<const kernels::Matmul>(std::move(mm));
    const std::string post = fused || glu ? "linear" : activation_;
    // Scratch: the input as float32 when it is not, then (glu) the full
    // product, then the matmul's scratchpad.
    const int64_t own = AlignUp((rows * in_ + (glu ? rows * units_ : 0)) * static_cast<int64_t>(sizeof(float)));
    return MakePrepared(
        [matmul, kernel = kernel_, bias = bias_, post, glu, rows, in = in_, units = units_, own](
            RunContext& ctx, std::span<const Tensor> in_t, std::span<const Tensor> out_t) -> absl::Status {
          float* scratch = static_cast<float*>(ctx.scratch());
          const float* x = in_t[0].f32();
          if (in_t[0].dtype != util::DType::kFloat32) {
            CopyAsFloat(in_t[0], scratch);
            x = scratch;
          }
          float* y = glu ? scratch + rows * in : out_t[0].f32();
          KGATE_RETURN_IF_ERROR(matmul->Run(x, kernel->f32(), bias ? bias->f32() : nullptr, y, ctx.scratch_at(own)));
          if (glu) {
            ApplyGlu(y, rows, units, out_t[0].f32());
            return absl::OkStatus();
          }
          return kernels::ApplyActivation(post, y, rows * units, units);
        },
        own + matmul->scratchpad_bytes());
  }

 private:
  const int64_t in_, units_;
  const SharedFloats kernel_, bias_;
  const std::string activation_;
};

}  // namespace

absl::StatusOr<std::unique_ptr<Op>> CreateDense(const OpContext& ctx) {
  const graph::Layer& layer = ctx.layer;
  if (ctx.inputs.size() != 1 || ctx.outputs.size() != 1 || ctx.inputs[0].shape.size() < 2) {
    return OpError(layer, "expected one input of rank >= 2");
  }
  if (!IsFloatStorage(ctx.outputs[0].dtype)) return OpError(layer, "only floating outputs are supported");
  const int64_t in = ctx.inputs[0].shape.back();
  const int64_t units = layer.attrs.GetInt("units", 0);
  if (in <= 0 || units <= 0) {
    return OpError(layer, util::StrCat("input size ", in, " and units ", units, " must be positive"));
  }
  std::string activation = layer.attrs.GetString("activation", "linear");
  KGATE_ASSIGN_OR_RETURN(SharedFloats kernel, CopyWeight(layer, "kernel", in * units));
  SharedFloats bias;
  if (layer.attrs.GetBool("use_bias", true)) {
    KGATE_ASSIGN_OR_RETURN(bias, CopyWeight(layer, "bias", units));
  }
  if (ctx.epilogue != nullptr) {
    const Epilogue& e = *ctx.epilogue;
    if (activation != "linear") return OpError(layer, "an epilogue needs a linear activation");
    activation = e.activation;
    const bool has_scale = !e.scale.empty(), has_shift = !e.shift.empty();
    if ((has_scale && static_cast<int64_t>(e.scale.size()) != units) ||
        (has_shift && static_cast<int64_t>(e.shift.size()) != units)) {
      return OpError(layer, "the fused epilogue does not match the units");
    }
    if (has_scale) {
      std::shared_ptr<AlignedBuffer> w = NewFloats(in * units);
      for (int64_t i = 0; i < in; ++i) {
        for (int64_t c = 0; c < units; ++c) w->f32()[i * units + c] = kernel->f32()[i * units + c] * e.scale[c];
      }
      kernel = std::move(w);
    }
    if (has_scale || has_shift) {
      std::shared_ptr<AlignedBuffer> b = NewFloats(units);
      for (int64_t c = 0; c < units; ++c) {
        const float v = bias ? bias->f32()[c] : 0.f;
        b->f32()[c] = (has_scale ? v * e.scale[c] : v) + (has_shift ? e.shift[c] : 0.f);
      }
      bias = std::move(b);
    }
  }
  if (!kernels::IsSupportedActivation(activation) && activation != "glu") {
    return OpError(layer, util::StrCat("activation '", activation, "' is not supported by the engine"));
  }
  return std::unique_ptr<Op>(std::make_unique<DenseOp>(in, units, std::move(kernel), std::move(bias), activation));
}

}  // namespace kgate::engine::ops::core_internal
