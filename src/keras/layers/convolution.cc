// Convolution layers: Conv1D/2D/3D, DepthwiseConv1D/2D, SeparableConv1D/2D
// (this file) and Conv1D/2D/3DTranspose (convolution_transpose.cc), with
// Keras 3's base_conv / base_depthwise_conv / base_separable_conv semantics.
//
// Attributes (every class):
//   "rank"           int64   number of spatial dims (1, 2, 3)
//   "kernel_size"    ints    rank entries
//   "strides"        ints    rank entries
//   "dilation_rate"  ints    rank entries
//   "padding"        string  "valid" | "same" | "causal" (Conv1D only; left pad (k-1)*d, then valid)
//   "data_format"    string  "channels_last" | "channels_first"
//   "activation"     string  canonical activation name ("linear" for none)
//   "use_bias"       bool
// plus
//   Conv*D:            "filters" int64, "groups" int64 (filters and input channels divisible by groups)
//   DepthwiseConv*D:   "depth_multiplier" int64
//   SeparableConv*D:   "depth_multiplier" int64, "filters" int64
//   Conv*DTranspose:   "filters" int64, "output_padding" ints (present only when the config's is not null)
//
// Variables (group "", Keras save order):
//   Conv*D            kernel (k..., in/groups, filters), [bias (filters,)]
//   DepthwiseConv*D   kernel (k..., in, depth_multiplier), [bias (in*depth_multiplier,)]
//   SeparableConv*D   depthwise_kernel (k..., in, mult), pointwise_kernel (1..., in*mult, filters), [bias (filters,)]
//   Conv*DTranspose   kernel (k..., filters, in), [bias (filters,)]
#include <span>
#include <vector>

#include "keras/layers/common_shapes.h"
#include "keras/layers/conv_shapes.h"
#include "keras/layers/families.h"
#include "util/status_macros.h"
#include "util/strings.h"

