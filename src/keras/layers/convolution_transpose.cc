// Conv1DTranspose, Conv2DTranspose, Conv3DTranspose (Keras 3
// base_conv_transpose). Attributes and variables are documented in
// convolution.cc, whose ConvolutionLayerSpecs() includes these specs.
//
// Output length per spatial axis (backend_utils._get_output_shape_given_tf_padding,
// computed by common_shapes DeconvOutputLength), with k' = (k-1)*d + 1:
//   valid:                  (n-1)*s + k' + (output_padding if set else max(k', s) - k')
//   same, no output_padding: n*s
//   same, output_padding:    (n-1)*s + k' % 2 + output_padding
#include <span>
#include <vector>

#include "keras/layers/common_shapes.h"
#include "keras/layers/conv_shapes.h"
#include "keras/layers/families.h"
#include "util/status_macros.h"
#include "util/strings.h"

namespace kgate::keras::layers {

std::span<const LayerSpec> ConvTransposeLayerSpecs();

namespace {

using graph::Dims;
using graph::TensorSpec;

const std::initializer_list<std::string_view> kTransposeKeys = {
    "filters", "kernel_size", "strides", "padding", "output_padding", "data_format", "dilation_rate",
    "activation", "use_bias", "kernel_initializer", "bias_initializer", "kernel_regularizer",
    "bias_regularizer", "activity_regularizer", "kernel_constraint", "bias_constraint"};

bool AnyAbove1(const std::vector<int64_t>& v) {
  for (int64_t x : v) {
    if (x > 1) return true;
  }
  return false;
}

template <int kRank>
absl::Status ParseConvTranspose(const ConfigView& config, const ParseContext&, graph::Layer& layer) {
  KGATE_RETURN_IF_ERROR(config.OnlyKeys(kTransposeKeys));
  KGATE_ASSIGN_OR_RETURN(int64_t filters, config.Int("filters", 1, kMaxUnits));
  KGATE_ASSIGN_OR_RETURN(ConvGeometry g, ReadConvGeometry(config, kRank, /*causal=*/false, layer.attrs));
  if (AnyAbove1(g.strides) && AnyAbove1(g.dilation_rate)) {
    return config.Error("dilation_rate", util::StrCat("strides > 1 (", util::StrJoin(g.strides, ","),
                                                      ") cannot be combined with dilation_rate > 1 (",
                                                      util::StrJoin(g.dilation_rate, ","), ")"));
  }
  if (!config.IsNull("output_padding")) {
    KGATE_ASSIGN_OR_RETURN(std::vector<int64_t> output_padding,
                           config.IntTuple("output_padding", static_cast<size_t>(kRank), 0, kMaxKernelExtent));
    for (size_t i = 0; i < output_padding.size(); ++i) {
      if (output_padding[i] >= g.strides[i]) {
        return config.Error("output_padding",
                            util::StrCat("output_padding[", i, "] = ", output_padding[i],
                                         " must be strictly less than strides[", i, "] = ", g.strides[i]));
      }
    }
    layer.attrs.Set("output_padding", std::move(output_padding));
  }
  KGATE_RETURN_IF_ERROR(ReadActivationAndBias(config, layer.attrs));
  layer.attrs.Set("filters", filters);
  return absl::OkStatus();
}

absl::Status BuildConvTranspose(graph::Layer& layer, std::span<const TensorSpec> inputs, const graph::Node& node,
                                std::vector<TensorSpec>* outputs) {
  KGATE_RETURN_IF_ERROR(CheckCallInputs(layer, inputs, node, 1));
  const graph::Attributes& a = layer.attrs;
  const int64_t rank = a.GetInt("rank", 0);
  const int64_t filters = a.GetInt("filters", 0);
  const std::vector<int64_t> kernel_size = a.GetInts("kernel_size");
  const std::vector<int64_t> strides = a.GetInts("strides");
  const std::vector<int64_t> dilation = a.GetInts("dilation_rate");
  const std::vector<int64_t>* output_padding = a.Get<std::vector<int64_t>>("output_padding");
  const std::string padding = a.GetString("padding", "valid");
  const std::string data_format = a.GetString("data_format", "channels_last");
  const TensorSpec& in = inputs[0];
  KGATE_RETURN_IF_ERROR(ForLayer(layer, CheckRank(in, rank + 2, rank + 2)));
  KGATE_ASSIGN_OR_RETURN(int64_t in_channels, KnownChannels(layer, in, data_format));

  Dims out = in.shape;
  std::vector<int64_t> spatial = SpatialAxes(data_format, rank + 2);
  for (size_t i = 0; i < spatial.size(); ++i) {
    size_t axis = static_cast<size_t>(spatial[i]);
    std::optional<int64_t> op;
    if (output_padding != nullptr) op = (*output_padding)[i];
    absl::StatusOr<int64_t> len = DeconvOutputLength(in.shape[axis], kernel_size[i], padding, strides[i],
                                                     dilation[i], op);
    if (!len.ok()) return ForLayer(layer, len.status());
    out[axis] = *len;
  }
  out[static_cast<size_t>(ChannelAxis(data_format, rank + 2))] = filters;

  Dims kernel = kernel_size;
  kernel.push_back(filters);  // Keras stores (k..., out, in) for transposed convolutions
  kernel.push_back(in_channels);
  std::vector<WeightDecl> weights = {{"kernel", kernel, true, ""}};
  if (a.GetBool("use_bias", true)) weights.push_back({"bias", {filters}, true, ""});
  KGATE_RETURN_IF_ERROR(DeclareWeights(layer, std::move(weights)));
  outputs->push_back({OutputDType(layer), std::move(out)});
  return absl::OkStatus();
}

constexpr LayerSpec kSpecs[] = {
    {"Conv1DTranspose", &ParseConvTranspose<1>, &BuildConvTranspose},
    {"Conv2DTranspose", &ParseConvTranspose<2>, &BuildConvTranspose},
    {"Conv3DTranspose", &ParseConvTranspose<3>, &BuildConvTranspose},
};

}  // namespace

std::span<const LayerSpec> ConvTransposeLayerSpecs() { return kSpecs; }

}  // namespace kgate::keras::layers
