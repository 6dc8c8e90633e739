// Normalization ops, each in Keras's own float32 formula (JAX backend):
//   BatchNormalization (inference, when fusion did not fold it):
//     inv = rsqrt(var + eps) * gamma, y = x * inv + (beta - mean * inv)
//   LayerNormalization: over the axes, inv = rsqrt(var + eps) * gamma,
//     y = x * inv + (beta - mean * inv); rms_scaling: y = x * rsqrt(var +
//     eps) * gamma (Keras's deprecated form scales by the variance)
//   GroupNormalization: the same over (every non-batch axis, the channels of
//     one group)
//   UnitNormalization: y = x * min(rsqrt(sum(x^2)), 1e12)
// Statistics are accumulated in double (XLA sums float32 in a tree, so both
// land within rounding of the exact value). LayerNormalization's gamma and
// beta are indexed in row-major order over the normalized axes in increasing
// axis order, as Keras reshapes (not transposes) them to the broadcast shape.
#include <algorithm>
#include <cmath>
#include <memory>
#include <numeric>
#include <utility>
#include <vector>

#include "engine/kernels/transpose.h"
#include "engine/op_registry.h"
#include "engine/ops/layer_support.h"
#include "engine/kernels/omp_threads.h"
#include "util/status_macros.h"
#include "util/strings.h"