namespace kgate::keras::layers {

// Defined in convolution_transpose.cc; joined into ConvolutionLayerSpecs().
std::span<const LayerSpec> ConvTransposeLayerSpecs();

namespace {

using graph::Dims;
using graph::TensorSpec;

const std::initializer_list<std::string_view> kConvKeys = {
    "filters", "kernel_size", "strides", "padding", "data_format", "dilation_rate", "groups",
    "activation", "use_bias", "kernel_initializer", "bias_initializer", "kernel_regularizer",
    "bias_regularizer", "activity_regularizer", "kernel_constraint", "bias_constraint",
    "lora_rank", "lora_alpha"};

const std::initializer_list<std::string_view> kDepthwiseKeys = {
    "depth_multiplier", "kernel_size", "strides", "padding", "data_format", "dilation_rate",
    "activation", "use_bias", "depthwise_initializer", "bias_initializer", "depthwise_regularizer",
    "bias_regularizer", "activity_regularizer", "depthwise_constraint", "bias_constraint"};

const std::initializer_list<std::string_view> kSeparableKeys = {
    "depth_multiplier", "filters", "kernel_size", "strides", "padding", "data_format",
    "dilation_rate", "activation", "use_bias", "depthwise_initializer", "pointwise_initializer",
    "bias_initializer", "depthwise_regularizer", "pointwise_regularizer", "bias_regularizer",
    "activity_regularizer", "depthwise_constraint", "pointwise_constraint", "bias_constraint"};

bool AnyAbove1(const std::vector<int64_t>& v) {
  for (int64_t x : v) {
    if (x > 1) return true;
  }
  return false;
}

// Keras's base conv refuses strides > 1 together with dilation_rate > 1.
absl::Status CheckStridesVsDilation(const ConfigView& config, const ConvGeometry& g) {
  if (AnyAbove1(g.strides) && AnyAbove1(g.dilation_rate)) {
    return config.Error("dilation_rate", util::StrCat("strides > 1 (", util::StrJoin(g.strides, ","),
                                                      ") cannot be combined with dilation_rate > 1 (",
                                                      util::StrJoin(g.dilation_rate, ","), ")"));
  }
  return absl::OkStatus();
}

template <int kRank>
absl::Status ParseConv(const ConfigView& config, const ParseContext&, graph::Layer& layer) {
  KGATE_RETURN_IF_ERROR(config.OnlyKeys(kConvKeys));
  KGATE_RETURN_IF_ERROR(RefuseLora(config));
  KGATE_ASSIGN_OR_RETURN(int64_t filters, config.Int("filters", 1, kMaxUnits));
  KGATE_ASSIGN_OR_RETURN(int64_t groups, config.Int("groups", 1, kMaxUnits, 1));
  if (filters % groups != 0) {
    return config.Error("groups", util::StrCat("filters (", filters, ") must be divisible by groups (", groups, ")"));
  }
  KGATE_ASSIGN_OR_RETURN(ConvGeometry g, ReadConvGeometry(config, kRank, /*causal=*/kRank == 1, layer.attrs));
  KGATE_RETURN_IF_ERROR(CheckStridesVsDilation(config, g));
  KGATE_RETURN_IF_ERROR(ReadActivationAndBias(config, layer.attrs));
  layer.attrs.Set("filters", filters);
  layer.attrs.Set("groups", groups);
  return absl::OkStatus();
}

template <int kRank>
absl::Status ParseDepthwise(const ConfigView& config, const ParseContext&, graph::Layer& layer) {
  KGATE_RETURN_IF_ERROR(config.OnlyKeys(kDepthwiseKeys));
  KGATE_ASSIGN_OR_RETURN(int64_t mult, config.Int("depth_multiplier", 1, kMaxUnits, 1));
  KGATE_ASSIGN_OR_RETURN(ConvGeometry g, ReadConvGeometry(config, kRank, /*causal=*/false, layer.attrs));
  (void)g;
  KGATE_RETURN_IF_ERROR(ReadActivationAndBias(config, layer.attrs));
  layer.attrs.Set("depth_multiplier", mult);
  return absl::OkStatus();
}

template <int kRank>
absl::Status ParseSeparable(const ConfigView& config, const ParseContext&, graph::Layer& layer) {
  KGATE_RETURN_IF_ERROR(config.OnlyKeys(kSeparableKeys));
  KGATE_ASSIGN_OR_RETURN(int64_t mult, config.Int("depth_multiplier", 1, kMaxUnits, 1));
  KGATE_ASSIGN_OR_RETURN(int64_t filters, config.Int("filters", 1, kMaxUnits));
  KGATE_ASSIGN_OR_RETURN(ConvGeometry g, ReadConvGeometry(config, kRank, /*causal=*/false, layer.attrs));
  (void)g;
  KGATE_RETURN_IF_ERROR(ReadActivationAndBias(config, layer.attrs));
  layer.attrs.Set("depth_multiplier", mult);
  layer.attrs.Set("filters", filters);
  return absl::OkStatus();
}

// The geometry as stored by parse.
struct StoredGeometry {
  int64_t rank;
  std::vector<int64_t> kernel_size, strides, dilation_rate;
  std::string padding, data_format;
};

StoredGeometry Stored(const graph::Layer& layer) {
  const graph::Attributes& a = layer.attrs;
  return {a.GetInt("rank", 0),          a.GetInts("kernel_size"),       a.GetInts("strides"),
          a.GetInts("dilation_rate"),   a.GetString("padding", "valid"), a.GetString("data_format", "channels_last")};
}

// Checks the single input of rank `rank`+2 and returns the output shape with
// `out_channels` channels (compute_conv_output_shape).
absl::StatusOr<Dims> ConvOutputShape(const graph::Layer& layer, const StoredGeometry& g, const TensorSpec& in,
                                     int64_t out_channels) {
  KGATE_RETURN_IF_ERROR(ForLayer(layer, CheckRank(in, g.rank + 2, g.rank + 2)));
  if (out_channels > kMaxDim) {
    return LayerError(layer, util::StrCat("output channels ", out_channels, " exceed kMaxDim (", kMaxDim, ")"));
  }
  Dims out = in.shape;
  std::vector<int64_t> spatial = SpatialAxes(g.data_format, g.rank + 2);
  for (size_t i = 0; i < spatial.size(); ++i) {
    size_t axis = static_cast<size_t>(spatial[i]);
    absl::StatusOr<int64_t> len =
        ConvOutputLength(in.shape[axis], g.kernel_size[i], g.padding, g.strides[i], g.dilation_rate[i]);
    if (!len.ok()) return ForLayer(layer, len.status());
    out[axis] = *len;
  }
  out[static_cast<size_t>(ChannelAxis(g.data_format, g.rank + 2))] = out_channels;
  return out;
}

absl::Status BuildConv(graph::Layer& layer, std::span<const TensorSpec> inputs, const graph::Node& node,
                       std::vector<TensorSpec>* outputs) {
  KGATE_RETURN_IF_ERROR(CheckCallInputs(layer, inputs, node, 1));
  StoredGeometry g = Stored(layer);
  const int64_t filters = layer.attrs.GetInt("filters", 0);
  const int64_t groups = layer.attrs.GetInt("groups", 1);
  KGATE_ASSIGN_OR_RETURN(Dims out, ConvOutputShape(layer, g, inputs[0], filters));
  KGATE_ASSIGN_OR_RETURN(int64_t in_channels, KnownChannels(layer, inputs[0], g.data_format));
  if (in_channels % groups != 0) {
    return LayerError(layer, util::StrCat("input channels (", in_channels, ") must be divisible by groups (",
                                          groups, ")"));
  }
  Dims kernel = g.kernel_size;
  kernel.push_back(in_channels / groups);
  kernel.push_back(filters);
  std::vector<WeightDecl> weights = {{"kernel", kernel, true, ""}};
  if (layer.attrs.GetBool("use_bias", true)) weights.push_back({"bias", {filters}, true, ""});
  KGATE_RETURN_IF_ERROR(DeclareWeights(layer, std::move(weights)));
  outputs->push_back({OutputDType(layer), std::move(out)});
  return absl::OkStatus();
}

absl::Status BuildDepthwise(graph::Layer& layer, std::span<const TensorSpec> inputs, const graph::Node& node,
                            std::vector<TensorSpec>* outputs) {
  KGATE_RETURN_IF_ERROR(CheckCallInputs(layer, inputs, node, 1));
  StoredGeometry g = Stored(layer);
  const int64_t mult = layer.attrs.GetInt("depth_multiplier", 1);
  KGATE_RETURN_IF_ERROR(ForLayer(layer, CheckRank(inputs[0], g.rank + 2, g.rank + 2)));
  KGATE_ASSIGN_OR_RETURN(int64_t in_channels, KnownChannels(layer, inputs[0], g.data_format));
  const int64_t out_channels = in_channels * mult;  // both <= 2^31 and 2^24: no overflow
  KGATE_ASSIGN_OR_RETURN(Dims out, ConvOutputShape(layer, g, inputs[0], out_channels));
  Dims kernel = g.kernel_size;
  kernel.push_back(in_channels);
  kernel.push_back(mult);
  std::vector<WeightDecl> weights = {{"kernel", kernel, true, ""}};
  if (layer.attrs.GetBool("use_bias", true)) weights.push_back({"bias", {out_channels}, true, ""});
  KGATE_RETURN_IF_ERROR(DeclareWeights(layer, std::move(weights)));
  outputs->push_back({OutputDType(layer), std::move(out)});
  return absl::OkStatus();
}

absl::Status BuildSeparable(graph::Layer& layer, std::span<const TensorSpec> inputs, const graph::Node& node,
                            std::vector<TensorSpec>* outputs) {
  KGATE_RETURN_IF_ERROR(CheckCallInputs(layer, inputs, node, 1));
  StoredGeometry g = Stored(layer);
  const int64_t mult = layer.attrs.GetInt("depth_multiplier", 1);
  const int64_t filters = layer.attrs.GetInt("filters", 0);
  KGATE_ASSIGN_OR_RETURN(Dims out, ConvOutputShape(layer, g, inputs[0], filters));
  KGATE_ASSIGN_OR_RETURN(int64_t in_channels, KnownChannels(layer, inputs[0], g.data_format));
  const int64_t mid_channels = in_channels * mult;
  if (mid_channels > kMaxDim) {
    return LayerError(layer, util::StrCat("depthwise output channels ", mid_channels, " exceed kMaxDim (",
                                          kMaxDim, ")"));
  }
  Dims depthwise = g.kernel_size;
  depthwise.push_back(in_channels);
  depthwise.push_back(mult);
  Dims pointwise(static_cast<size_t>(g.rank), 1);
  pointwise.push_back(mid_channels);
  pointwise.push_back(filters);
  std::vector<WeightDecl> weights = {{"depthwise_kernel", depthwise, true, ""},
                                     {"pointwise_kernel", pointwise, true, ""}};
  if (layer.attrs.GetBool("use_bias", true)) weights.push_back({"bias", {filters}, true, ""});
  KGATE_RETURN_IF_ERROR(DeclareWeights(layer, std::move(weights)));
  outputs->push_back({OutputDType(layer), std::move(out)});
  return absl::OkStatus();
}

constexpr LayerSpec kOwnSpecs[] = {
    {"Conv1D", &ParseConv<1>, &BuildConv},
    {"Conv2D", &ParseConv<2>, &BuildConv},
    {"Conv3D", &ParseConv<3>, &BuildConv},
    {"DepthwiseConv1D", &ParseDepthwise<1>, &BuildDepthwise},
    {"DepthwiseConv2D", &ParseDepthwise<2>, &BuildDepthwise},
    {"SeparableConv1D", &ParseSeparable<1>, &BuildSeparable},
    {"SeparableConv2D", &ParseSeparable<2>, &BuildSeparable},
};

}  // namespace

std::span<const LayerSpec> ConvolutionLayerSpecs() {
  static const std::vector<LayerSpec>* all = [] {
    auto* v = new std::vector<LayerSpec>(std::begin(kOwnSpecs), std::end(kOwnSpecs));
    for (const LayerSpec& s : ConvTransposeLayerSpecs()) v->push_back(s);
    return v;
  }();
  return *all;
}

}  // namespace kgate::keras::layers
