// TimeDistributed (Keras 3 rnn/time_distributed.py): applies the wrapped
// layer to every time step of a (batch, T, ...) input.
//
// Config: "layer", the inner layer's envelope, parsed through
// ParseContext::parse_layer (same allowlist and audit as any layer) and kept
// as sublayers[0] with attr_key "layer"; its variables are saved under
// layer/vars (layer/cell/vars for an RNN).
// Attributes: none. The TimeDistributed layer has no variables of its own.
//
// A call takes one positional tensor of rank >= 3 and an optional keyword
// "mask" (batch, T, ...). The inner layer is built on the input without the
// time axis, (batch, d2, ...), and must produce exactly one output
// (batch, o1, ...); the call outputs (batch, T, o1, ...) in the wrapper's
// own compute dtype. The mask is checked against the input but not passed on.
#include <span>
#include <vector>

#include "keras/layers/common_shapes.h"
#include "keras/layers/conv_shapes.h"
#include "keras/layers/families.h"
#include "util/rules.h"
#include "util/status_macros.h"
#include "util/strings.h"

namespace kgate::keras::layers {
namespace {

using graph::Dims;
using graph::TensorSpec;

absl::Status ParseTimeDistributed(const ConfigView& config, const ParseContext& ctx, graph::Layer& layer) {
  KGATE_RETURN_IF_ERROR(config.OnlyKeys({"layer"}));
  const io::json::Value* envelope = config.Find("layer");
  if (envelope == nullptr || !envelope->is_object()) return config.Error("layer", "expected a layer object");
  if (!ctx.parse_layer) return config.Error("layer", "nested layers cannot be parsed in this context");
  KGATE_ASSIGN_OR_RETURN(std::unique_ptr<graph::Layer> inner, ctx.parse_layer(*envelope, config.Location("layer")));
  if (inner == nullptr) return config.Error("layer", "nested layer could not be parsed");
  if (inner->class_name == "InputLayer") return config.Error("layer", "TimeDistributed cannot wrap an InputLayer");
  inner->attr_key = "layer";
  layer.sublayers.clear();
  layer.sublayers.push_back(std::move(inner));
  return absl::OkStatus();
}

absl::Status BuildTimeDistributed(graph::Layer& layer, std::span<const TensorSpec> inputs, const graph::Node& node,
                                  std::vector<TensorSpec>* outputs) {
  KGATE_RETURN_IF_ERROR(CheckCallInputs(layer, inputs, node, 1, {"mask"}));
  if (layer.sublayers.size() != 1 || layer.sublayers[0] == nullptr) {
    return LayerError(layer, "the wrapped layer is missing");
  }
  graph::Layer& inner = *layer.sublayers[0];
  const TensorSpec& in = inputs[0];
  KGATE_RETURN_IF_ERROR(ForLayer(layer, CheckRank(in, 3, kMaxRank)));
  if (const TensorSpec* mask = KeywordInput(inputs, node, "mask")) {
    const Dims& m = mask->shape;
    if (m.size() < 2 || !DimsCompatible(m[0], in.shape[0]) || !DimsCompatible(m[1], in.shape[1])) {
      return LayerError(layer, util::StrCat("mask of shape ", graph::ShapeString(m), " does not match input ",
                                            graph::ShapeString(in.shape), " (expected (batch, steps, ...))"));
    }
  }

  TensorSpec step = in;
  step.shape.erase(step.shape.begin() + 1);
  graph::Node inner_node;
  inner_node.inputs.push_back(graph::TensorRef{});
  std::vector<TensorSpec> inner_in = {step};
  std::vector<TensorSpec> inner_out;
  KGATE_RETURN_IF_ERROR(util::Annotate(BuildLayer(inner, inner_in, inner_node, &inner_out),
                                       util::StrCat("layer '", layer.name, "' (TimeDistributed): ")));
  if (inner_out.size() != 1 || inner_out[0].shape.empty()) {
    return LayerError(layer, util::StrCat("the wrapped layer must produce one tensor with a batch axis, got ",
                                          inner_out.size(), " output(s)"));
  }
  if (static_cast<int64_t>(inner_out[0].shape.size()) + 1 > kMaxRank) {
    return LayerError(layer, util::StrCat("output rank would exceed ", kMaxRank));
  }
  KGATE_RETURN_IF_ERROR(DeclareWeights(layer, {}));
  // Keras types the output with the wrapper's own compute dtype.
  TensorSpec out = {OutputDType(layer), std::move(inner_out[0].shape)};
  out.shape.insert(out.shape.begin() + 1, in.shape[1]);
  outputs->push_back(std::move(out));
  return absl::OkStatus();
}

constexpr LayerSpec kSpecs[] = {
    {"TimeDistributed", &ParseTimeDistributed, &BuildTimeDistributed},
};

}  // namespace

std::span<const LayerSpec> WrapperLayerSpecs() { return kSpecs; }

}  // namespace kgate::keras::layers
