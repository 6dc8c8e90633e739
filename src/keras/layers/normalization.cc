// Normalization layers: BatchNormalization, LayerNormalization,
// GroupNormalization, UnitNormalization.
//
// Attributes each class stores:
//   BatchNormalization: axis (int, as in the config), epsilon, momentum
//                       (double), center, scale, renorm (bool). Inference uses
//                       moving_mean/moving_variance; renorm only adds variables.
//   LayerNormalization: axis (ints, sorted as Keras sorts them: raw values,
//                       so [-1, 1] stays [-1, 1]; gamma/beta have the dims of
//                       those axes in that order and Keras reshapes them to the
//                       broadcast shape), epsilon (double), center, scale,
//                       rms_scaling (bool)
//   GroupNormalization: groups (int; -1 in the config is resolved to the
//                       channel count by the first build), axis (int),
//                       epsilon (double), center, scale (bool)
//   UnitNormalization:  axis (ints, as in the config)
// Variables, in Keras save order:
//   BatchNormalization: [gamma if scale], [beta if center], moving_mean,
//                       moving_variance, and with renorm moving_stddev,
//                       renorm_mean, renorm_stddev (all non-trainable but
//                       gamma/beta), each of shape (channels,)
//   LayerNormalization: [gamma if scale or rms_scaling], [beta if center and not rms_scaling]
//   GroupNormalization: [gamma if scale], [beta if center], each (channels,)
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

absl::Status ReadEpsilon(const ConfigView& config, graph::Layer& layer) {
  KGATE_ASSIGN_OR_RETURN(double epsilon, config.Float("epsilon", 1e-3));
  if (epsilon < 0) return config.Error("epsilon", util::StrCat("must be >= 0, got ", epsilon));
  layer.attrs.Set("epsilon", epsilon);
  return absl::OkStatus();
}

absl::Status ReadCenterScale(const ConfigView& config, graph::Layer& layer) {
  KGATE_ASSIGN_OR_RETURN(bool center, config.Bool("center", true));
  KGATE_ASSIGN_OR_RETURN(bool scale, config.Bool("scale", true));
  layer.attrs.Set("center", center);
  layer.attrs.Set("scale", scale);
  return absl::OkStatus();
}

absl::StatusOr<const TensorSpec*> OneInput(const graph::Layer& layer, Span inputs, const graph::Node& node) {
  KGATE_ASSIGN_OR_RETURN(CallInputs call, SplitCallInputs(layer, inputs, node, 1, 1));
  KGATE_RETURN_IF_ERROR(ForLayer(layer, CheckRank(call.positional[0], 1, kMaxRank)));
  return &call.positional[0];
}

// The dimension at `axis` of `x`, which must be known (it sizes variables).
absl::StatusOr<int64_t> ChannelDim(const graph::Layer& layer, const TensorSpec& x, int64_t axis) {
  auto a = NormalizeAxis(axis, static_cast<int64_t>(x.shape.size()));
  if (!a.ok()) return ForLayer(layer, a.status());
  int64_t d = x.shape[*a];
  if (d == kUnknownDim) {
    return LayerError(layer, util::StrCat("axis ", axis, " of input ", graph::ShapeString(x.shape),
                                          " must be known to build the layer's variables"));
  }
  return d;
}

// ---- BatchNormalization ----

absl::Status ParseBatchNormalization(const ConfigView& config, const ParseContext&, graph::Layer& layer) {
  KGATE_RETURN_IF_ERROR(config.OnlyKeys(
      {"axis", "momentum", "epsilon", "center", "scale", "beta_initializer", "gamma_initializer",
       "moving_mean_initializer", "moving_variance_initializer", "beta_regularizer", "gamma_regularizer",
       "beta_constraint", "gamma_constraint", "synchronized", "renorm", "renorm_clipping", "renorm_momentum",
       "activity_regularizer"}));
  KGATE_ASSIGN_OR_RETURN(int64_t axis, config.Int("axis", -kMaxRank, kMaxRank - 1, -1));
  KGATE_ASSIGN_OR_RETURN(double momentum, config.Float("momentum", 0.99));
  KGATE_RETURN_IF_ERROR(ReadEpsilon(config, layer));
  KGATE_RETURN_IF_ERROR(ReadCenterScale(config, layer));
  KGATE_RETURN_IF_ERROR(config.Bool("synchronized", false).status());
  KGATE_ASSIGN_OR_RETURN(bool renorm, config.Bool("renorm", false));
  KGATE_RETURN_IF_ERROR(config.Float("renorm_momentum", 0.99).status());
  if (!config.IsNull("renorm_clipping")) {
    KGATE_ASSIGN_OR_RETURN(ConfigView clip, config.Object("renorm_clipping"));
    for (const io::json::Member& m : clip.json().object()) {
      if (m.first != "rmax" && m.first != "rmin" && m.first != "dmax") {
        return clip.Error(m.first, "expected only rmax, rmin, dmax");
      }
      KGATE_RETURN_IF_ERROR(clip.Float(m.first, 0.0).status());
    }
  }
  layer.attrs.Set("axis", axis);
  layer.attrs.Set("momentum", momentum);
  layer.attrs.Set("renorm", renorm);
  return absl::OkStatus();
}