namespace kgate::engine::ops {
namespace {

// The values of weight `name`, or empty when the layer has none.
std::vector<float> WeightValues(const graph::Layer& layer, std::string_view name) {
  const graph::Weight* w = FindWeight(layer, name);
  return w == nullptr ? std::vector<float>{} : w->values;
}

inline float Rsqrt(float v) { return 1.f / std::sqrt(v); }

// A float input 0, then only keyword inputs named "mask" (Keras passes the
// mask on; normalization at inference ignores it).
absl::Status OnlyMaskKeywords(const OpContext& ctx) {
  if (ctx.inputs.empty() || !IsFloatStorage(ctx.inputs[0].dtype)) {
    return OpError(ctx.layer, "expects a floating-point input");
  }
  for (size_t i = 1; i < ctx.input_keywords.size(); ++i) {
    if (ctx.input_keywords[i] != "mask") {
      return OpError(ctx.layer, util::StrCat("unexpected input '", ctx.input_keywords[i], "'"));
    }
  }
  return absl::OkStatus();
}

// ---- BatchNormalization ----

absl::StatusOr<std::unique_ptr<Op>> CreateBatchNorm(const OpContext& ctx) {
  KGATE_RETURN_IF_ERROR(OnlyMaskKeywords(ctx));
  const graph::Layer& layer = ctx.layer;
  const std::vector<float> mean = WeightValues(layer, "moving_mean");
  const std::vector<float> var = WeightValues(layer, "moving_variance");
  const std::vector<float> gamma = WeightValues(layer, "gamma");
  const std::vector<float> beta = WeightValues(layer, "beta");
  const size_t channels = mean.size();
  if (channels == 0 || var.size() != channels || (!gamma.empty() && gamma.size() != channels) ||
      (!beta.empty() && beta.size() != channels)) {
    return OpError(layer, "moving_mean, moving_variance, gamma and beta must have one value per channel");
  }
  const auto eps = static_cast<float>(layer.attrs.GetFloat("epsilon", 1e-3));
  std::vector<float> inv(channels), res(channels);
  for (size_t c = 0; c < channels; ++c) {
    inv[c] = Rsqrt(var[c] + eps);
    if (!gamma.empty()) inv[c] *= gamma[c];
    res[c] = -mean[c] * inv[c];
    if (!beta.empty()) res[c] += beta[c];
  }
  const int64_t axis = layer.attrs.GetInt("axis", -1);

  class BatchNormOp final : public Op {
   public:
    BatchNormOp(int64_t axis, std::vector<float> inv, std::vector<float> res)
        : axis_(axis), inv_(std::move(inv)), res_(std::move(res)) {}
    absl::StatusOr<std::unique_ptr<PreparedOp>> Prepare(std::span<const Dims> in,
                                                        std::span<const Dims>) const override {
      const auto rank = static_cast<int64_t>(in[0].size());
      const int64_t axis = axis_ < 0 ? axis_ + rank : axis_;
      if (axis < 0 || axis >= rank || in[0][axis] != static_cast<int64_t>(inv_.size())) {
        return absl::InternalError("BatchNormalization: the axis does not match the moving statistics");
      }
      int64_t outer = 1, inner = 1;
      for (int64_t a = 0; a < axis; ++a) outer *= in[0][a];
      for (int64_t a = axis + 1; a < rank; ++a) inner *= in[0][a];
      return MakePrepared([inv = inv_, res = res_, outer, inner](RunContext&, std::span<const Tensor> in,
                                                                  std::span<const Tensor> out) {
        const auto channels = static_cast<int64_t>(inv.size());
        const float* x = in[0].f32();
        float* y = out[0].f32();
#pragma omp parallel for schedule(static) if (kernels::ParallelOverElements(outer * channels * inner))
        for (int64_t o = 0; o < outer; ++o) {
          for (int64_t c = 0; c < channels; ++c) {
            const int64_t base = (o * channels + c) * inner;
            for (int64_t i = 0; i < inner; ++i) y[base + i] = x[base + i] * inv[c] + res[c];
          }
        }
        return absl::OkStatus();
      });
    }

   private:
    int64_t axis_;
    std::vector<float> inv_, res_;
  };
  return std::unique_ptr<Op>(new BatchNormOp(axis, std::move(inv), std::move(res)));
}

// ---- LayerNormalization and UnitNormalization ----

// A reduction over a set of axes, arranged so that the reduced elements of
// one group are rows of `length` contiguous values: the normalized axes are
// moved last (a transpose through scratch) unless they already are.
struct RowLayout {
  std::vector<int> to_rows;    // permutation input -> rows; empty when none is needed
  std::vector<int> from_rows;  // its inverse
  Dims rows_dims;              // the permuted shape
  int64_t rows = 0, length = 0;
};

absl::StatusOr<RowLayout> MakeRowLayout(const Dims& dims, const std::vector<int64_t>& raw_axes) {
  const auto rank = static_cast<int64_t>(dims.size());
  std::vector<bool> reduced(dims.size(), false);
  for (int64_t a : raw_axes) {
    const int64_t axis = a < 0 ? a + rank : a;
    if (axis < 0 || axis >= rank) return absl::InternalError("normalization axis out of range");
    reduced[axis] = true;
  }
  RowLayout r;
  std::vector<int> perm;
  for (int64_t a = 0; a < rank; ++a) {
    if (!reduced[a]) perm.push_back(static_cast<int>(a));
  }
  for (int64_t a = 0; a < rank; ++a) {
    if (reduced[a]) perm.push_back(static_cast<int>(a));
  }
  r.length = 1;
  for (int64_t a = 0; a < rank; ++a) {
    if (reduced[a]) r.length *= dims[a];
  }
  r.rows = r.length == 0 ? 0 : NumElements(dims) / r.length;
  bool identity = true;
  for (size_t i = 0; i < perm.size(); ++i) identity = identity && perm[i] == static_cast<int>(i);
  if (!identity) {
    r.to_rows = perm;
    r.from_rows.resize(perm.size());
    for (size_t i = 0; i < perm.size(); ++i) {
      r.from_rows[perm[i]] = static_cast<int>(i);
      r.rows_dims.push_back(dims[perm[i]]);
    }
  }
  return r;
}

// Runs `per_row(row_in, row_out)` over every row, transposing into and out
// of scratch when the layout needs it.
template <typename PerRow>
void ForEachRow(const RowLayout& r, const Tensor& x, const Tensor& y, void* scratch, const PerRow& per_row) {
  const float* src = x.f32();
  float* dst = y.f32();
  float* in_rows = static_cast<float*>(scratch);
  float* out_rows = in_rows + r.rows * r.length;
  if (!r.to_rows.empty()) {
    kernels::Transpose(src, in_rows, x.shape, r.to_rows, sizeof(float));
    src = in_rows;
    dst = out_rows;
  }
#pragma omp parallel for schedule(static) if (kernels::ParallelOverElements(r.rows * r.length))
  for (int64_t i = 0; i < r.rows; ++i) per_row(src + i * r.length, dst + i * r.length);
  if (!r.to_rows.empty()) kernels::Transpose(out_rows, y.f32(), r.rows_dims, r.from_rows, sizeof(float));
}

// An op over rows of the normalized axes: `Row` is called with (in, out,
// length) for each row.
template <typename Row>
class RowOp final : public Op {
 public:
  RowOp(std::vector<int64_t> axes, Row row) : axes_(std::move(axes)), row_(std::move(row)) {}
  absl::StatusOr<std::unique_ptr<PreparedOp>> Prepare(std::span<const Dims> in, std::span<const Dims>) const override {
    KGATE_ASSIGN_OR_RETURN(RowLayout layout, MakeRowLayout(in[0], axes_));
    KGATE_RETURN_IF_ERROR(row_.Check(layout.length));
    const int64_t scratch = layout.to_rows.empty() ? 0 : 2 * NumElements(in[0]) * static_cast<int64_t>(sizeof(float));
    return MakePrepared(
        [row = row_, layout](RunContext& ctx, std::span<const Tensor> in, std::span<const Tensor> out) {
          ForEachRow(layout, in[0], out[0], ctx.scratch(),
                     [&](const float* x, float* y) { row(x, y, layout.length); });
          return absl::OkStatus();
        },
        scratch);
  }

