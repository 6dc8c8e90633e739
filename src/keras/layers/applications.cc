// Layer classes that keras.applications architectures save and that are not
// keras.layers classes. Each is registered by Keras under its bare class name
// and saved with its application module:
//   LayerScale        module "keras.src.applications.convnext"             (ConvNeXt*)
//   CustomScaleLayer  module "keras.src.applications.inception_resnet_v2"  (InceptionResNetV2)
// Every other class those architectures save is an ordinary keras.layers
// class, except keras.ops calls recorded as functional nodes (numpy_ops.cc).
//
// LayerScale(init_values, projection_dim): x * gamma.
//   Attributes: "init_values" double (initializer only), "projection_dim" int64.
//   Variables:  variable (projection_dim,)  (Keras's add_weight without a name)
//   Output:     broadcast(x.shape, (projection_dim,)).
// CustomScaleLayer(scale): inputs[0] + inputs[1] * scale.
//   Attributes: "scale" double.   Variables: none.
//   A call takes exactly two positional tensors (the Keras list [x, r]);
//   output: broadcast(x.shape, r.shape).
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

absl::Status ParseLayerScale(const ConfigView& config, const ParseContext&, graph::Layer& layer) {
  KGATE_RETURN_IF_ERROR(config.OnlyKeys({"init_values", "projection_dim"}));
  KGATE_ASSIGN_OR_RETURN(double init_values, config.Float("init_values"));
  KGATE_ASSIGN_OR_RETURN(int64_t projection_dim, config.Int("projection_dim", 1, kMaxUnits));
  layer.attrs.Set("init_values", init_values);
  layer.attrs.Set("projection_dim", projection_dim);
  return absl::OkStatus();
}

absl::Status BuildLayerScale(graph::Layer& layer, std::span<const TensorSpec> inputs, const graph::Node& node,
                             std::vector<TensorSpec>* outputs) {
  KGATE_RETURN_IF_ERROR(CheckCallInputs(layer, inputs, node, 1));
  const int64_t dim = layer.attrs.GetInt("projection_dim", 0);
  KGATE_RETURN_IF_ERROR(ForLayer(layer, CheckRank(inputs[0], 1, kMaxRank)));
  absl::StatusOr<Dims> out = BroadcastShapes(inputs[0].shape, Dims{dim});
  if (!out.ok()) return ForLayer(layer, out.status());
  KGATE_RETURN_IF_ERROR(DeclareWeights(layer, {{"variable", {dim}, true, ""}}));
  outputs->push_back({OutputDType(layer), std::move(*out)});
  return absl::OkStatus();
}

absl::Status ParseCustomScale(const ConfigView& config, const ParseContext&, graph::Layer& layer) {
  KGATE_RETURN_IF_ERROR(config.OnlyKeys({"scale"}));
  KGATE_ASSIGN_OR_RETURN(double scale, config.Float("scale"));
  layer.attrs.Set("scale", scale);
  return absl::OkStatus();
}

absl::Status BuildCustomScale(graph::Layer& layer, std::span<const TensorSpec> inputs, const graph::Node& node,
                              std::vector<TensorSpec>* outputs) {
  KGATE_RETURN_IF_ERROR(CheckCallInputs(layer, inputs, node, 2));
  absl::StatusOr<Dims> out = BroadcastShapes(inputs[0].shape, inputs[1].shape);
  if (!out.ok()) return ForLayer(layer, out.status());
  KGATE_RETURN_IF_ERROR(DeclareWeights(layer, {}));
  outputs->push_back({OutputDType(layer), std::move(*out)});
  return absl::OkStatus();
}

constexpr LayerSpec kSpecs[] = {
    {"CustomScaleLayer", &ParseCustomScale, &BuildCustomScale},
    {"LayerScale", &ParseLayerScale, &BuildLayerScale},
};

}  // namespace

std::span<const LayerSpec> ApplicationLayerSpecs() { return kSpecs; }

}  // namespace kgate::keras::layers
