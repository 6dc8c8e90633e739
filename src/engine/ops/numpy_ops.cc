// keras.ops nodes recorded in functional graphs ("ops.numpy.*", see
// keras/layers/numpy_ops.cc) and the two keras.applications layer classes
// that are plain arithmetic: LayerScale (x * gamma) and CustomScaleLayer
// (x + r * scale).
//
// Binary ops broadcast as numpy does and compute in the type JAX promotes
// to: an int32 tensor with a Python float is float32 (Keras's weak scalar
// typing), TrueDivide is always float32, Equal/NotEqual write bool bytes.
// Integer arithmetic wraps as XLA's does. The loader records a Python-number
// operand as call_args "scalar" without its position, which only matters for
// Subtract and TrueDivide: those are refused with a scalar unless the node
// says where it sat ("scalar_index" 0 or 1).
#include <cmath>
#include <cstring>
#include <optional>
#include <vector>

#include "engine/kernels/strided.h"
#include "engine/op_registry.h"
#include "engine/ops/layer_support.h"
#include "util/status_macros.h"
#include "util/strings.h"

namespace kgate::engine::ops {
namespace {

enum class BinaryKind { kAdd, kSubtract, kMultiply, kTrueDivide, kEqual, kNotEqual };

int32_t WrapInt(int64_t v) { return static_cast<int32_t>(static_cast<uint32_t>(static_cast<uint64_t>(v))); }

template <typename T>
auto Apply(BinaryKind kind, T a, T b) {
  if constexpr (std::is_same_v<T, int32_t>) {
    switch (kind) {
      case BinaryKind::kAdd: return WrapInt(static_cast<int64_t>(a) + b);
      case BinaryKind::kSubtract: return WrapInt(static_cast<int64_t>(a) - b);
      case BinaryKind::kMultiply: return WrapInt(static_cast<int64_t>(a) * b);
      default: return int32_t{0};
    }
  } else {
    switch (kind) {
      case BinaryKind::kAdd: return a + b;
      case BinaryKind::kSubtract: return a - b;
      case BinaryKind::kMultiply: return a * b;
      case BinaryKind::kTrueDivide: return a / b;
      default: return 0.f;
    }
  }
}

// One operand: an input tensor, or the node's Python number.
struct Operand {
  int input = -1;  // index into the op's inputs; -1 = the scalar
  double scalar = 0;
};

class BinaryOp final : public Op {
 public:
  // `compute` is float32 or int32: the type both operands are converted to.
  BinaryOp(BinaryKind kind, Operand a, Operand b, util::DType compute)
      : kind_(kind), a_(a), b_(b), compute_(compute) {}

