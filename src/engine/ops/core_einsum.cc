// EinsumDense: activation(einsum(equation, x, kernel) + bias). The "..."
// is expanded into letters of its own. When every letter is shared by both
// operands or appears in the output (the common case: every equation Keras's
// docs and MultiHeadAttention use), the einsum is one batched matmul: x is
// transposed to (batch letters, x-only letters, contracted letters), the
// kernel is prepacked once to (batch, contracted, kernel-only), and the
// (batch, x-only, kernel-only) product is transposed to the output order if
// that differs. Letters summed out of one operand only take a direct
// reference loop. The bias broadcasts against the output as Keras's
// ops.add does.
#include <algorithm>
#include <numeric>
#include <string>
#include <vector>

#include "engine/align.h"
#include "engine/kernels/activation.h"
#include "engine/kernels/matmul.h"
#include "engine/kernels/strided.h"
#include "engine/ops/core_internal.h"
#include "engine/ops/layer_support.h"
#include "util/status_macros.h"
#include "util/strings.h"

namespace kgate::engine::ops::core_internal {
namespace {

struct Equation {
  std::string x, w, out;  // one letter per axis, "..." expanded
};

// Expands "..." (at most once per operand, as Keras's three forms allow)
// into `elided` fresh letters unused elsewhere in the equation.
absl::StatusOr<Equation> ParseEquation(const std::string& eq, int64_t x_rank) {
  const size_t comma = eq.find(','), arrow = eq.find("->");
  if (comma == std::string::npos || arrow == std::string::npos || arrow < comma) {
    return absl::InvalidArgumentError(util::StrCat("malformed einsum equation '", eq, "'"));
  }
  Equation e{eq.substr(0, comma), eq.substr(comma + 1, arrow - comma - 1), eq.substr(arrow + 2)};
  const size_t dots = e.x.find("...");
  if (dots == std::string::npos) {
    if (static_cast<int64_t>(e.x.size()) != x_rank || e.out.find("...") != std::string::npos) {
      return absl::InvalidArgumentError(util::StrCat("equation '", eq, "' does not fit an input of rank ", x_rank));
    }
    return e;
  }
  const int64_t elided = x_rank - static_cast<int64_t>(e.x.size() - 3);
  const size_t out_dots = e.out.find("...");
  if (elided < 0 || out_dots == std::string::npos || e.w.find("...") != std::string::npos) {
    return absl::InvalidArgumentError(util::StrCat("equation '", eq, "' does not fit an input of rank ", x_rank));
  }
  std::string fresh;
  for (char c = 'A'; static_cast<int64_t>(fresh.size()) < elided && c <= 'z'; ++c) {
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z')) {
      if (eq.find(c) == std::string::npos) fresh.push_back(c);
    }
  }
  if (static_cast<int64_t>(fresh.size()) < elided) return absl::InvalidArgumentError("too many elided dimensions");
  e.x.replace(dots, 3, fresh);
  e.out.replace(out_dots, 3, fresh);
  return e;
}

bool Has(const std::string& s, char c) { return s.find(c) != std::string::npos; }

std::vector<int> Positions(const std::string& of, const std::string& letters) {
  std::vector<int> p;
  for (char c : letters) p.push_back(static_cast<int>(of.find(c)));
  return p;
}

class EinsumDenseOp final : public Op {
 public:
  EinsumDenseOp(Equation eq, Dims kernel_shape, SharedFloats kernel, SharedFloats bias, Dims bias_shape,
                std::string activation)
      : eq_(std::move(eq)),
        kernel_shape_(std::move(kernel_shape)),
        kernel_(std::move(kernel)),
        bias_(std::move(bias)),
        bias_shape_(std::move(bias_shape)),
        activation_(std::move(activation)) {
    for (char c : eq_.x) {
      if (Has(eq_.w, c) && Has(eq_.out, c)) batch_.push_back(c);
    }
    for (char c : eq_.out) {
      if (Has(eq_.x, c) && !Has(eq_.w, c)) x_free_.push_back(c);
      if (Has(eq_.w, c) && !Has(eq_.x, c)) w_free_.push_back(c);
    }
    for (char c : eq_.w) {
      if (Has(eq_.x, c) && !Has(eq_.out, c)) contract_.push_back(c);
    }
    matmul_form_ = batch_.size() + x_free_.size() + contract_.size() == eq_.x.size() &&
                   batch_.size() + w_free_.size() + contract_.size() == eq_.w.size();
    if (matmul_form_) {
      // Prepack the kernel as (batch, contracted, kernel-only).
      const std::vector<int> perm = Positions(eq_.w, batch_ + contract_ + w_free_);
      std::shared_ptr<AlignedBuffer> packed = NewFloats(NumElements(kernel_shape_));
      kernels::Transpose(kernel_->data(), kernel_shape_, perm, sizeof(float), packed->data());
      packed_ = std::move(packed);
    }
  }

