#include "keras/layer_registry.h"

#include <algorithm>
#include <utility>

#include "util/strings.h"
#include "keras/layers/families.h"
#include "util/rules.h"

namespace kgate::keras {
namespace {

using Table = std::vector<const LayerSpec*>;

// Built on first use from the family tables, sorted by class name; a class
// listed twice is a programming error caught by the registry test.
const Table& SortedSpecs() {
  static const Table* table = [] {
    auto* t = new Table;
    for (auto family : {layers::CoreLayerSpecs(), layers::ReshapingLayerSpecs(), layers::MergeLayerSpecs(),
                        layers::NormalizationLayerSpecs(), layers::ActivationLayerSpecs(),
                        layers::PreprocessingLayerSpecs(), layers::AttentionLayerSpecs(),
                        layers::ConvolutionLayerSpecs(), layers::PoolingLayerSpecs(),
                        layers::RecurrentLayerSpecs(), layers::WrapperLayerSpecs(),
                        layers::ApplicationLayerSpecs(), layers::NumpyOpLayerSpecs(),
                        layers::ModelLayerSpecs()}) {
      for (const LayerSpec& s : family) t->push_back(&s);
    }
    std::sort(t->begin(), t->end(),
              [](const LayerSpec* a, const LayerSpec* b) { return a->class_name < b->class_name; });
    return t;
  }();
  return *table;
}

}  // namespace

const LayerSpec* FindLayerSpec(std::string_view class_name) {
  const Table& t = SortedSpecs();
  auto it = std::lower_bound(t.begin(), t.end(), class_name,
                             [](const LayerSpec* s, std::string_view v) { return s->class_name < v; });
  return it != t.end() && (*it)->class_name == class_name ? *it : nullptr;
}

std::vector<std::string_view> AllowlistedLayerClasses() {
  std::vector<std::string_view> out;
  for (const LayerSpec* s : SortedSpecs()) out.push_back(s->class_name);
  return out;
}

absl::Status LayerError(const graph::Layer& layer, std::string_view message) {
  return util::RuleError(util::rules::kConfigInvalid,
                         util::StrCat("layer '", layer.name, "' (", layer.class_name, "): ", message));
}

absl::Status BuildLayer(graph::Layer& layer, std::span<const graph::TensorSpec> inputs,
                        const graph::Node& node, std::vector<graph::TensorSpec>* outputs) {
  const LayerSpec* spec = FindLayerSpec(layer.class_name);
  if (spec == nullptr) {
    return util::RuleError(util::rules::kUnknownClass,
                           util::StrCat("layer '", layer.name, "': class '", layer.class_name,
                                        "' is not on kgate's allowlist"));
  }
  return spec->build(layer, inputs, node, outputs);
}

absl::Status DeclareWeights(graph::Layer& layer, std::vector<WeightDecl> weights) {
  if (layer.built) {
    bool same = layer.weights.size() == weights.size();
    for (size_t i = 0; same && i < weights.size(); ++i) {
      same = layer.weights[i].name == weights[i].name && layer.weights[i].shape == weights[i].shape &&
             layer.weights[i].group == weights[i].group;
    }
    if (!same) {
      return LayerError(layer, "a later call of this shared layer needs variables of other shapes than its first call");
    }
    return absl::OkStatus();
  }
  layer.weights.clear();
  for (WeightDecl& d : weights) {
    graph::Weight w;
    w.name = std::move(d.name);
    w.group = std::move(d.group);
    w.shape = std::move(d.shape);
    w.trainable = d.trainable;
    for (int64_t dim : w.shape) {
      if (dim < 0 || dim > kMaxDim) {
        return LayerError(layer, util::StrCat("variable '", w.name, "' would have shape ",
                                              graph::ShapeString(w.shape), "; every dimension must be known and <= ",
                                              kMaxDim));
      }
    }
    layer.weights.push_back(std::move(w));
  }
  layer.built = true;
  return absl::OkStatus();
}

}  // namespace kgate::keras
