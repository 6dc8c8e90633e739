// keras.ops calls that Keras records as nodes of a functional graph when a
// model is built with operators or mask computations instead of layers:
// module "keras.src.ops.numpy", registered_name = class_name, config
// {"name"} plus the op's own arguments. They are not in model.layers and own
// no weights. Their class names collide with keras.layers classes (Add,
// Multiply), so the loader registers them as "ops.numpy.<Class>".
//
// Seen in real saves: Add and Multiply (ConvNeXt residuals; MobileNetV3's
// hard_sigmoid writes x + 3.0 and x * (1/6)), NotEqual (Embedding(mask_zero)
// and Masking write not_equal(x, 0)), Any (Masking reduces its mask with
// any(axis=-1)).
//
// Binary ops take two tensors (broadcast) or one tensor and a Python number,
// which the loader passes as node.call_args "scalar", with its argument
// position (0 or 1) as "scalar_index".
//   Add, Subtract, Multiply, TrueDivide: output dtype = the tensors' dtype
//     (an integer tensor with a non-integral number gives float32; TrueDivide
//     of integers gives float32).
//   Equal, NotEqual: output dtype bool.
// Reductions: Any, All with attributes "axis" (int64 list; empty = all axes)
// and "keepdims" (bool); output dtype bool.
#include <algorithm>
#include <span>
#include <vector>

#include "keras/layers/common_shapes.h"
#include "keras/layers/conv_shapes.h"
#include "keras/layers/families.h"
#include "util/dtype.h"
#include "util/status_macros.h"
#include "util/strings.h"

namespace kgate::keras::layers {
namespace {

using graph::Dims;
using graph::TensorSpec;

absl::Status ParseBinaryOp(const ConfigView& config, const ParseContext&, graph::Layer& layer) {
  return config.OnlyKeys({});  // Keras writes {"name": ...} only
}

enum class Result { kSameDType, kFloat, kBool };

absl::Status BuildBinary(graph::Layer& layer, std::span<const TensorSpec> inputs, const graph::Node& node,
                         Result result, std::vector<TensorSpec>* outputs) {
  const bool has_scalar = node.call_args.Has("scalar");
  KGATE_RETURN_IF_ERROR(CheckCallInputs(layer, inputs, node, has_scalar ? 1 : 2));
  TensorSpec out = inputs[0];
  if (has_scalar) {
    const bool integral = node.call_args.Get<int64_t>("scalar") != nullptr;
    if (!integral && node.call_args.Get<double>("scalar") == nullptr) {
      return LayerError(layer, "the non-tensor operand must be a number");
    }
    if (!util::IsFloating(out.dtype) && !integral) out.dtype = util::DType::kFloat32;
  } else {
    if (inputs[0].dtype != inputs[1].dtype) {
      return LayerError(layer, util::StrCat("operands of different dtypes (", util::DTypeName(inputs[0].dtype), ", ",
                                            util::DTypeName(inputs[1].dtype), ") are not supported"));
    }
    absl::StatusOr<Dims> shape = BroadcastShapes(inputs[0].shape, inputs[1].shape);
    if (!shape.ok()) return ForLayer(layer, shape.status());
    out.shape = std::move(*shape);
  }
  if (result == Result::kBool) out.dtype = util::DType::kBool;
  if (result == Result::kFloat && !util::IsFloating(out.dtype)) out.dtype = util::DType::kFloat32;
  KGATE_RETURN_IF_ERROR(DeclareWeights(layer, {}));
  outputs->push_back(std::move(out));
  return absl::OkStatus();
}

absl::Status BuildArithmetic(graph::Layer& layer, std::span<const TensorSpec> inputs, const graph::Node& node,
                             std::vector<TensorSpec>* outputs) {
  return BuildBinary(layer, inputs, node, Result::kSameDType, outputs);
}
absl::Status BuildDivide(graph::Layer& layer, std::span<const TensorSpec> inputs, const graph::Node& node,
                         std::vector<TensorSpec>* outputs) {
  return BuildBinary(layer, inputs, node, Result::kFloat, outputs);
}
absl::Status BuildComparison(graph::Layer& layer, std::span<const TensorSpec> inputs, const graph::Node& node,
                             std::vector<TensorSpec>* outputs) {
  return BuildBinary(layer, inputs, node, Result::kBool, outputs);
}

absl::Status ParseReduction(const ConfigView& config, const ParseContext&, graph::Layer& layer) {
  KGATE_RETURN_IF_ERROR(config.OnlyKeys({"axis", "keepdims"}));
  std::vector<int64_t> axis;
  if (!config.IsNull("axis")) {
    KGATE_ASSIGN_OR_RETURN(axis, config.IntList("axis", kMaxRank, -kMaxRank, kMaxRank - 1));
  }
  KGATE_ASSIGN_OR_RETURN(bool keepdims, config.Bool("keepdims", false));
  layer.attrs.Set("axis", std::move(axis));
  layer.attrs.Set("keepdims", keepdims);
  return absl::OkStatus();
}

absl::Status BuildReduction(graph::Layer& layer, std::span<const TensorSpec> inputs, const graph::Node& node,
                            std::vector<TensorSpec>* outputs) {
  KGATE_RETURN_IF_ERROR(CheckCallInputs(layer, inputs, node, 1));
  const int64_t rank = static_cast<int64_t>(inputs[0].shape.size());
  std::vector<bool> reduced(rank, false);
  std::vector<int64_t> axes = layer.attrs.GetInts("axis");
  if (axes.empty()) std::fill(reduced.begin(), reduced.end(), true);
  for (int64_t a : axes) {
    absl::StatusOr<int64_t> axis = NormalizeAxis(a, rank);
    if (!axis.ok()) return ForLayer(layer, axis.status());
    if (reduced[*axis]) return LayerError(layer, util::StrCat("axis ", a, " is listed twice"));
    reduced[*axis] = true;
  }
  const bool keepdims = layer.attrs.GetBool("keepdims", false);
  Dims out;
  for (int64_t i = 0; i < rank; ++i) {
    if (!reduced[i]) {
      out.push_back(inputs[0].shape[i]);
    } else if (keepdims) {
      out.push_back(1);
    }
  }
  KGATE_RETURN_IF_ERROR(DeclareWeights(layer, {}));
  outputs->push_back({util::DType::kBool, std::move(out)});
  return absl::OkStatus();
}

constexpr LayerSpec kSpecs[] = {
    {"ops.numpy.Add", &ParseBinaryOp, &BuildArithmetic},
    {"ops.numpy.All", &ParseReduction, &BuildReduction},
    {"ops.numpy.Any", &ParseReduction, &BuildReduction},
    {"ops.numpy.Equal", &ParseBinaryOp, &BuildComparison},
    {"ops.numpy.Multiply", &ParseBinaryOp, &BuildArithmetic},
    {"ops.numpy.NotEqual", &ParseBinaryOp, &BuildComparison},
    {"ops.numpy.Subtract", &ParseBinaryOp, &BuildArithmetic},
    {"ops.numpy.TrueDivide", &ParseBinaryOp, &BuildDivide},
};

}  // namespace

std::span<const LayerSpec> NumpyOpLayerSpecs() { return kSpecs; }

}  // namespace kgate::keras::layers
