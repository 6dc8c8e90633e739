// Preprocessing layers that compute on numbers: Rescaling, Normalization,
// CenterCrop, Resizing. (Lookup and text layers are not supported.)
//
// Attributes each class stores:
//   Rescaling:     scale, offset (doubles; one entry for a scalar, else a
//                  vector broadcast against the last axis)
//   Normalization: axis (ints, as in the config; empty = none kept), invert
//                  (bool); when the config carries the statistics: mean,
//                  variance (doubles, row-major) and mean_shape (ints, the
//                  shape they were given in; [] for scalars). Without them
//                  the statistics are the variables mean, variance, count.
//   CenterCrop:    height, width (int), data_format
//   Resizing:      height, width (int), interpolation (string),
//                  crop_to_aspect_ratio, pad_to_aspect_ratio, antialias
//                  (bool), fill_mode ("constant"), fill_value (double),
//                  data_format
// Image layers take batched rank-4 inputs only (Keras would treat a rank-3
// tensor as one unbatched image).
#include <algorithm>

#include "keras/layers/common_shapes.h"
#include "keras/layers/families.h"
#include "util/status_macros.h"
#include "util/strings.h"

namespace kgate::keras::layers {
namespace {

using graph::kUnknownDim;
using graph::TensorSpec;
using io::json::Value;
using Span = std::span<const TensorSpec>;

// Interpolations of ops.image.resize.
constexpr std::string_view kInterpolations[] = {"bilinear", "nearest", "bicubic", "lanczos3", "lanczos5", "area"};

// A number, or a rectangular nested list of numbers (a numpy array as
// .tolist() writes it), or Keras's {"class_name": "__numpy__", "config":
// {"value": ...}} envelope around either. Iterative over depth <= kMaxRank.
struct NumericArray {
  graph::Dims shape;
  std::vector<double> values;
};

absl::StatusOr<NumericArray> ReadNumericArray(const ConfigView& config, std::string_view key) {
  const Value* v = config.Find(key);
  if (v != nullptr && v->is_object()) {
    const Value* cls = v->Find("class_name");
    const Value* cfg = v->Find("config");
    if (cls == nullptr || !cls->is_string() || cls->string() != "__numpy__" || cfg == nullptr ||
        cfg->Find("value") == nullptr) {
      return config.Error(key, "expected a number, a list of numbers or a __numpy__ array");
    }
    v = cfg->Find("value");
  }
  if (v == nullptr) return config.Error(key, "required value is missing");
  NumericArray out;
  // Shape from the first element chain, then a breadth-first check that
  // every list at depth d has shape[d] elements.
  for (const Value* p = v; p->is_array(); p = &p->array()[0]) {
    if (out.shape.size() >= static_cast<size_t>(kMaxRank)) return config.Error(key, "array nests too deeply");
    if (p->array().empty()) return config.Error(key, "empty arrays are not supported");
    out.shape.push_back(static_cast<int64_t>(p->array().size()));
  }
  std::vector<const Value*> level = {v};
  for (size_t d = 0; d < out.shape.size(); ++d) {
    std::vector<const Value*> next;
    for (const Value* p : level) {
      if (!p->is_array() || static_cast<int64_t>(p->array().size()) != out.shape[d]) {
        return config.Error(key, "expected a rectangular nested list of numbers");
      }
      for (const Value& e : p->array()) next.push_back(&e);
    }
    level = std::move(next);
  }
  for (const Value* p : level) {
    if (!p->is_number()) return config.Error(key, util::StrCat("expected numbers, got ", Value::KindName(p->kind())));
    out.values.push_back(p->number().value);
  }
  return out;
}

absl::StatusOr<const TensorSpec*> OneInput(const graph::Layer& layer, Span inputs, const graph::Node& node,
                                           int64_t min_rank, int64_t max_rank) {
  KGATE_ASSIGN_OR_RETURN(CallInputs call, SplitCallInputs(layer, inputs, node, 1, 1));
  KGATE_RETURN_IF_ERROR(ForLayer(layer, CheckRank(call.positional[0], min_rank, max_rank)));
  return &call.positional[0];
}

// ---- Rescaling ----

absl::Status ParseRescaling(const ConfigView& config, const ParseContext&, graph::Layer& layer) {
  KGATE_RETURN_IF_ERROR(config.OnlyKeys({"scale", "offset", "activity_regularizer"}));
  for (std::string_view key : {"scale", "offset"}) {
    NumericArray a{{}, {key == "scale" ? 1.0 : 0.0}};
    if (!config.IsNull(key) || key == "scale") {
      KGATE_ASSIGN_OR_RETURN(a, ReadNumericArray(config, key));
    }
    if (a.shape.size() > 1) return config.Error(key, "expected a number or a flat list of numbers");
    layer.attrs.Set(std::string(key), a.values);
  }
  return absl::OkStatus();
}

absl::Status BuildRescaling(graph::Layer& layer, Span inputs, const graph::Node& node, std::vector<TensorSpec>* out) {
  KGATE_ASSIGN_OR_RETURN(const TensorSpec* x, OneInput(layer, inputs, node, 1, kMaxRank));
  for (std::string_view key : {"scale", "offset"}) {
    const auto* v = layer.attrs.Get<std::vector<double>>(key);
    size_t n = v ? v->size() : 1;
    int64_t last = x->shape.back();
    if (n != 1 && (x->shape.size() < 2 || (last != kUnknownDim && static_cast<int64_t>(n) != last))) {
      return LayerError(layer, util::StrCat(key, " has ", n, " values, which does not broadcast against input ",
                                            graph::ShapeString(x->shape)));
    }
  }
  KGATE_RETURN_IF_ERROR(DeclareWeights(layer, {}));
  out->push_back({ComputeDType(layer, util::DType::kFloat32), x->shape});
  return absl::OkStatus();
}

// ---- Normalization ----

absl::Status ParseNormalization(const ConfigView& config, const ParseContext&, graph::Layer& layer) {
  KGATE_RETURN_IF_ERROR(config.OnlyKeys({"axis", "invert", "mean", "variance", "activity_regularizer"}));
  std::vector<int64_t> axis;
  if (!config.IsNull("axis")) {
    KGATE_ASSIGN_OR_RETURN(axis, config.IntList("axis", kMaxRank, -kMaxRank, kMaxRank - 1));
  }
  KGATE_ASSIGN_OR_RETURN(bool invert, config.Bool("invert", false));
  layer.attrs.Set("axis", axis);
  layer.attrs.Set("invert", invert);
  if (config.IsNull("mean") != config.IsNull("variance")) {
    return config.Error("mean", "mean and variance must be given together");
  }
  if (config.IsNull("mean")) return absl::OkStatus();
  KGATE_ASSIGN_OR_RETURN(NumericArray mean, ReadNumericArray(config, "mean"));
  KGATE_ASSIGN_OR_RETURN(NumericArray variance, ReadNumericArray(config, "variance"));
  if (mean.shape != variance.shape) {
    return config.Error("variance", util::StrCat("shape ", graph::ShapeString(variance.shape),
                                                 " differs from the mean's ", graph::ShapeString(mean.shape)));
  }
  if (mean.shape.size() > axis.size()) {
    return config.Error("mean", util::StrCat("rank ", mean.shape.size(), " exceeds the number of axes (",
                                             axis.size(), ")"));
  }
  for (double v : variance.values) {
    if (v < 0) return config.Error("variance", "variances must be >= 0");
  }
  layer.attrs.Set("mean", mean.values);
  layer.attrs.Set("variance", variance.values);
  layer.attrs.Set("mean_shape", mean.shape);
  return absl::OkStatus();
}

absl::Status BuildNormalization(graph::Layer& layer, Span inputs, const graph::Node& node,
                                std::vector<TensorSpec>* out) {
  KGATE_ASSIGN_OR_RETURN(const TensorSpec* x, OneInput(layer, inputs, node, 1, kMaxRank));
  const int64_t rank = static_cast<int64_t>(x->shape.size());
  std::vector<int64_t> keep;
  for (int64_t a : layer.attrs.GetInts("axis")) {
    auto n = NormalizeAxis(a, rank);
    if (!n.ok()) return ForLayer(layer, n.status());
    if (std::find(keep.begin(), keep.end(), *n) != keep.end()) {
      return LayerError(layer, util::StrCat("axis ", a, " is listed twice"));
    }
    if (x->shape[*n] == kUnknownDim) {
      return LayerError(layer, util::StrCat("kept axis ", a, " of input ", graph::ShapeString(x->shape),
                                            " must have a known size"));
    }
    keep.push_back(*n);
  }
  std::sort(keep.begin(), keep.end());
  graph::Dims stats_shape;
  for (int64_t k : keep) stats_shape.push_back(x->shape[k]);
  if (const auto* mean_shape = layer.attrs.Get<std::vector<int64_t>>("mean_shape")) {
    // The given statistics are aligned to the last kept axes and broadcast.
    for (size_t i = 1; i <= mean_shape->size(); ++i) {
      int64_t m = (*mean_shape)[mean_shape->size() - i], d = stats_shape[stats_shape.size() - i];
      if (m != 1 && m != d) {
        return LayerError(layer, util::StrCat("mean/variance of shape ", graph::ShapeString(*mean_shape),
                                              " do not broadcast to the kept axes of input ",
                                              graph::ShapeString(x->shape)));
      }
    }
    KGATE_RETURN_IF_ERROR(DeclareWeights(layer, {}));
  } else {
    KGATE_RETURN_IF_ERROR(DeclareWeights(layer, {{"mean", stats_shape, false, ""},
                                                 {"variance", stats_shape, false, ""},
                                                 {"count", {}, false, ""}}));
  }
  out->push_back({ComputeDType(layer, util::DType::kFloat32), x->shape});
  return absl::OkStatus();
}

// ---- CenterCrop and Resizing ----

absl::Status ReadHeightWidth(const ConfigView& config, graph::Layer& layer) {
  KGATE_ASSIGN_OR_RETURN(int64_t height, config.Int("height", 1, kMaxDim));
  KGATE_ASSIGN_OR_RETURN(int64_t width, config.Int("width", 1, kMaxDim));
  KGATE_ASSIGN_OR_RETURN(std::string data_format, ReadDataFormat(config));
  layer.attrs.Set("height", height);
  layer.attrs.Set("width", width);
  layer.attrs.Set("data_format", data_format);
  return absl::OkStatus();
}

absl::Status ParseCenterCrop(const ConfigView& config, const ParseContext&, graph::Layer& layer) {
  KGATE_RETURN_IF_ERROR(config.OnlyKeys({"height", "width", "data_format", "activity_regularizer"}));
  return ReadHeightWidth(config, layer);
}

absl::Status ParseResizing(const ConfigView& config, const ParseContext&, graph::Layer& layer) {
  KGATE_RETURN_IF_ERROR(config.OnlyKeys({"height", "width", "interpolation", "crop_to_aspect_ratio",
                                         "pad_to_aspect_ratio", "fill_mode", "fill_value", "antialias",
                                         "data_format", "activity_regularizer"}));
  KGATE_RETURN_IF_ERROR(ReadHeightWidth(config, layer));
  std::string interpolation = "bilinear";
  if (!config.IsNull("interpolation")) {
    KGATE_ASSIGN_OR_RETURN(interpolation, config.String("interpolation"));
    if (std::find(std::begin(kInterpolations), std::end(kInterpolations), interpolation) ==
        std::end(kInterpolations)) {
      return config.Error("interpolation", util::StrCat("unknown interpolation '", interpolation, "'"));
    }
  }
  KGATE_ASSIGN_OR_RETURN(bool crop, config.Bool("crop_to_aspect_ratio", false));
  KGATE_ASSIGN_OR_RETURN(bool pad, config.Bool("pad_to_aspect_ratio", false));
  if (crop && pad) {
    return config.Error("pad_to_aspect_ratio", "only one of crop_to_aspect_ratio and pad_to_aspect_ratio may be true");
  }
  KGATE_ASSIGN_OR_RETURN(std::string fill_mode, config.Enum("fill_mode", {"constant"}, "constant"));
  KGATE_ASSIGN_OR_RETURN(double fill_value, config.Float("fill_value", 0.0));
  KGATE_ASSIGN_OR_RETURN(bool antialias, config.Bool("antialias", false));
  layer.attrs.Set("interpolation", interpolation);
  layer.attrs.Set("crop_to_aspect_ratio", crop);
  layer.attrs.Set("pad_to_aspect_ratio", pad);
  layer.attrs.Set("fill_mode", fill_mode);
  layer.attrs.Set("fill_value", fill_value);
  layer.attrs.Set("antialias", antialias);
  return absl::OkStatus();
}

absl::Status BuildImageResize(graph::Layer& layer, Span inputs, const graph::Node& node,
                              std::vector<TensorSpec>* out) {
  KGATE_ASSIGN_OR_RETURN(const TensorSpec* x, OneInput(layer, inputs, node, 4, 4));
  std::vector<int64_t> axes = SpatialAxes(layer.attrs.GetString("data_format", "channels_last"), 4);
  TensorSpec y{ComputeDType(layer, util::DType::kFloat32), x->shape};
  y.shape[axes[0]] = layer.attrs.GetInt("height", 1);
  y.shape[axes[1]] = layer.attrs.GetInt("width", 1);
  KGATE_RETURN_IF_ERROR(DeclareWeights(layer, {}));
  out->push_back(std::move(y));
  return absl::OkStatus();
}

constexpr LayerSpec kSpecs[] = {
    {"CenterCrop", ParseCenterCrop, BuildImageResize},
    {"Normalization", ParseNormalization, BuildNormalization},
    {"Rescaling", ParseRescaling, BuildRescaling},
    {"Resizing", ParseResizing, BuildImageResize},
};

}  // namespace

std::span<const LayerSpec> PreprocessingLayerSpecs() { return kSpecs; }

}  // namespace kgate::keras::layers
