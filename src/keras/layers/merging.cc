// Merge layers: Add, Subtract, Multiply, Average, Maximum, Minimum,
// Concatenate, Dot. Each call takes a list of tensors (flattened into the
// node's positional inputs).
//
// Attributes each class stores:
//   Add, Subtract, Multiply, Average, Maximum, Minimum: none
//   Concatenate: axis (int, as in the config; may be negative)
//   Dot:         axes (ints: 1 entry when the config has one int, used for
//                both inputs, else 2; a negative axis means Python's
//                `axis % rank` of that input, a non-negative one is used as
//                is), normalize (bool)
//
// Shapes follow Keras's Merge._compute_elemwise_op_output_shape, which is
// not numpy broadcasting: inputs are right-aligned, a 1 stretches, and an
// unknown dimension on either side gives an unknown output dimension. Lower-
// rank inputs get size-1 axes inserted right after the batch axis. The output
// batch is the one known batch size (several different ones are refused).
#include <set>

#include "keras/layers/common_shapes.h"
#include "keras/layers/families.h"
#include "util/status_macros.h"
#include "util/strings.h"

namespace kgate::keras::layers {
namespace {

using graph::kUnknownDim;
using graph::TensorSpec;
using Span = std::span<const TensorSpec>;

absl::Status ParseNoConfig(const ConfigView& config, const ParseContext&, graph::Layer&) {
  return config.OnlyKeys({"activity_regularizer"});
}

std::string ShapesString(std::span<const TensorSpec> xs) {
  std::string s;
  for (const TensorSpec& x : xs) util::StrAppend(&s, s.empty() ? "" : ", ", graph::ShapeString(x.shape));
  return s;
}

absl::StatusOr<graph::Dims> ElementwiseShape(const graph::Layer& layer, const graph::Dims& a, const graph::Dims& b,
                                             Span all) {
  const graph::Dims& longer = a.size() >= b.size() ? a : b;
  const graph::Dims& shorter = a.size() >= b.size() ? b : a;
  graph::Dims out(longer.begin(), longer.end() - shorter.size());
  size_t off = longer.size() - shorter.size();
  for (size_t k = 0; k < shorter.size(); ++k) {
    int64_t i = longer[off + k], j = shorter[k];
    if (i == kUnknownDim || j == kUnknownDim) {
      out.push_back(kUnknownDim);
    } else if (i == 1) {
      out.push_back(j);
    } else if (j == 1 || i == j) {
      out.push_back(i);
    } else {
      return LayerError(layer, util::StrCat("inputs have incompatible shapes: ", ShapesString(all)));
    }
  }
  return out;
}

absl::Status BuildElementwise(graph::Layer& layer, Span inputs, const graph::Node& node,
                              std::vector<TensorSpec>* outputs, size_t min_inputs, size_t max_inputs) {
  KGATE_ASSIGN_OR_RETURN(CallInputs call, SplitCallInputs(layer, inputs, node, min_inputs, max_inputs));
  Span xs = call.positional;
  std::set<int64_t> batches;
  for (const TensorSpec& x : xs) {
    KGATE_RETURN_IF_ERROR(ForLayer(layer, CheckRank(x, 1, kMaxRank)));
    if (x.shape[0] != kUnknownDim) batches.insert(x.shape[0]);
  }
  if (batches.size() > 1) {
    return LayerError(layer, util::StrCat("cannot merge tensors with different batch sizes: ", ShapesString(xs)));
  }
  graph::Dims shape(xs[0].shape.begin() + 1, xs[0].shape.end());
  for (size_t i = 1; i < xs.size(); ++i) {
    graph::Dims next(xs[i].shape.begin() + 1, xs[i].shape.end());
    KGATE_ASSIGN_OR_RETURN(shape, ElementwiseShape(layer, shape, next, xs));
  }
  shape.insert(shape.begin(), batches.empty() ? kUnknownDim : *batches.begin());
  KGATE_RETURN_IF_ERROR(DeclareWeights(layer, {}));
  outputs->push_back({ComputeDType(layer, xs[0].dtype), std::move(shape)});
  return absl::OkStatus();
}

// Keras caps nothing; kgate bounds the fan-in of one merge node.
constexpr size_t kMaxMergeInputs = 4096;

absl::Status BuildManyInputs(graph::Layer& layer, Span inputs, const graph::Node& node, std::vector<TensorSpec>* out) {
  return BuildElementwise(layer, inputs, node, out, 1, kMaxMergeInputs);
}
absl::Status BuildTwoInputs(graph::Layer& layer, Span inputs, const graph::Node& node, std::vector<TensorSpec>* out) {
  return BuildElementwise(layer, inputs, node, out, 2, 2);
}

// ---- Concatenate ----

absl::Status ParseConcatenate(const ConfigView& config, const ParseContext&, graph::Layer& layer) {
  KGATE_RETURN_IF_ERROR(config.OnlyKeys({"axis", "activity_regularizer"}));
  KGATE_ASSIGN_OR_RETURN(int64_t axis, config.Int("axis", -kMaxRank, kMaxRank - 1, -1));
  layer.attrs.Set("axis", axis);
  return absl::OkStatus();
}

absl::Status BuildConcatenate(graph::Layer& layer, Span inputs, const graph::Node& node,
                              std::vector<TensorSpec>* outputs) {
  KGATE_ASSIGN_OR_RETURN(CallInputs call, SplitCallInputs(layer, inputs, node, 1, kMaxMergeInputs));
  Span xs = call.positional;
  const int64_t rank = static_cast<int64_t>(xs[0].shape.size());
  auto axis = NormalizeAxis(layer.attrs.GetInt("axis", -1), rank);
  if (!axis.ok()) return ForLayer(layer, axis.status());
  std::string mismatch = util::StrCat("inputs must have matching shapes except on the concatenation axis (",
                                      *axis, "); got ", ShapesString(xs));
  for (const TensorSpec& x : xs) {
    if (static_cast<int64_t>(x.shape.size()) != rank) return LayerError(layer, mismatch);
  }
  for (int64_t d = 0; d < rank; ++d) {
    if (d == *axis) continue;
    int64_t known = kUnknownDim;
    for (const TensorSpec& x : xs) {
      if (x.shape[d] == kUnknownDim) continue;
      if (known != kUnknownDim && known != x.shape[d]) return LayerError(layer, mismatch);
      known = x.shape[d];
    }
  }
  // Concatenate.compute_output_shape: the first input's shape, the axis summed.
  graph::Dims shape = xs[0].shape;
  for (size_t i = 1; i < xs.size(); ++i) {
    if (shape[*axis] == kUnknownDim || xs[i].shape[*axis] == kUnknownDim) {
      shape[*axis] = kUnknownDim;
      break;
    }
    shape[*axis] += xs[i].shape[*axis];
    if (shape[*axis] > kMaxDim) {
      return LayerError(layer, util::StrCat("concatenated dimension exceeds kMaxDim (", kMaxDim, ")"));
    }
  }
  KGATE_RETURN_IF_ERROR(DeclareWeights(layer, {}));
  outputs->push_back({ComputeDType(layer, xs[0].dtype), std::move(shape)});
  return absl::OkStatus();
}

// ---- Dot ----

absl::Status ParseDot(const ConfigView& config, const ParseContext&, graph::Layer& layer) {
  KGATE_RETURN_IF_ERROR(config.OnlyKeys({"axes", "normalize", "activity_regularizer"}));
  const io::json::Value* v = config.Find("axes");
  std::vector<int64_t> axes;
  if (v != nullptr && v->is_array()) {
    KGATE_ASSIGN_OR_RETURN(axes, config.IntList("axes", 2, -kMaxRank, kMaxRank - 1));
    if (axes.size() != 2) return config.Error("axes", "expected an integer or a list of two integers");
  } else {
    KGATE_ASSIGN_OR_RETURN(int64_t a, config.Int("axes", -kMaxRank, kMaxRank - 1));
    axes = {a};
  }
  KGATE_ASSIGN_OR_RETURN(bool normalize, config.Bool("normalize", false));
  layer.attrs.Set("axes", axes);
  layer.attrs.Set("normalize", normalize);
  return absl::OkStatus();
}

absl::Status BuildDot(graph::Layer& layer, Span inputs, const graph::Node& node, std::vector<TensorSpec>* outputs) {
  KGATE_ASSIGN_OR_RETURN(CallInputs call, SplitCallInputs(layer, inputs, node, 2, 2));
  const TensorSpec& x = call.positional[0];
  const TensorSpec& y = call.positional[1];
  KGATE_RETURN_IF_ERROR(ForLayer(layer, CheckRank(x, 2, kMaxRank, "first input")));
  KGATE_RETURN_IF_ERROR(ForLayer(layer, CheckRank(y, 2, kMaxRank, "second input")));
  const int64_t r[2] = {static_cast<int64_t>(x.shape.size()), static_cast<int64_t>(y.shape.size())};
  std::vector<int64_t> cfg = layer.attrs.GetInts("axes");
  if (cfg.empty()) return LayerError(layer, "internal: axes attribute missing");
  int64_t axes[2];
  for (int k = 0; k < 2; ++k) {
    int64_t a = cfg.size() == 1 ? cfg[0] : cfg[k];
    // Python's `a % rank` for negative a; a non-negative axis is used as is.
    axes[k] = a < 0 ? ((a % r[k]) + r[k]) % r[k] : a;
    if (axes[k] < 1 || axes[k] >= r[k]) {
      return LayerError(layer, util::StrCat("dot axis ", a, " is invalid for input ", k, " of shape ",
                                            graph::ShapeString(k == 0 ? x.shape : y.shape),
                                            " (the batch axis cannot be reduced)"));
    }
  }
  if (x.shape[axes[0]] != y.shape[axes[1]]) {
    return LayerError(layer, util::StrCat("incompatible input shapes: axis ", axes[0], " of ",
                                          graph::ShapeString(x.shape), " != axis ", axes[1], " of ",
                                          graph::ShapeString(y.shape)));
  }
  graph::Dims shape;
  for (int64_t i = 0; i < r[0]; ++i) {
    if (i != axes[0]) shape.push_back(x.shape[i]);
  }
  for (int64_t i = 1; i < r[1]; ++i) {
    if (i != axes[1]) shape.push_back(y.shape[i]);
  }
  if (shape.size() == 1) shape.push_back(1);
  if (static_cast<int64_t>(shape.size()) > kMaxRank) {
    return LayerError(layer, util::StrCat("output rank ", shape.size(), " exceeds kMaxRank (", kMaxRank, ")"));
  }
  KGATE_RETURN_IF_ERROR(DeclareWeights(layer, {}));
  outputs->push_back({ComputeDType(layer, x.dtype), std::move(shape)});
  return absl::OkStatus();
}

constexpr LayerSpec kSpecs[] = {
    {"Add", ParseNoConfig, BuildManyInputs},
    {"Average", ParseNoConfig, BuildManyInputs},
    {"Concatenate", ParseConcatenate, BuildConcatenate},
    {"Dot", ParseDot, BuildDot},
    {"Maximum", ParseNoConfig, BuildManyInputs},
    {"Minimum", ParseNoConfig, BuildManyInputs},
    {"Multiply", ParseNoConfig, BuildManyInputs},
    {"Subtract", ParseNoConfig, BuildTwoInputs},
};

}  // namespace

std::span<const LayerSpec> MergeLayerSpecs() { return kSpecs; }

}  // namespace kgate::keras::layers