  absl::StatusOr<std::unique_ptr<PreparedOp>> Prepare(std::span<const Dims> inputs,
                                                      std::span<const Dims> outputs) const override {
    const Dims& xs = inputs[0];
    const Dims& ys = outputs[0];
    auto dim = [&](char c) -> int64_t {
      if (Has(eq_.x, c)) return xs[eq_.x.find(c)];
      return kernel_shape_[eq_.w.find(c)];
    };
    for (char c : eq_.w) {
      if (Has(eq_.x, c) && dim(c) != kernel_shape_[eq_.w.find(c)]) {
        return absl::InvalidArgumentError(util::StrCat("input dimension '", c, "' does not match the kernel"));
      }
    }
    kernels::Broadcast bias_plan;
    if (bias_ && !kernels::MakeBroadcast(ys, bias_shape_, ys, &bias_plan)) {
      return absl::InvalidArgumentError("the bias does not broadcast against the output");
    }
    const int64_t out_elems = NumElements(ys);
    const int64_t last = ys.empty() ? 1 : ys.back();
    auto finish = [bias_plan, bias = bias_, activation = activation_, out_elems, last](float* y) {
      if (bias) kernels::ApplyBroadcast(bias_plan, y, bias->f32(), y, [](float v, float b) { return v + b; });
      return kernels::ApplyActivation(activation, y, out_elems, last);
    };
    if (!matmul_form_) return PrepareReference(xs, ys, finish);

    auto prod = [&](const std::string& letters) {
      int64_t p = 1;
      for (char c : letters) p *= dim(c);
      return p;
    };
    const int64_t b = prod(batch_), m = prod(x_free_), k = prod(contract_), n = prod(w_free_);
    KGATE_ASSIGN_OR_RETURN(kernels::Matmul mm, kernels::Matmul::Create({b, b, m, k, n, false}));
    auto matmul = std::make_shared<const kernels::Matmul>(std::move(mm));
    const std::vector<int> x_perm = Positions(eq_.x, batch_ + x_free_ + contract_);
    const std::string mid = batch_ + x_free_ + w_free_;
    Dims mid_shape;
    for (char c : mid) mid_shape.push_back(dim(c));
    const std::vector<int> out_perm = Positions(mid, eq_.out);
    const bool x_identity = std::is_sorted(x_perm.begin(), x_perm.end());
    const bool out_identity = std::is_sorted(out_perm.begin(), out_perm.end());
    const int64_t x_elems = NumElements(xs);
    // Scratch: the transposed input, the product before its transpose, the matmul's scratchpad.
    const int64_t own = AlignUp(((x_identity ? 0 : x_elems) + (out_identity ? 0 : out_elems)) * 4);
    return MakePrepared(
        [=, packed = packed_](RunContext& ctx, std::span<const Tensor> in, std::span<const Tensor> out) {
          float* scratch_f = static_cast<float*>(ctx.scratch());
          const float* x = in[0].f32();
          if (!x_identity) {
            kernels::Transpose(x, xs, x_perm, sizeof(float), scratch_f);
            x = scratch_f;
            scratch_f += x_elems;
          }
          float* y = out_identity ? out[0].f32() : scratch_f;
          KGATE_RETURN_IF_ERROR(matmul->Run(x, packed->f32(), nullptr, y, ctx.scratch_at(own)));
          if (!out_identity) kernels::Transpose(y, mid_shape, out_perm, sizeof(float), out[0].f32());
          return finish(out[0].f32());
        },
        own + matmul->scratchpad_bytes());
  }

