// Merge layers (keras/layers/merging.cc). Add, Subtract, Multiply, Average,
// Maximum and Minimum follow Keras's Merge.call: lower-rank inputs get size-1
// axes inserted after the batch axis, then the binary op folds left to right
// with numpy broadcasting (Average sums, then divides by the count; Maximum
// and Minimum propagate NaN as jnp.maximum does). Concatenate copies blocks;
// Dot is Keras's batch_dot (merging_dot.cc).
#include <algorithm>
#include <cmath>
#include <cstring>
#include <string>

#include "engine/kernels/strided.h"
#include "engine/op_registry.h"
#include "engine/ops/layer_support.h"
#include "engine/ops/merging_internal.h"
#include "util/status_macros.h"
#include "util/strings.h"

namespace kgate::engine::ops {
namespace {

enum class MergeKind { kAdd, kSubtract, kMultiply, kAverage, kMaximum, kMinimum };

template <typename T>
T Combine(MergeKind kind, T a, T b) {
  switch (kind) {
    case MergeKind::kAdd:
    case MergeKind::kAverage: return a + b;
    case MergeKind::kSubtract: return a - b;
    case MergeKind::kMultiply: return a * b;
    case MergeKind::kMaximum:
      if constexpr (std::is_floating_point_v<T>) {
        if (std::isnan(a) || std::isnan(b)) return std::isnan(a) ? a : b;
      }
      return a > b ? a : b;
    case MergeKind::kMinimum:
      if constexpr (std::is_floating_point_v<T>) {
        if (std::isnan(a) || std::isnan(b)) return std::isnan(a) ? a : b;
      }
      return a < b ? a : b;
  }
  return a;
}

class ElementwiseMergeOp final : public Op {
 public:
  ElementwiseMergeOp(MergeKind kind, util::DType storage, size_t count)
      : kind_(kind), storage_(storage), count_(count) {}

  absl::StatusOr<std::unique_ptr<PreparedOp>> Prepare(std::span<const Dims> all_inputs,
                                                      std::span<const Dims> outputs) const override {
    const std::span<const Dims> inputs = all_inputs.first(count_);
    const Dims& out = outputs[0];
    // Merge.call's reshape: expand each input at axis 1 up to the output rank.
    std::vector<kernels::Broadcast> steps(inputs.size());
    for (size_t i = 0; i < inputs.size(); ++i) {
      Dims shape = inputs[i];
      if (shape.size() > out.size()) return absl::InternalError("merge input ranks exceed the output's");
      if (!shape.empty()) shape.insert(shape.begin() + 1, out.size() - shape.size(), 1);
      if (!kernels::MakeBroadcast(i == 0 ? shape : out, shape, out, &steps[i])) {
        return absl::InvalidArgumentError(util::StrCat("input shape ", graph::ShapeString(inputs[i]),
                                                       " does not broadcast to ", graph::ShapeString(out)));
      }
    }
    return MakePrepared([steps = std::move(steps), kind = kind_, storage = storage_, count = count_](
                            RunContext&, std::span<const Tensor> all_in, std::span<const Tensor> out_t) {
      const std::span<const Tensor> in = all_in.first(count);
      if (storage == util::DType::kInt32) {
        Fold<int32_t>(kind, steps, in, out_t[0].i32());
      } else {
        Fold<float>(kind, steps, in, out_t[0].f32());
        if (kind == MergeKind::kAverage) {
          const float count = static_cast<float>(in.size());
          float* y = out_t[0].f32();
          for (int64_t i = 0, n = out_t[0].num_elements(); i < n; ++i) y[i] = y[i] / count;
        }
      }
      return absl::OkStatus();
    });
  }

 private:
  template <typename T>
  static void Fold(MergeKind kind, const std::vector<kernels::Broadcast>& steps, std::span<const Tensor> in, T* out) {
    const T* first = static_cast<const T*>(in[0].data);
    kernels::ApplyBroadcast(steps[0], first, first, out, [](T a, T) { return a; });
    for (size_t i = 1; i < in.size(); ++i) {
      kernels::ApplyBroadcast(steps[i], out, static_cast<const T*>(in[i].data), out,
                              [kind](T a, T b) { return Combine(kind, a, b); });
    }
  }