absl::Status BuildBatchNormalization(graph::Layer& layer, Span inputs, const graph::Node& node,
                                     std::vector<TensorSpec>* outputs) {
  KGATE_ASSIGN_OR_RETURN(const TensorSpec* x, OneInput(layer, inputs, node));
  KGATE_ASSIGN_OR_RETURN(int64_t c, ChannelDim(layer, *x, layer.attrs.GetInt("axis", -1)));
  std::vector<WeightDecl> w;
  if (layer.attrs.GetBool("scale", true)) w.push_back({"gamma", {c}, true, ""});
  if (layer.attrs.GetBool("center", true)) w.push_back({"beta", {c}, true, ""});
  w.push_back({"moving_mean", {c}, false, ""});
  w.push_back({"moving_variance", {c}, false, ""});
  if (layer.attrs.GetBool("renorm", false)) {
    w.push_back({"moving_stddev", {c}, false, ""});
    w.push_back({"renorm_mean", {c}, false, ""});
    w.push_back({"renorm_stddev", {c}, false, ""});
  }
  KGATE_RETURN_IF_ERROR(DeclareWeights(layer, std::move(w)));
  outputs->push_back({ComputeDType(layer, x->dtype), x->shape});
  return absl::OkStatus();
}

// ---- LayerNormalization ----

absl::Status ParseLayerNormalization(const ConfigView& config, const ParseContext&, graph::Layer& layer) {
  KGATE_RETURN_IF_ERROR(config.OnlyKeys({"axis", "epsilon", "center", "scale", "rms_scaling", "beta_initializer",
                                         "gamma_initializer", "beta_regularizer", "gamma_regularizer",
                                         "beta_constraint", "gamma_constraint", "activity_regularizer"}));
  if (config.IsNull("axis")) return config.Error("axis", "expected an integer or a list of integers");
  KGATE_ASSIGN_OR_RETURN(std::vector<int64_t> axis, config.IntList("axis", kMaxRank, -kMaxRank, kMaxRank - 1));
  if (axis.empty()) return config.Error("axis", "expected at least one axis");
  std::sort(axis.begin(), axis.end());
  KGATE_RETURN_IF_ERROR(ReadEpsilon(config, layer));
  KGATE_RETURN_IF_ERROR(ReadCenterScale(config, layer));
  KGATE_ASSIGN_OR_RETURN(bool rms, config.Bool("rms_scaling", false));
  layer.attrs.Set("axis", axis);
  layer.attrs.Set("rms_scaling", rms);
  return absl::OkStatus();
}

absl::Status BuildLayerNormalization(graph::Layer& layer, Span inputs, const graph::Node& node,
                                     std::vector<TensorSpec>* outputs) {
  KGATE_ASSIGN_OR_RETURN(const TensorSpec* x, OneInput(layer, inputs, node));
  graph::Dims shape;
  std::vector<int64_t> seen;
  for (int64_t a : layer.attrs.GetInts("axis")) {
    KGATE_ASSIGN_OR_RETURN(int64_t d, ChannelDim(layer, *x, a));
    int64_t n = a < 0 ? a + static_cast<int64_t>(x->shape.size()) : a;
    if (std::find(seen.begin(), seen.end(), n) != seen.end()) {
      return LayerError(layer, util::StrCat("axis ", a, " is listed twice for input ", graph::ShapeString(x->shape)));
    }
    seen.push_back(n);
    shape.push_back(d);
  }
  bool rms = layer.attrs.GetBool("rms_scaling", false);
  std::vector<WeightDecl> w;
  if (layer.attrs.GetBool("scale", true) || rms) w.push_back({"gamma", shape, true, ""});
  if (layer.attrs.GetBool("center", true) && !rms) w.push_back({"beta", shape, true, ""});
  KGATE_RETURN_IF_ERROR(DeclareWeights(layer, std::move(w)));
  outputs->push_back({ComputeDType(layer, x->dtype), x->shape});
  return absl::OkStatus();
}