 private:
  template <typename Finish>
  absl::StatusOr<std::unique_ptr<PreparedOp>> PrepareReference(const Dims& xs, const Dims& ys, Finish finish) const {
    // Every letter once; for each, its stride in x, kernel and output.
    std::string letters = eq_.out;
    for (char c : eq_.x + eq_.w) {
      if (!Has(letters, c)) letters.push_back(c);
    }
    const std::vector<int64_t> xst = kernels::RowMajorStrides(xs), wst = kernels::RowMajorStrides(kernel_shape_),
                               yst = kernels::RowMajorStrides(ys);
    Dims dims;
    std::vector<int64_t> sx, sw, sy;
    for (char c : letters) {
      const size_t px = eq_.x.find(c), pw = eq_.w.find(c), py = eq_.out.find(c);
      dims.push_back(px != std::string::npos ? xs[px] : kernel_shape_[pw]);
      sx.push_back(px != std::string::npos ? xst[px] : 0);
      sw.push_back(pw != std::string::npos ? wst[pw] : 0);
      sy.push_back(py != std::string::npos ? yst[py] : 0);
    }
    const int64_t total = NumElements(dims), out_elems = NumElements(ys);
    return MakePrepared([=, kernel = kernel_](RunContext&, std::span<const Tensor> in, std::span<const Tensor> out) {
      float* y = out[0].f32();
      std::fill(y, y + out_elems, 0.f);
      std::vector<int64_t> index(dims.size(), 0);
      int64_t ox = 0, ow = 0, oy = 0;
      for (int64_t t = 0; t < total; ++t) {
        y[oy] += in[0].f32()[ox] * kernel->f32()[ow];
        for (size_t d = dims.size(); d-- > 0;) {
          ox += sx[d];
          ow += sw[d];
          oy += sy[d];
          if (++index[d] < dims[d]) break;
          ox -= sx[d] * dims[d];
          ow -= sw[d] * dims[d];
          oy -= sy[d] * dims[d];
          index[d] = 0;
        }
      }
      return finish(y);
    });
  }

  const Equation eq_;
  const Dims kernel_shape_;
  const SharedFloats kernel_, bias_;
  const Dims bias_shape_;
  const std::string activation_;
  std::string batch_, x_free_, w_free_, contract_;
  bool matmul_form_ = false;
  SharedFloats packed_;
};

}  // namespace

absl::StatusOr<std::unique_ptr<Op>> CreateEinsumDense(const OpContext& ctx) {
  const graph::Layer& layer = ctx.layer;
  if (ctx.inputs.size() != 1 || ctx.outputs.size() != 1) return OpError(layer, "expected one input");
  if (!IsFloatStorage(ctx.inputs[0].dtype) || !IsFloatStorage(ctx.outputs[0].dtype)) {
    return OpError(layer, "only floating tensors are supported");
  }
  const std::string activation = layer.attrs.GetString("activation", "linear");
  if (!kernels::IsSupportedActivation(activation)) {
    return OpError(layer, util::StrCat("activation '", activation, "' is not supported by the engine"));
  }
  auto eq = ParseEquation(layer.attrs.GetString("equation", ""), static_cast<int64_t>(ctx.inputs[0].shape.size()));
  if (!eq.ok()) return OpError(layer, util::ToStd(eq.status().message()));
  const graph::Weight* kernel_w = FindWeight(layer, "kernel");
  if (kernel_w == nullptr || kernel_w->shape.size() != eq->w.size()) {
    return OpError(layer, "the kernel is missing or does not fit the equation");
  }
  KGATE_ASSIGN_OR_RETURN(SharedFloats kernel, CopyWeight(layer, "kernel"));
  SharedFloats bias;
  Dims bias_shape;
  if (!layer.attrs.GetString("bias_axes", "").empty()) {
    const graph::Weight* b = FindWeight(layer, "bias");
    if (b == nullptr) return OpError(layer, "the variable 'bias' is missing");
    bias_shape = b->shape;
    KGATE_ASSIGN_OR_RETURN(bias, CopyWeight(layer, "bias"));
  }
  return std::unique_ptr<Op>(std::make_unique<EinsumDenseOp>(*std::move(eq), kernel_w->shape, std::move(kernel),
                                                             std::move(bias), std::move(bias_shape), activation));
}

}  // namespace kgate::engine::ops::core_internal
