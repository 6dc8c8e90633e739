// Sequential and Functional models used as layers inside other models (and
// as the top-level model: the loader parses the root envelope through the
// same spec). Attributes: none; the nested graph is graph::Layer::model,
// built by keras/model_builder (ParseNestedModel), and a call maps the
// nested model's outputs (CallNestedModel). The model's own variables are
// none: every weight belongs to its layers.
#include "keras/layers/families.h"
#include "keras/model_builder.h"
#include "util/strings.h"

namespace kgate::keras::layers {
namespace {

absl::Status ParseSequential(const ConfigView& config, const ParseContext& ctx, graph::Layer& layer) {
  return ParseNestedModel("Sequential", config, ctx, layer);
}

absl::Status ParseFunctional(const ConfigView& config, const ParseContext& ctx, graph::Layer& layer) {
  return ParseNestedModel("Functional", config, ctx, layer);
}

absl::Status BuildModelCall(graph::Layer& layer, std::span<const graph::TensorSpec> inputs, const graph::Node& node,
                            std::vector<graph::TensorSpec>* outputs) {
  if (!node.keyword_inputs.empty()) {
    return LayerError(layer, util::StrCat("tensor keyword argument '", node.keyword_inputs[0].first,
                                          "' to a nested model is not supported"));
  }
  return CallNestedModel(layer, inputs, outputs);
}

constexpr LayerSpec kSpecs[] = {
    {"Functional", ParseFunctional, BuildModelCall},
    {"Sequential", ParseSequential, BuildModelCall},
};

}  // namespace

std::span<const LayerSpec> ModelLayerSpecs() { return kSpecs; }

}  // namespace kgate::keras::layers