 private:
  std::vector<int64_t> axes_;
  Row row_;
};

// Mean and (population) variance of n values, in double.
std::pair<double, double> Moments(const float* x, int64_t n) {
  double sum = 0;
  for (int64_t i = 0; i < n; ++i) sum += x[i];
  const double mean = sum / static_cast<double>(n);
  double sq = 0;
  for (int64_t i = 0; i < n; ++i) sq += (x[i] - mean) * (x[i] - mean);
  return {mean, sq / static_cast<double>(n)};
}

struct LayerNormRow {
  float eps;
  bool rms;
  std::vector<float> gamma, beta;  // empty = none

  absl::Status Check(int64_t length) const {
    if ((!gamma.empty() && static_cast<int64_t>(gamma.size()) != length) ||
        (!beta.empty() && static_cast<int64_t>(beta.size()) != length)) {
      return absl::InternalError("LayerNormalization: gamma/beta do not match the normalized axes");
    }
    return absl::OkStatus();
  }
  void operator()(const float* x, float* y, int64_t n) const {
    const auto [mean64, var64] = Moments(x, n);
    const auto mean = static_cast<float>(mean64);
    const float r = Rsqrt(static_cast<float>(var64) + eps);
    if (rms) {
      for (int64_t i = 0; i < n; ++i) y[i] = gamma.empty() ? x[i] * r : x[i] * r * gamma[i];
      return;
    }
    for (int64_t i = 0; i < n; ++i) {
      const float inv = gamma.empty() ? r : r * gamma[i];
      float res = -mean * inv;
      if (!beta.empty()) res += beta[i];
      y[i] = x[i] * inv + res;
    }
  }
};

absl::StatusOr<std::unique_ptr<Op>> CreateLayerNorm(const OpContext& ctx) {
  KGATE_RETURN_IF_ERROR(OnlyMaskKeywords(ctx));
  const graph::Layer& layer = ctx.layer;
  LayerNormRow row{static_cast<float>(layer.attrs.GetFloat("epsilon", 1e-3)),
                   layer.attrs.GetBool("rms_scaling", false), WeightValues(layer, "gamma"),
                   WeightValues(layer, "beta")};
  if (row.rms) row.beta.clear();
  std::vector<int64_t> axes = layer.attrs.GetInts("axis");
  if (axes.empty()) return OpError(layer, "axis must name at least one axis");
  return std::unique_ptr<Op>(new RowOp<LayerNormRow>(std::move(axes), std::move(row)));
}

struct UnitNormRow {
  absl::Status Check(int64_t) const { return absl::OkStatus(); }
  void operator()(const float* x, float* y, int64_t n) const {
    double sq = 0;
    for (int64_t i = 0; i < n; ++i) sq += static_cast<double>(x[i]) * x[i];
    // keras.ops.normalize: x * minimum(rsqrt(sum(x^2)), 1 / 1e-12).
    const float inv = std::min(Rsqrt(static_cast<float>(sq)), 1e12f);
    for (int64_t i = 0; i < n; ++i) y[i] = x[i] * inv;
  }
};

absl::StatusOr<std::unique_ptr<Op>> CreateUnitNorm(const OpContext& ctx) {
  KGATE_RETURN_IF_ERROR(OnlyMaskKeywords(ctx));
  std::vector<int64_t> axes = ctx.layer.attrs.GetInts("axis");
  if (axes.empty()) axes = {ctx.layer.attrs.GetInt("axis", -1)};
  return std::unique_ptr<Op>(new RowOp<UnitNormRow>(std::move(axes), UnitNormRow{}));
}

// ---- GroupNormalization ----

absl::StatusOr<std::unique_ptr<Op>> CreateGroupNorm(const OpContext& ctx) {
  KGATE_RETURN_IF_ERROR(OnlyMaskKeywords(ctx));
  const graph::Layer& layer = ctx.layer;
  struct Params {
    int64_t groups, axis;
    float eps;
    std::vector<float> gamma, beta;
  };
  Params p{layer.attrs.GetInt("groups", 0), layer.attrs.GetInt("axis", -1),
           static_cast<float>(layer.attrs.GetFloat("epsilon", 1e-3)), WeightValues(layer, "gamma"),
           WeightValues(layer, "beta")};
  if (p.groups < 1) return OpError(layer, "groups must be >= 1 once built");

  class GroupNormOp final : public Op {
   public:
    explicit GroupNormOp(Params p) : p_(std::move(p)) {}
    absl::StatusOr<std::unique_ptr<PreparedOp>> Prepare(std::span<const Dims> in,
                                                        std::span<const Dims>) const override {
      const Dims& d = in[0];
      const auto rank = static_cast<int64_t>(d.size());
      const int64_t axis = p_.axis < 0 ? p_.axis + rank : p_.axis;
      if (axis < 1 || axis >= rank || d[axis] % p_.groups != 0 ||
          (!p_.gamma.empty() && static_cast<int64_t>(p_.gamma.size()) != d[axis]) ||
          (!p_.beta.empty() && static_cast<int64_t>(p_.beta.size()) != d[axis])) {
        return absl::InternalError("GroupNormalization: the channel axis does not match groups/gamma/beta");
      }
      // (batch, outer, channels, inner)
      int64_t outer = 1, inner = 1;
      for (int64_t a = 1; a < axis; ++a) outer *= d[a];
      for (int64_t a = axis + 1; a < rank; ++a) inner *= d[a];
      const int64_t batch = d[0], channels = d[axis];
      return MakePrepared([p = p_, batch, outer, channels, inner](RunContext&, std::span<const Tensor> in,
                                                                  std::span<const Tensor> out) {
        const int64_t per_group = channels / p.groups;
        const float* x = in[0].f32();
        float* y = out[0].f32();
#pragma omp parallel for collapse(2) schedule(static) if (kernels::ParallelOverElements(batch * outer * channels * inner))
        for (int64_t n = 0; n < batch; ++n) {
          for (int64_t g = 0; g < p.groups; ++g) {
            const float* xb = x + n * outer * channels * inner;
            float* yb = y + n * outer * channels * inner;
            auto each = [&](auto&& f) {
              for (int64_t o = 0; o < outer; ++o) {
                for (int64_t c = g * per_group; c < (g + 1) * per_group; ++c) {
                  const int64_t base = (o * channels + c) * inner;
                  for (int64_t i = 0; i < inner; ++i) f(base + i, c);
                }
              }
            };
            double sum = 0;
            each([&](int64_t k, int64_t) { sum += xb[k]; });
            const double count = static_cast<double>(outer * per_group * inner);
            const double mean64 = sum / count;
            double sq = 0;
            each([&](int64_t k, int64_t) { sq += (xb[k] - mean64) * (xb[k] - mean64); });
            const auto mean = static_cast<float>(mean64);
            const float r = Rsqrt(static_cast<float>(sq / count) + p.eps);
            each([&](int64_t k, int64_t c) {
              const float inv = p.gamma.empty() ? r : r * p.gamma[c];
              float res = -mean * inv;
              if (!p.beta.empty()) res += p.beta[c];
              yb[k] = xb[k] * inv + res;
            });
          }
        }
        return absl::OkStatus();
      });
    }

   private:
    Params p_;
  };
  return std::unique_ptr<Op>(new GroupNormOp(std::move(p)));
}

constexpr OpSpec kSpecs[] = {
    {"BatchNormalization", &CreateBatchNorm},
    {"LayerNormalization", &CreateLayerNorm},
    {"GroupNormalization", &CreateGroupNorm},
    {"UnitNormalization", &CreateUnitNorm},
};

}  // namespace

std::span<const OpSpec> NormalizationOps() { return kSpecs; }

}  // namespace kgate::engine::ops