  absl::StatusOr<std::unique_ptr<PreparedOp>> Prepare(std::span<const Dims> inputs,
                                                      std::span<const Dims> outputs) const override {
    const Dims a_shape = a_.input >= 0 ? inputs[a_.input] : Dims{};
    const Dims b_shape = b_.input >= 0 ? inputs[b_.input] : Dims{};
    kernels::Broadcast plan;
    if (!kernels::MakeBroadcast(a_shape, b_shape, outputs[0], &plan)) {
      return absl::InvalidArgumentError(util::StrCat("shapes ", graph::ShapeString(a_shape), " and ",
                                                     graph::ShapeString(b_shape), " do not broadcast to ",
                                                     graph::ShapeString(outputs[0])));
    }
    const int64_t na = NumElements(a_shape), nb = NumElements(b_shape);
    return MakePrepared(
        [plan, na, nb, kind = kind_, a = a_, b = b_, compute = compute_](
            RunContext& ctx, std::span<const Tensor> in, std::span<const Tensor> out) {
          // Operands in the compute type, converted into scratch where needed.
          auto* scratch = static_cast<uint8_t*>(ctx.scratch());
          auto operand = [&](const Operand& o, int64_t n, int64_t slot) -> const void* {
            void* dst = scratch + slot * 4;
            if (o.input < 0) {
              if (compute == util::DType::kInt32) {
                *static_cast<int32_t*>(dst) = static_cast<int32_t>(o.scalar);
              } else {
                *static_cast<float*>(dst) = static_cast<float>(o.scalar);
              }
              return dst;
            }
            const Tensor& t = in[o.input];
            if (t.dtype == compute) return t.data;
            for (int64_t i = 0; i < n; ++i) {
              if (compute == util::DType::kInt32) {
                static_cast<int32_t*>(dst)[i] = t.dtype == util::DType::kBool ? t.b8()[i] : t.i32()[i];
              } else {
                static_cast<float*>(dst)[i] = LoadAsFloat(t, i);
              }
            }
            return dst;
          };
          const void* pa = operand(a, na, 0);
          const void* pb = operand(b, nb, na);
          const Tensor& y = out[0];
          const bool compare = kind == BinaryKind::kEqual || kind == BinaryKind::kNotEqual;
          const bool equal = kind == BinaryKind::kEqual;
          if (compute == util::DType::kInt32) {
            const auto* x1 = static_cast<const int32_t*>(pa);
            const auto* x2 = static_cast<const int32_t*>(pb);
            if (compare) {
              kernels::ApplyBroadcast(plan, x1, x2, y.b8(), [equal](int32_t u, int32_t v) -> uint8_t { return (u == v) == equal; });
            } else {
              kernels::ApplyBroadcast(plan, x1, x2, y.i32(), [kind](int32_t u, int32_t v) { return Apply(kind, u, v); });
            }
          } else {
            const auto* x1 = static_cast<const float*>(pa);
            const auto* x2 = static_cast<const float*>(pb);
            if (compare) {
              kernels::ApplyBroadcast(plan, x1, x2, y.b8(), [equal](float u, float v) -> uint8_t { return (u == v) == equal; });
            } else {
              kernels::ApplyBroadcast(plan, x1, x2, y.f32(), [kind](float u, float v) { return Apply(kind, u, v); });
            }
          }
          return absl::OkStatus();
        },
        (std::max<int64_t>(na, 1) + std::max<int64_t>(nb, 1)) * 4);
  }

