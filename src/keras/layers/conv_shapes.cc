#include "keras/layers/conv_shapes.h"

#include <algorithm>
#include <cctype>

#include "keras/activations.h"
#include "keras/layer_registry.h"
#include "keras/layers/common_shapes.h"
#include "util/status_macros.h"
#include "util/strings.h"

namespace kgate::keras::layers {

absl::StatusOr<ConvGeometry> ReadConvGeometry(const ConfigView& config, int64_t rank, bool causal,
                                              graph::Attributes& attrs) {
  ConvGeometry g;
  g.rank = rank;
  const size_t n = static_cast<size_t>(rank);
  KGATE_ASSIGN_OR_RETURN(g.kernel_size, config.IntTuple("kernel_size", n, 1, kMaxKernelExtent));
  if (config.IsNull("strides")) {
    g.strides.assign(n, 1);
  } else {
    KGATE_ASSIGN_OR_RETURN(g.strides, config.IntTuple("strides", n, 1, kMaxKernelExtent));
  }
  if (config.IsNull("dilation_rate")) {
    g.dilation_rate.assign(n, 1);
  } else {
    KGATE_ASSIGN_OR_RETURN(g.dilation_rate, config.IntTuple("dilation_rate", n, 1, kMaxKernelExtent));
  }
  // standardize_padding lower-cases the string; a list of explicit pads is
  // passed through by Keras but no conv op accepts it, so it is refused here.
  if (config.IsNull("padding")) {
    g.padding = "valid";
  } else {
    KGATE_ASSIGN_OR_RETURN(std::string padding, config.String("padding"));
    std::transform(padding.begin(), padding.end(), padding.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (padding != "valid" && padding != "same" && !(causal && padding == "causal")) {
      return config.Error("padding", util::StrCat("expected 'valid', 'same'", causal ? " or 'causal'" : "",
                                                  ", got '", padding, "'"));
    }
    g.padding = std::move(padding);
  }
  KGATE_ASSIGN_OR_RETURN(g.data_format, ReadDataFormat(config));
  attrs.Set("rank", rank);
  attrs.Set("kernel_size", g.kernel_size);
  attrs.Set("strides", g.strides);
  attrs.Set("dilation_rate", g.dilation_rate);
  attrs.Set("padding", g.padding);
  attrs.Set("data_format", g.data_format);
  return g;
}

absl::Status ReadActivationAndBias(const ConfigView& config, graph::Attributes& attrs) {
  KGATE_ASSIGN_OR_RETURN(std::string activation, ReadActivation(config, "activation"));
  KGATE_ASSIGN_OR_RETURN(bool use_bias, config.Bool("use_bias", true));
  attrs.Set("activation", std::move(activation));
  attrs.Set("use_bias", use_bias);
  return absl::OkStatus();
}

absl::Status RefuseLora(const ConfigView& config) {
  if (!config.IsNull("lora_rank")) {
    return config.Error("lora_rank", "LoRA-enabled layers are not supported; merge the adapter and re-save");
  }
  return absl::OkStatus();
}

absl::Status CheckCallInputs(const graph::Layer& layer, std::span<const graph::TensorSpec> inputs,
                             const graph::Node& node, size_t positional,
                             std::initializer_list<std::string_view> keywords) {
  const size_t given_positional = node.inputs.size();
  if (given_positional != positional || inputs.size() != given_positional + node.keyword_inputs.size()) {
    return LayerError(layer, util::StrCat("expected ", positional, " positional input tensor(s), got ",
                                          given_positional));
  }
  for (size_t i = 0; i < node.keyword_inputs.size(); ++i) {
    const std::string& name = node.keyword_inputs[i].first;
    bool known = std::find(keywords.begin(), keywords.end(), name) != keywords.end();
    if (!known) {
      std::string allowed = keywords.size() == 0 ? std::string("none") : util::StrJoin(keywords, ", ");
      return LayerError(layer, util::StrCat("unexpected keyword input tensor '", name, "' (accepted: ", allowed,
                                            ")"));
    }
    if (name == "initial_state") continue;
    for (size_t j = 0; j < i; ++j) {
      if (node.keyword_inputs[j].first == name) {
        return LayerError(layer, util::StrCat("keyword input tensor '", name, "' is given more than once"));
      }
    }
  }
  return absl::OkStatus();
}

const graph::TensorSpec* KeywordInput(std::span<const graph::TensorSpec> inputs, const graph::Node& node,
                                      std::string_view name) {
  for (size_t i = 0; i < node.keyword_inputs.size(); ++i) {
    size_t index = node.inputs.size() + i;
    if (node.keyword_inputs[i].first == name && index < inputs.size()) return &inputs[index];
  }
  return nullptr;
}

util::DType OutputDType(const graph::Layer& layer) {
  const std::string* name = layer.attrs.Get<std::string>("compute_dtype");
  if (name != nullptr) {
    if (auto t = util::ParseDType(*name)) return *t;
  }
  return util::DType::kFloat32;
}

absl::StatusOr<int64_t> KnownChannels(const graph::Layer& layer, const graph::TensorSpec& spec,
                                      std::string_view data_format) {
  int64_t rank = static_cast<int64_t>(spec.shape.size());
  int64_t channels = spec.shape[static_cast<size_t>(ChannelAxis(data_format, rank))];
  if (channels == graph::kUnknownDim) {
    return LayerError(layer, util::StrCat("the channel dimension of input ", graph::ShapeString(spec.shape),
                                          " (", data_format, ") must be known to build the kernel"));
  }
  return channels;
}

}  // namespace kgate::keras::layers