  const MergeKind kind_;
  const util::DType storage_;
  const size_t count_;  // positional inputs (keyword masks follow them)
};

// The storage type every input and the output share, or an error.
absl::StatusOr<util::DType> CommonStorage(const OpContext& ctx, size_t positional) {
  const util::DType out = StorageType(ctx.outputs[0].dtype);
  for (size_t i = 0; i < positional; ++i) {
    if (StorageType(ctx.inputs[i].dtype) != out) {
      return OpError(ctx.layer, util::StrCat("input ", i, " is ", util::DTypeName(ctx.inputs[i].dtype),
                                             " but the output is ", util::DTypeName(ctx.outputs[0].dtype),
                                             "; mixed dtypes are not supported"));
    }
  }
  return out;
}

template <MergeKind kKind>
absl::StatusOr<std::unique_ptr<Op>> CreateElementwiseMerge(const OpContext& ctx) {
  const size_t positional = PositionalCount(ctx);
  if (positional < 1 || ctx.outputs.size() != 1) return OpError(ctx.layer, "expected a list of input tensors");
  if (kKind == MergeKind::kSubtract && positional != 2) return OpError(ctx.layer, "Subtract takes exactly 2 inputs");
  if ((kKind == MergeKind::kMaximum || kKind == MergeKind::kMinimum) && positional != ctx.inputs.size()) {
    // Keras's masked Maximum/Minimum pick values by the inputs' masks.
    return OpError(ctx.layer, "masked inputs are not supported");
  }
  KGATE_ASSIGN_OR_RETURN(util::DType storage, CommonStorage(ctx, positional));
  if (storage == util::DType::kBool || (kKind == MergeKind::kAverage && storage != util::DType::kFloat32)) {
    return OpError(ctx.layer, util::StrCat(util::DTypeName(ctx.outputs[0].dtype), " inputs are not supported"));
  }
  return std::unique_ptr<Op>(std::make_unique<ElementwiseMergeOp>(kKind, storage, positional));
}

// Concatenate along `axis`: for every index before the axis, each input's
// contiguous block in turn.
class ConcatenateOp final : public Op {
 public:
  ConcatenateOp(int64_t axis, size_t count) : axis_(axis), count_(count) {}
  absl::StatusOr<std::unique_ptr<PreparedOp>> Prepare(std::span<const Dims> all_inputs,
                                                      std::span<const Dims> outputs) const override {
    const std::span<const Dims> inputs = all_inputs.first(count_);
    const Dims& out = outputs[0];
    const int64_t rank = static_cast<int64_t>(out.size());
    const int64_t axis = axis_ < 0 ? axis_ + rank : axis_;
    if (axis < 0 || axis >= rank) return absl::InvalidArgumentError("concatenation axis out of range");
    const int64_t outer = Product(out, 0, static_cast<size_t>(axis));
    std::vector<int64_t> blocks;  // elements per outer index, per input
    for (const Dims& in : inputs) blocks.push_back(Product(in, static_cast<size_t>(axis), in.size()));
    return MakePrepared([outer, blocks](RunContext&, std::span<const Tensor> in, std::span<const Tensor> out_t) {
      const Tensor& y = out_t[0];
      const size_t elem = util::DTypeSize(y.dtype);
      int64_t row = 0;
      for (int64_t b : blocks) row += b;
      for (size_t i = 0; i < blocks.size(); ++i) {
        int64_t col = 0;
        for (size_t j = 0; j < i; ++j) col += blocks[j];
        for (int64_t o = 0; o < outer; ++o) {
          if (in[i].dtype == y.dtype) {
            std::memcpy(static_cast<uint8_t*>(y.data) + (o * row + col) * elem,
                        static_cast<const uint8_t*>(in[i].data) + o * blocks[i] * elem,
                        static_cast<size_t>(blocks[i]) * elem);
          } else {
            float* dst = y.f32() + o * row + col;
            for (int64_t k = 0; k < blocks[i]; ++k) dst[k] = LoadAsFloat(in[i], o * blocks[i] + k);
          }
        }
      }
      return absl::OkStatus();
    });
  }

 private:
  const int64_t axis_;
  const size_t count_;
};

absl::StatusOr<std::unique_ptr<Op>> CreateConcatenate(const OpContext& ctx) {
  const size_t positional = PositionalCount(ctx);
  if (positional < 1 || ctx.outputs.size() != 1) return OpError(ctx.layer, "expected a list of input tensors");
  const util::DType out = StorageType(ctx.outputs[0].dtype);
  for (size_t i = 0; i < positional; ++i) {
    if (StorageType(ctx.inputs[i].dtype) != out && out != util::DType::kFloat32) {
      return OpError(ctx.layer, util::StrCat("cannot concatenate ", util::DTypeName(ctx.inputs[i].dtype), " into ",
                                             util::DTypeName(ctx.outputs[0].dtype)));
    }
    if (ctx.inputs[i].shape.size() != ctx.outputs[0].shape.size()) {
      return OpError(ctx.layer, "inputs must have the output's rank");
    }
  }
  return std::unique_ptr<Op>(std::make_unique<ConcatenateOp>(ctx.layer.attrs.GetInt("axis", -1), positional));
}

constexpr OpSpec kSpecs[] = {
    {"Add", CreateElementwiseMerge<MergeKind::kAdd>},
    {"Average", CreateElementwiseMerge<MergeKind::kAverage>},
    {"Concatenate", CreateConcatenate},
    {"Dot", merging_internal::CreateDot},
    {"Maximum", CreateElementwiseMerge<MergeKind::kMaximum>},
    {"Minimum", CreateElementwiseMerge<MergeKind::kMinimum>},
    {"Multiply", CreateElementwiseMerge<MergeKind::kMultiply>},
    {"Subtract", CreateElementwiseMerge<MergeKind::kSubtract>},
};

}  // namespace

std::span<const OpSpec> MergingOps() { return kSpecs; }

}  // namespace kgate::engine::ops