 private:
  const BinaryKind kind_;
  const Operand a_, b_;
  const util::DType compute_;
};

template <BinaryKind kKind>
absl::StatusOr<std::unique_ptr<Op>> CreateBinary(const OpContext& ctx) {
  const graph::Attributes& call = ctx.node.call_args;
  const bool has_scalar = call.Has("scalar");
  const size_t tensors = has_scalar ? 1 : 2;
  if (ctx.inputs.size() != tensors || PositionalCount(ctx) != tensors || ctx.outputs.size() != 1) {
    return OpError(ctx.layer, util::StrCat("expected ", tensors, " tensor operand(s)"));
  }
  Operand a{0}, b{1};
  bool float_scalar = false;
  if (has_scalar) {
    const int64_t* i = call.Get<int64_t>("scalar");
    const double* d = call.Get<double>("scalar");
    if (i == nullptr && d == nullptr) return OpError(ctx.layer, "the non-tensor operand must be a number");
    float_scalar = i == nullptr;
    const Operand s{-1, i != nullptr ? static_cast<double>(*i) : *d};
    int64_t index = call.GetInt("scalar_index", -1);
    if (index < 0) {
      if (kKind == BinaryKind::kSubtract || kKind == BinaryKind::kTrueDivide) {
        return OpError(ctx.layer, "the model does not record whether the number is the first or the second operand");
      }
      index = 1;  // commutative: the order does not matter
    }
    a = index == 0 ? s : Operand{0};
    b = index == 0 ? Operand{0} : s;
  }
  const util::DType out = StorageType(ctx.outputs[0].dtype);
  const bool compare = kKind == BinaryKind::kEqual || kKind == BinaryKind::kNotEqual;
  util::DType compute = util::DType::kFloat32;
  if (compare) {
    if (out != util::DType::kBool) return OpError(ctx.layer, "a comparison must give bool");
    if (StorageType(ctx.inputs[0].dtype) != util::DType::kFloat32 && !float_scalar) compute = util::DType::kInt32;
  } else {
    if (out == util::DType::kBool) return OpError(ctx.layer, "bool arithmetic is not supported");
    compute = out;
  }
  if (compute == util::DType::kInt32 && has_scalar &&
      (call.Get<int64_t>("scalar") == nullptr || *call.Get<int64_t>("scalar") != static_cast<int32_t>(*call.Get<int64_t>("scalar")))) {
    return OpError(ctx.layer, "the integer operand does not fit int32");
  }
  return std::unique_ptr<Op>(std::make_unique<BinaryOp>(kKind, a, b, compute));
}

// Any / All over `axis` (empty = every axis): a value counts as true when it
// is not zero (NaN is true, as in numpy).
template <bool kAny>
absl::StatusOr<std::unique_ptr<Op>> CreateReduction(const OpContext& ctx) {
  if (ctx.inputs.size() != 1 || ctx.outputs.size() != 1) return OpError(ctx.layer, "expected one input");
  const int64_t rank = static_cast<int64_t>(ctx.inputs[0].shape.size());
  std::vector<bool> reduced(static_cast<size_t>(rank), false);
  const std::vector<int64_t> axes = ctx.layer.attrs.GetInts("axis");
  if (axes.empty()) reduced.assign(reduced.size(), true);
  for (int64_t a : axes) {
    const int64_t axis = a < 0 ? a + rank : a;
    if (axis < 0 || axis >= rank) return OpError(ctx.layer, util::StrCat("axis ", a, " out of range"));
    reduced[axis] = true;
  }
  class ReductionOp final : public Op {
   public:
    explicit ReductionOp(std::vector<bool> reduced) : reduced_(std::move(reduced)) {}
    absl::StatusOr<std::unique_ptr<PreparedOp>> Prepare(std::span<const Dims> in, std::span<const Dims>) const override {
      std::vector<bool> kept(reduced_.size());
      for (size_t i = 0; i < kept.size(); ++i) kept[i] = !reduced_[i];
      auto inner = std::make_shared<const std::vector<int64_t>>(kernels::AxisOffsets(in[0], reduced_));
      auto outer = std::make_shared<const std::vector<int64_t>>(kernels::AxisOffsets(in[0], kept));
      return MakePrepared([inner, outer](RunContext&, std::span<const Tensor> x, std::span<const Tensor> y) {
        const Tensor& t = x[0];
        auto truthy = [&t](int64_t i) {
          switch (t.dtype) {
            case util::DType::kBool: return t.b8()[i] != 0;
            case util::DType::kInt32: return t.i32()[i] != 0;
            default: return t.f32()[i] != 0.f;
          }
        };
        if (t.num_elements() == 0) {
          std::memset(y[0].data, kAny ? 0 : 1, static_cast<size_t>(y[0].num_elements()));
          return absl::OkStatus();
        }
        for (size_t o = 0; o < outer->size(); ++o) {
          bool acc = !kAny;
          for (int64_t j : *inner) {
            if (truthy((*outer)[o] + j) == kAny) {
              acc = kAny;
              break;
            }
          }
          y[0].b8()[o] = acc ? 1 : 0;
        }
        return absl::OkStatus();
      });
    }

   private:
    const std::vector<bool> reduced_;
  };
  return std::unique_ptr<Op>(std::make_unique<ReductionOp>(std::move(reduced)));
}

// LayerScale (convnext): x * gamma, gamma of projection_dim values
// broadcast against x's last axis.
absl::StatusOr<std::unique_ptr<Op>> CreateLayerScale(const OpContext& ctx) {
  if (ctx.inputs.size() != 1 || ctx.outputs.size() != 1) return OpError(ctx.layer, "expected one input");
  if (!IsFloatStorage(ctx.outputs[0].dtype)) return OpError(ctx.layer, "only floating outputs are supported");
  const int64_t dim = ctx.layer.attrs.GetInt("projection_dim", 0);
  KGATE_ASSIGN_OR_RETURN(SharedFloats gamma, CopyWeight(ctx.layer, "variable", dim));
  class LayerScaleOp final : public Op {
   public:
    LayerScaleOp(SharedFloats gamma, int64_t dim) : gamma_(std::move(gamma)), dim_(dim) {}
    absl::StatusOr<std::unique_ptr<PreparedOp>> Prepare(std::span<const Dims> in,
                                                        std::span<const Dims> out) const override {
      kernels::Broadcast plan;
      if (!kernels::MakeBroadcast(in[0], Dims{dim_}, out[0], &plan)) {
        return absl::InvalidArgumentError("gamma does not broadcast against the input");
      }
      return MakePrepared([plan, gamma = gamma_](RunContext& ctx, std::span<const Tensor> x, std::span<const Tensor> y) {
        const float* xs = x[0].f32();
        if (x[0].dtype != util::DType::kFloat32) {
          CopyAsFloat(x[0], static_cast<float*>(ctx.scratch()));
          xs = static_cast<const float*>(ctx.scratch());
        }
        kernels::ApplyBroadcast(plan, xs, gamma->f32(), y[0].f32(), [](float a, float g) { return a * g; });
        return absl::OkStatus();
      }, NumElements(in[0]) * 4);
    }

   private:
    const SharedFloats gamma_;
    const int64_t dim_;
  };
  return std::unique_ptr<Op>(std::make_unique<LayerScaleOp>(std::move(gamma), dim));
}

// CustomScaleLayer (inception_resnet_v2): inputs[0] + inputs[1] * scale.
absl::StatusOr<std::unique_ptr<Op>> CreateCustomScale(const OpContext& ctx) {
  if (ctx.inputs.size() != 2 || ctx.outputs.size() != 1) return OpError(ctx.layer, "expected two inputs");
  for (const graph::TensorSpec& s : {ctx.inputs[0], ctx.inputs[1], ctx.outputs[0]}) {
    if (!IsFloatStorage(s.dtype)) return OpError(ctx.layer, "only floating tensors are supported");
  }
  const float scale = static_cast<float>(ctx.layer.attrs.GetFloat("scale", 1.0));
  class CustomScaleOp final : public Op {
   public:
    explicit CustomScaleOp(float scale) : scale_(scale) {}
    absl::StatusOr<std::unique_ptr<PreparedOp>> Prepare(std::span<const Dims> in,
                                                        std::span<const Dims> out) const override {
      kernels::Broadcast plan;
      if (!kernels::MakeBroadcast(in[0], in[1], out[0], &plan)) {
        return absl::InvalidArgumentError("the inputs do not broadcast");
      }
      return MakePrepared([plan, s = scale_](RunContext&, std::span<const Tensor> x, std::span<const Tensor> y) {
        kernels::ApplyBroadcast(plan, x[0].f32(), x[1].f32(), y[0].f32(), [s](float a, float r) { return a + r * s; });
        return absl::OkStatus();
      });
    }

   private:
    const float scale_;
  };
  return std::unique_ptr<Op>(std::make_unique<CustomScaleOp>(scale));
}

constexpr OpSpec kSpecs[] = {
    {"CustomScaleLayer", CreateCustomScale},
    {"LayerScale", CreateLayerScale},
    {"ops.numpy.Add", CreateBinary<BinaryKind::kAdd>},
    {"ops.numpy.All", CreateReduction<false>},
    {"ops.numpy.Any", CreateReduction<true>},
    {"ops.numpy.Equal", CreateBinary<BinaryKind::kEqual>},
    {"ops.numpy.Multiply", CreateBinary<BinaryKind::kMultiply>},
    {"ops.numpy.NotEqual", CreateBinary<BinaryKind::kNotEqual>},
    {"ops.numpy.Subtract", CreateBinary<BinaryKind::kSubtract>},
    {"ops.numpy.TrueDivide", CreateBinary<BinaryKind::kTrueDivide>},
};

}  // namespace

std::span<const OpSpec> NumpyOps() { return kSpecs; }

}  // namespace kgate::engine::ops
