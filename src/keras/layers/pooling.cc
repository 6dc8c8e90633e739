// Pooling layers (Keras 3 base_pooling / base_global_pooling):
// MaxPooling1D/2D/3D, AveragePooling1D/2D/3D, GlobalMaxPooling1D/2D/3D,
// GlobalAveragePooling1D/2D/3D. None has variables.
//
// Attributes:
//   Max/AveragePooling*D:
//     "rank"         int64   spatial dims (1, 2, 3)
//     "pool_size"    ints    rank entries
//     "strides"      ints    rank entries (a null config value means pool_size)
//     "padding"      string  "valid" | "same" (Keras does not lower-case it here)
//     "data_format"  string  "channels_last" | "channels_first"
//   Global*Pooling*D:
//     "rank", "data_format", "keepdims" (bool)
// The pooling mode is the class name (Max... / Average...). Average pooling
// with "same" padding divides by the number of non-padded elements.
// GlobalAveragePooling1D also accepts a keyword "mask" (batch, steps): masked
// steps are left out of the mean.
#include <span>
#include <vector>

#include "keras/layers/common_shapes.h"
#include "keras/layers/conv_shapes.h"
#include "keras/layers/families.h"
#include "util/status_macros.h"
#include "util/strings.h"

namespace kgate::keras::layers {
namespace {

using graph::Dims;
using graph::TensorSpec;

template <int kRank>
absl::Status ParsePooling(const ConfigView& config, const ParseContext&, graph::Layer& layer) {
  KGATE_RETURN_IF_ERROR(config.OnlyKeys({"pool_size", "padding", "strides", "data_format"}));
  const size_t n = static_cast<size_t>(kRank);
  KGATE_ASSIGN_OR_RETURN(std::vector<int64_t> pool_size, config.IntTuple("pool_size", n, 1, kMaxKernelExtent));
  std::vector<int64_t> strides = pool_size;
  if (!config.IsNull("strides")) {
    // Keras allows 0 here (allow_zero=True) but then divides by it; refused.
    KGATE_ASSIGN_OR_RETURN(strides, config.IntTuple("strides", n, 1, kMaxKernelExtent));
  }
  KGATE_ASSIGN_OR_RETURN(std::string padding, config.Enum("padding", {"valid", "same"}, "valid"));
  KGATE_ASSIGN_OR_RETURN(std::string data_format, ReadDataFormat(config));
  layer.attrs.Set("rank", int64_t{kRank});
  layer.attrs.Set("pool_size", std::move(pool_size));
  layer.attrs.Set("strides", std::move(strides));
  layer.attrs.Set("padding", std::move(padding));
  layer.attrs.Set("data_format", std::move(data_format));
  return absl::OkStatus();
}

absl::Status BuildPooling(graph::Layer& layer, std::span<const TensorSpec> inputs, const graph::Node& node,
                          std::vector<TensorSpec>* outputs) {
  KGATE_RETURN_IF_ERROR(CheckCallInputs(layer, inputs, node, 1));
  const int64_t rank = layer.attrs.GetInt("rank", 0);
  const std::vector<int64_t> pool = layer.attrs.GetInts("pool_size");
  const std::vector<int64_t> strides = layer.attrs.GetInts("strides");
  const std::string padding = layer.attrs.GetString("padding", "valid");
  const std::string data_format = layer.attrs.GetString("data_format", "channels_last");
  const TensorSpec& in = inputs[0];
  KGATE_RETURN_IF_ERROR(ForLayer(layer, CheckRank(in, rank + 2, rank + 2)));
  Dims out = in.shape;
  std::vector<int64_t> spatial = SpatialAxes(data_format, rank + 2);
  for (size_t i = 0; i < spatial.size(); ++i) {
    size_t axis = static_cast<size_t>(spatial[i]);
    absl::StatusOr<int64_t> len = PoolOutputLength(in.shape[axis], pool[i], padding, strides[i]);
    if (!len.ok()) return ForLayer(layer, len.status());
    out[axis] = *len;
  }
  KGATE_RETURN_IF_ERROR(DeclareWeights(layer, {}));
  outputs->push_back({OutputDType(layer), std::move(out)});
  return absl::OkStatus();
}

template <int kRank>
absl::Status ParseGlobalPooling(const ConfigView& config, const ParseContext&, graph::Layer& layer) {
  KGATE_RETURN_IF_ERROR(config.OnlyKeys({"data_format", "keepdims"}));
  KGATE_ASSIGN_OR_RETURN(std::string data_format, ReadDataFormat(config));
  KGATE_ASSIGN_OR_RETURN(bool keepdims, config.Bool("keepdims", false));
  layer.attrs.Set("rank", int64_t{kRank});
  layer.attrs.Set("data_format", std::move(data_format));
  layer.attrs.Set("keepdims", keepdims);
  return absl::OkStatus();
}

absl::Status BuildGlobalPooling(graph::Layer& layer, std::span<const TensorSpec> inputs, const graph::Node& node,
                                std::vector<TensorSpec>* outputs) {
  const bool takes_mask = layer.class_name == "GlobalAveragePooling1D";
  if (takes_mask) {
    KGATE_RETURN_IF_ERROR(CheckCallInputs(layer, inputs, node, 1, {"mask"}));
  } else {
    KGATE_RETURN_IF_ERROR(CheckCallInputs(layer, inputs, node, 1));
  }
  const int64_t rank = layer.attrs.GetInt("rank", 0);
  const std::string data_format = layer.attrs.GetString("data_format", "channels_last");
  const bool keepdims = layer.attrs.GetBool("keepdims", false);
  const TensorSpec& in = inputs[0];
  KGATE_RETURN_IF_ERROR(ForLayer(layer, CheckRank(in, rank + 2, rank + 2)));
  if (const TensorSpec* mask = KeywordInput(inputs, node, "mask")) {
    // (batch, steps), matching the input's batch and steps.
    const size_t steps_axis = data_format == "channels_last" ? 1 : 2;
    if (mask->shape.size() != 2 || !DimsCompatible(mask->shape[0], in.shape[0]) ||
        !DimsCompatible(mask->shape[1], in.shape[steps_axis])) {
      return LayerError(layer, util::StrCat("mask of shape ", graph::ShapeString(mask->shape),
                                            " does not match input ", graph::ShapeString(in.shape),
                                            " (expected (batch, steps))"));
    }
  }
  const size_t channel_axis = static_cast<size_t>(ChannelAxis(data_format, rank + 2));
  Dims out = {in.shape[0]};
  if (data_format == "channels_first") out.push_back(in.shape[channel_axis]);
  if (keepdims) out.insert(out.end(), static_cast<size_t>(rank), 1);
  if (data_format == "channels_last") out.push_back(in.shape[channel_axis]);
  KGATE_RETURN_IF_ERROR(DeclareWeights(layer, {}));
  outputs->push_back({OutputDType(layer), std::move(out)});
  return absl::OkStatus();
}

constexpr LayerSpec kSpecs[] = {
    {"AveragePooling1D", &ParsePooling<1>, &BuildPooling},
    {"AveragePooling2D", &ParsePooling<2>, &BuildPooling},
    {"AveragePooling3D", &ParsePooling<3>, &BuildPooling},
    {"GlobalAveragePooling1D", &ParseGlobalPooling<1>, &BuildGlobalPooling},
    {"GlobalAveragePooling2D", &ParseGlobalPooling<2>, &BuildGlobalPooling},
    {"GlobalAveragePooling3D", &ParseGlobalPooling<3>, &BuildGlobalPooling},
    {"GlobalMaxPooling1D", &ParseGlobalPooling<1>, &BuildGlobalPooling},
    {"GlobalMaxPooling2D", &ParseGlobalPooling<2>, &BuildGlobalPooling},
    {"GlobalMaxPooling3D", &ParseGlobalPooling<3>, &BuildGlobalPooling},
    {"MaxPooling1D", &ParsePooling<1>, &BuildPooling},
    {"MaxPooling2D", &ParsePooling<2>, &BuildPooling},
    {"MaxPooling3D", &ParsePooling<3>, &BuildPooling},
};

}  // namespace

std::span<const LayerSpec> PoolingLayerSpecs() { return kSpecs; }

}  // namespace kgate::keras::layers
