// Dot: Keras's batch_dot over axes (a0, a1). The output's row-major layout
// is [batch][x's other axes][y's other axes] whatever the squeezes Keras
// does, so x is transposed to (B, M, K), y to (B, K, N), and one batched
// matmul writes the output directly. normalize=True first L2-normalises
// each operand along its axis as keras.ops.normalize does:
// x * min(rsqrt(sum(x^2)), 1 / epsilon), epsilon = 1e-7.
#include <algorithm>
#include <cmath>
#include <numeric>
#include <vector>

#include "engine/align.h"
#include "engine/kernels/matmul.h"
#include "engine/kernels/strided.h"
#include "engine/ops/layer_support.h"
#include "engine/ops/merging_internal.h"
#include "util/status_macros.h"
#include "util/strings.h"

namespace kgate::engine::ops::merging_internal {
namespace {

// x * min(rsqrt(sum of squares), 1e7) over `k` values `stride` apart.
void L2Normalize(float* x, int64_t k, int64_t stride) {
  float sum = 0.f;
  for (int64_t i = 0; i < k; ++i) sum += x[i * stride] * x[i * stride];
  const float inv = std::min(1.f / std::sqrt(sum), static_cast<float>(1.0 / 1e-7));
  for (int64_t i = 0; i < k; ++i) x[i * stride] = x[i * stride] * inv;
}

class DotOp final : public Op {
 public:
  DotOp(std::vector<int64_t> axes, bool normalize) : axes_(std::move(axes)), normalize_(normalize) {}

  absl::StatusOr<std::unique_ptr<PreparedOp>> Prepare(std::span<const Dims> inputs,
                                                      std::span<const Dims>) const override {
    const Dims& xs = inputs[0];
    const Dims& ys = inputs[1];
    const int64_t rx = static_cast<int64_t>(xs.size()), ry = static_cast<int64_t>(ys.size());
    // Keras: a negative axis is `axis % rank`; a non-negative one is used as is.
    const int64_t a0 = axes_[0] < 0 ? ((axes_[0] % rx) + rx) % rx : axes_[0];
    const int64_t a1 = axes_[1] < 0 ? ((axes_[1] % ry) + ry) % ry : axes_[1];
    if (rx < 2 || ry < 2 || a0 <= 0 || a1 <= 0 || a0 >= rx || a1 >= ry || xs[a0] != ys[a1] || xs[0] != ys[0]) {
      return absl::InvalidArgumentError(util::StrCat("Dot axes (", a0, ", ", a1, ") do not fit shapes ",
                                                     graph::ShapeString(xs), " and ", graph::ShapeString(ys)));
    }
    std::vector<int> px = {0}, py = {0, static_cast<int>(a1)};
    for (int i = 1; i < rx; ++i) {
      if (i != a0) px.push_back(i);
    }
    px.push_back(static_cast<int>(a0));
    for (int i = 1; i < ry; ++i) {
      if (i != a1) py.push_back(i);
    }
    const int64_t batch = xs[0], k = xs[a0];
    const int64_t m = NumElements(xs) / std::max<int64_t>(batch * k, 1);
    const int64_t n = NumElements(ys) / std::max<int64_t>(batch * k, 1);
    KGATE_ASSIGN_OR_RETURN(kernels::Matmul mm, kernels::Matmul::Create({batch, batch, m, k, n, false}));
    auto matmul = std::make_shared<const kernels::Matmul>(std::move(mm));
    const int64_t x_elems = NumElements(xs);
    // Scratch: both operands transposed, then the matmul's scratchpad.
    const int64_t own = AlignUp((NumElements(xs) + NumElements(ys)) * static_cast<int64_t>(sizeof(float)));
    return MakePrepared(
        [=, normalize = normalize_](RunContext& ctx, std::span<const Tensor> in, std::span<const Tensor> out) {
          float* tx = static_cast<float*>(ctx.scratch());
          float* ty = tx + x_elems;
          kernels::Transpose(in[0].data, xs, px, sizeof(float), tx);
          kernels::Transpose(in[1].data, ys, py, sizeof(float), ty);
          if (normalize) {
            for (int64_t r = 0; r < batch * m; ++r) L2Normalize(tx + r * k, k, 1);
            for (int64_t b = 0; b < batch; ++b) {
              for (int64_t j = 0; j < n; ++j) L2Normalize(ty + b * k * n + j, k, n);
            }
          }
          return matmul->Run(tx, ty, nullptr, out[0].f32(), ctx.scratch_at(own));
        },
        own + matmul->scratchpad_bytes());
  }

 private:
  const std::vector<int64_t> axes_;
  const bool normalize_;
};

}  // namespace

absl::StatusOr<std::unique_ptr<Op>> CreateDot(const OpContext& ctx) {
  if (PositionalCount(ctx) != 2 || ctx.inputs.size() != 2 || ctx.outputs.size() != 1) {
    return OpError(ctx.layer, "Dot takes exactly 2 inputs");
  }
  for (const graph::TensorSpec& s : {ctx.inputs[0], ctx.inputs[1], ctx.outputs[0]}) {
    if (!IsFloatStorage(s.dtype)) return OpError(ctx.layer, "only floating tensors are supported");
  }
  std::vector<int64_t> axes = ctx.layer.attrs.GetInts("axes");
  if (axes.size() == 1) axes.push_back(axes[0]);
  if (axes.size() != 2) return OpError(ctx.layer, "expected one or two axes");
  return std::unique_ptr<Op>(std::make_unique<DotOp>(std::move(axes), ctx.layer.attrs.GetBool("normalize", false)));
}

}  // namespace kgate::engine::ops::merging_internal
