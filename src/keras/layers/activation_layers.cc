// Advanced activation layers: ReLU, LeakyReLU, PReLU, ELU, Softmax. (The
// Activation layer, which takes an activation name, is in core.cc.)
//
// Attributes each class stores:
//   ReLU:      negative_slope, threshold (double); max_value (double, absent
//              when the config has null = no cap)
//   LeakyReLU: negative_slope (double; Keras 2's "alpha" is accepted as its alias)
//   PReLU:     shared_axes (ints, 1-based; absent when null)
//   ELU:       alpha (double)
//   Softmax:   axis (ints; one entry for the usual int form)
// Variables: PReLU has one, "alpha", shaped like the input without its batch
// axis, with every shared axis set to 1. The others have none.
#include <algorithm>

#include "keras/layers/common_shapes.h"
#include "keras/layers/families.h"
#include "util/status_macros.h"
#include "util/strings.h"

namespace kgate::keras::layers {
namespace {

using graph::kUnknownDim;
using graph::TensorSpec;
using Span = std::span<const TensorSpec>;

// A required non-negative number (ReLU/LeakyReLU refuse None and negatives).
absl::StatusOr<double> NonNegative(const ConfigView& config, std::string_view key, double fallback) {
  if (config.Has(key) && config.Find(key)->is_null()) return config.Error(key, "must be a number, not null");
  KGATE_ASSIGN_OR_RETURN(double v, config.Float(key, fallback));
  if (v < 0) return config.Error(key, util::StrCat("must be >= 0, got ", v));
  return v;
}

absl::Status BuildSameShape(graph::Layer& layer, Span inputs, const graph::Node& node,
                            std::vector<TensorSpec>* outputs) {
  KGATE_ASSIGN_OR_RETURN(CallInputs call, SplitCallInputs(layer, inputs, node, 1, 1));
  const TensorSpec& x = call.positional[0];
  KGATE_RETURN_IF_ERROR(ForLayer(layer, CheckRank(x, 1, kMaxRank)));
  KGATE_RETURN_IF_ERROR(DeclareWeights(layer, {}));
  outputs->push_back({ComputeDType(layer, x.dtype), x.shape});
  return absl::OkStatus();
}

absl::Status ParseReLU(const ConfigView& config, const ParseContext&, graph::Layer& layer) {
  KGATE_RETURN_IF_ERROR(config.OnlyKeys({"max_value", "negative_slope", "threshold", "activity_regularizer"}));
  if (!config.IsNull("max_value")) {
    KGATE_ASSIGN_OR_RETURN(double max_value, config.Float("max_value"));
    if (max_value < 0) return config.Error("max_value", util::StrCat("must be >= 0, got ", max_value));
    layer.attrs.Set("max_value", max_value);
  }
  KGATE_ASSIGN_OR_RETURN(double negative_slope, NonNegative(config, "negative_slope", 0.0));
  KGATE_ASSIGN_OR_RETURN(double threshold, NonNegative(config, "threshold", 0.0));
  layer.attrs.Set("negative_slope", negative_slope);
  layer.attrs.Set("threshold", threshold);
  return absl::OkStatus();
}

absl::Status ParseLeakyReLU(const ConfigView& config, const ParseContext&, graph::Layer& layer) {
  KGATE_RETURN_IF_ERROR(config.OnlyKeys({"negative_slope", "alpha", "activity_regularizer"}));
  if (config.Has("alpha") && config.Has("negative_slope")) {
    return config.Error("alpha", "give negative_slope or its deprecated alias alpha, not both");
  }
  std::string_view key = config.Has("alpha") ? "alpha" : "negative_slope";
  KGATE_ASSIGN_OR_RETURN(double negative_slope, NonNegative(config, key, 0.3));
  layer.attrs.Set("negative_slope", negative_slope);
  return absl::OkStatus();
}

absl::Status ParsePReLU(const ConfigView& config, const ParseContext&, graph::Layer& layer) {
  KGATE_RETURN_IF_ERROR(config.OnlyKeys(
      {"alpha_initializer", "alpha_regularizer", "alpha_constraint", "shared_axes", "activity_regularizer"}));
  if (!config.IsNull("shared_axes")) {
    // Keras indexes param_shape[axis - 1]; only axes 1..rank-1 are meaningful.
    KGATE_ASSIGN_OR_RETURN(std::vector<int64_t> axes, config.IntList("shared_axes", kMaxRank, 1, kMaxRank - 1));
    layer.attrs.Set("shared_axes", axes);
  }
  return absl::OkStatus();
}

absl::Status BuildPReLU(graph::Layer& layer, Span inputs, const graph::Node& node, std::vector<TensorSpec>* outputs) {
  KGATE_ASSIGN_OR_RETURN(CallInputs call, SplitCallInputs(layer, inputs, node, 1, 1));
  const TensorSpec& x = call.positional[0];
  KGATE_RETURN_IF_ERROR(ForLayer(layer, CheckRank(x, 2, kMaxRank)));
  graph::Dims alpha(x.shape.begin() + 1, x.shape.end());
  for (int64_t a : layer.attrs.GetInts("shared_axes")) {
    if (a >= static_cast<int64_t>(x.shape.size())) {
      return LayerError(layer, util::StrCat("shared axis ", a, " is out of range for input ",
                                            graph::ShapeString(x.shape)));
    }
    alpha[a - 1] = 1;
  }
  for (int64_t d : alpha) {
    if (d == kUnknownDim) {
      return LayerError(layer, util::StrCat("input ", graph::ShapeString(x.shape),
                                            " has an unknown dimension that is not shared; alpha needs it known"));
    }
  }
  KGATE_RETURN_IF_ERROR(DeclareWeights(layer, {{"alpha", alpha, true, ""}}));
  outputs->push_back({ComputeDType(layer, x.dtype), x.shape});
  return absl::OkStatus();
}

absl::Status ParseELU(const ConfigView& config, const ParseContext&, graph::Layer& layer) {
  KGATE_RETURN_IF_ERROR(config.OnlyKeys({"alpha", "activity_regularizer"}));
  KGATE_ASSIGN_OR_RETURN(double alpha, config.Float("alpha", 1.0));
  layer.attrs.Set("alpha", alpha);
  return absl::OkStatus();
}

absl::Status ParseSoftmax(const ConfigView& config, const ParseContext&, graph::Layer& layer) {
  KGATE_RETURN_IF_ERROR(config.OnlyKeys({"axis", "activity_regularizer"}));
  std::vector<int64_t> axis = {-1};
  if (!config.IsNull("axis")) {
    KGATE_ASSIGN_OR_RETURN(axis, config.IntList("axis", kMaxRank, -kMaxRank, kMaxRank - 1));
    if (axis.empty()) return config.Error("axis", "expected at least one axis");
  }
  layer.attrs.Set("axis", axis);
  return absl::OkStatus();
}

absl::Status BuildSoftmax(graph::Layer& layer, Span inputs, const graph::Node& node, std::vector<TensorSpec>* outputs) {
  KGATE_ASSIGN_OR_RETURN(CallInputs call, SplitCallInputs(layer, inputs, node, 1, 1));
  const TensorSpec& x = call.positional[0];
  KGATE_RETURN_IF_ERROR(ForLayer(layer, CheckRank(x, 1, kMaxRank)));
  const int64_t rank = static_cast<int64_t>(x.shape.size());
  for (int64_t a : layer.attrs.GetInts("axis")) KGATE_RETURN_IF_ERROR(ForLayer(layer, NormalizeAxis(a, rank).status()));
  // Softmax.call: the mask must broadcast to the input and have no more dims.
  if (const TensorSpec* mask = call.Keyword("mask")) {
    bool ok = mask->shape.size() <= x.shape.size();
    for (size_t i = 1; ok && i <= mask->shape.size(); ++i) {
      int64_t m = mask->shape[mask->shape.size() - i], d = x.shape[x.shape.size() - i];
      ok = m == kUnknownDim || d == kUnknownDim || m == 1 || m == d;
    }
    if (!ok) {
      return LayerError(layer, util::StrCat("mask ", graph::ShapeString(mask->shape),
                                            " does not broadcast to input ", graph::ShapeString(x.shape)));
    }
  }
  KGATE_RETURN_IF_ERROR(DeclareWeights(layer, {}));
  outputs->push_back({ComputeDType(layer, x.dtype), x.shape});
  return absl::OkStatus();
}

constexpr LayerSpec kSpecs[] = {
    {"ELU", ParseELU, BuildSameShape},
    {"LeakyReLU", ParseLeakyReLU, BuildSameShape},
    {"PReLU", ParsePReLU, BuildPReLU},
    {"ReLU", ParseReLU, BuildSameShape},
    {"Softmax", ParseSoftmax, BuildSoftmax},
};

}  // namespace

std::span<const LayerSpec> ActivationLayerSpecs() { return kSpecs; }

}  // namespace kgate::keras::layers