// ---- GroupNormalization ----

absl::Status ParseGroupNormalization(const ConfigView& config, const ParseContext&, graph::Layer& layer) {
  KGATE_RETURN_IF_ERROR(config.OnlyKeys({"groups", "axis", "epsilon", "center", "scale", "beta_initializer",
                                         "gamma_initializer", "beta_regularizer", "gamma_regularizer",
                                         "beta_constraint", "gamma_constraint", "activity_regularizer"}));
  KGATE_ASSIGN_OR_RETURN(int64_t groups, config.Int("groups", -1, kMaxUnits, 32));
  if (groups == 0) return config.Error("groups", "expected a positive integer or -1");
  KGATE_ASSIGN_OR_RETURN(int64_t axis, config.Int("axis", -kMaxRank, kMaxRank - 1, -1));
  KGATE_RETURN_IF_ERROR(ReadEpsilon(config, layer));
  KGATE_RETURN_IF_ERROR(ReadCenterScale(config, layer));
  layer.attrs.Set("groups", groups);
  layer.attrs.Set("axis", axis);
  return absl::OkStatus();
}

absl::Status BuildGroupNormalization(graph::Layer& layer, Span inputs, const graph::Node& node,
                                     std::vector<TensorSpec>* outputs) {
  KGATE_ASSIGN_OR_RETURN(const TensorSpec* x, OneInput(layer, inputs, node));
  KGATE_ASSIGN_OR_RETURN(int64_t c, ChannelDim(layer, *x, layer.attrs.GetInt("axis", -1)));
  int64_t groups = layer.attrs.GetInt("groups", 32);
  if (groups == -1) groups = c;
  if (c < groups) {
    return LayerError(layer, util::StrCat("number of groups (", groups, ") cannot exceed the number of channels (",
                                          c, ")"));
  }
  if (c % groups != 0) {
    return LayerError(layer, util::StrCat("number of channels (", c, ") must be a multiple of groups (", groups,
                                          ")"));
  }
  std::vector<WeightDecl> w;
  if (layer.attrs.GetBool("scale", true)) w.push_back({"gamma", {c}, true, ""});
  if (layer.attrs.GetBool("center", true)) w.push_back({"beta", {c}, true, ""});
  KGATE_RETURN_IF_ERROR(DeclareWeights(layer, std::move(w)));
  layer.attrs.Set("groups", groups);
  outputs->push_back({ComputeDType(layer, x->dtype), x->shape});
  return absl::OkStatus();
}

// ---- UnitNormalization ----

absl::Status ParseUnitNormalization(const ConfigView& config, const ParseContext&, graph::Layer& layer) {
  KGATE_RETURN_IF_ERROR(config.OnlyKeys({"axis", "activity_regularizer"}));
  if (config.IsNull("axis")) return config.Error("axis", "expected an integer or a list of integers");
  KGATE_ASSIGN_OR_RETURN(std::vector<int64_t> axis, config.IntList("axis", kMaxRank, -kMaxRank, kMaxRank - 1));
  layer.attrs.Set("axis", axis);
  return absl::OkStatus();
}

absl::Status BuildUnitNormalization(graph::Layer& layer, Span inputs, const graph::Node& node,
                                    std::vector<TensorSpec>* outputs) {
  KGATE_ASSIGN_OR_RETURN(const TensorSpec* x, OneInput(layer, inputs, node));
  for (int64_t a : layer.attrs.GetInts("axis")) {
    KGATE_RETURN_IF_ERROR(ForLayer(layer, NormalizeAxis(a, static_cast<int64_t>(x->shape.size())).status()));
  }
  KGATE_RETURN_IF_ERROR(DeclareWeights(layer, {}));
  outputs->push_back({ComputeDType(layer, x->dtype), x->shape});
  return absl::OkStatus();
}

constexpr LayerSpec kSpecs[] = {
    {"BatchNormalization", ParseBatchNormalization, BuildBatchNormalization},
    {"GroupNormalization", ParseGroupNormalization, BuildGroupNormalization},
    {"LayerNormalization", ParseLayerNormalization, BuildLayerNormalization},
    {"UnitNormalization", ParseUnitNormalization, BuildUnitNormalization},
};

}  // namespace

std::span<const LayerSpec> NormalizationLayerSpecs() { return kSpecs; }

}  // namespace kgate::keras::layers
