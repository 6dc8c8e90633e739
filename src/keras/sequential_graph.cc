#include "keras/sequential_graph.h"

#include <string>
#include <unordered_set>
#include <utility>
#include <vector>

#include "keras/model_builder.h"
#include "util/rules.h"
#include "util/status_macros.h"
#include "util/strings.h"

namespace kgate::keras {
namespace {

using io::json::Value;
namespace rules = util::rules;

bool IsInputLayer(const graph::Layer& l) { return l.class_name == "InputLayer"; }

// The input shape of a Sequential without an InputLayer, as Sequential.build
// would get it: build_input_shape, else the first layer's (legacy)
// batch_shape / batch_input_shape. nullopt when the model was never built.
absl::StatusOr<std::optional<std::pair<const Value*, std::string>>> FindInputShape(const ConfigView& config,
                                                                                    const Value& layers) {
  if (const Value* s = config.Find("build_input_shape"); s != nullptr && !s->is_null()) {
    return std::optional(std::make_pair(s, config.Location("build_input_shape")));
  }
  if (!layers.array().empty()) {
    const Value* first = layers.array()[0].Find("config");
    for (std::string_view key : {std::string_view("batch_shape"), std::string_view("batch_input_shape")}) {
      const Value* s = first != nullptr ? first->Find(key) : nullptr;
      if (s != nullptr && !s->is_null()) {
        return std::optional(std::make_pair(s, util::StrCat(config.Location("layers"), "/0/config/", key)));
      }
    }
  }
  return std::optional<std::pair<const Value*, std::string>>();
}

// An InputLayer envelope like the one Sequential.build creates.
Value SynthesizedInputLayer(const Value& shape, std::string_view dtype, std::string name) {
  io::json::Object config;
  config.emplace_back("batch_shape", shape);
  config.emplace_back("dtype", Value::String(std::string(dtype)));
  config.emplace_back("name", Value::String(std::move(name)));
  io::json::Object env;
  env.emplace_back("class_name", Value::String("InputLayer"));
  env.emplace_back("config", Value::MakeObject(std::move(config)));
  return Value::MakeObject(std::move(env));
}

// build_config.input_shape of a layer entry, when Keras recorded a single shape.
absl::Status CheckBuildConfig(const Value& entry, const std::string& location, const graph::Layer& layer,
                              std::span<const graph::TensorSpec> inputs) {
  if (layer.model != nullptr || inputs.size() != 1) return absl::OkStatus();
  const Value* bc = entry.Find("build_config");
  const Value* shape = bc != nullptr && bc->is_object() ? bc->Find("input_shape") : nullptr;
  if (shape == nullptr || !shape->is_array()) return absl::OkStatus();
  for (const Value& d : shape->array()) {
    if (d.is_array()) return absl::OkStatus();  // a list of shapes: not a single-input record
  }
  std::string loc = util::StrCat(location, "/build_config/input_shape");
  KGATE_ASSIGN_OR_RETURN(graph::Dims dims, model_internal::ParseShape(*shape, loc));
  if (dims != inputs[0].shape) {
    return util::RuleError(rules::kConfigInvalid,
                           util::StrCat(loc, ": layer '", layer.name, "' is called on shape ",
                                        graph::ShapeString(inputs[0].shape), " but the config records ",
                                        graph::ShapeString(dims)));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::unique_ptr<graph::Graph>> BuildSequentialGraph(const ConfigView& config, const ParseContext& ctx) {
  KGATE_RETURN_IF_ERROR(config.OnlyKeys({"layers", "build_input_shape"}));
  const Value* layers = config.Find("layers");
  if (layers == nullptr || !layers->is_array()) return config.Error("layers", "expected a list of layers");

  auto g = std::make_unique<graph::Graph>();
  g->infer_shapes = &BuildLayer;
  g->class_name = "Sequential";
  std::vector<const Value*> entries;     // per graph layer; nullptr for a synthesized one
  std::vector<std::string> locations;
  std::unordered_set<std::string> names;
  bool failed = false;
  for (size_t i = 0; i < layers->array().size(); ++i) {
    std::string loc = util::StrCat(config.Location("layers"), "/", i);
    auto layer = ctx.parse_layer(layers->array()[i], loc);
    if (!layer.ok()) {
      if (!model_internal::IsAlreadyReported(layer.status())) return layer.status();
      failed = true;
      continue;
    }
    if (IsInputLayer(**layer) && i != 0) {
      return util::RuleError(rules::kConfigInvalid, util::StrCat(loc, ": an InputLayer may only be a Sequential's first layer"));
    }
    if (!names.insert((*layer)->name).second) {
      return util::RuleError(rules::kGraphInvalid, util::StrCat(loc, ": duplicate layer name '", (*layer)->name, "'"));
    }
    g->layers.push_back(std::move(*layer));
    entries.push_back(&layers->array()[i]);
    locations.push_back(std::move(loc));
  }
  if (failed) return model_internal::AlreadyReported();

  if (g->layers.empty() || !IsInputLayer(*g->layers[0])) {
    KGATE_ASSIGN_OR_RETURN(auto shape, FindInputShape(config, *layers));
    if (!shape) {
      return util::RuleError(rules::kConfigInvalid,
                             util::StrCat(config.location(), ": the Sequential model is not built (no InputLayer, no "
                                                             "build_input_shape): its input shape is unknown"));
    }
    std::string dtype = g->layers.empty() ? "float32" : g->layers[0]->attrs.GetString("compute_dtype", "float32");
    std::string name = "input_layer";
    for (int k = 1; names.count(name) > 0; ++k) name = util::StrCat("input_layer_", k);
    Value env = SynthesizedInputLayer(*shape->first, dtype, name);
    KGATE_ASSIGN_OR_RETURN(auto input, ctx.parse_layer(env, shape->second));
    g->layers.insert(g->layers.begin(), std::move(input));
    entries.insert(entries.begin(), nullptr);
    locations.insert(locations.begin(), shape->second);
  }

  for (size_t i = 0; i < g->layers.size(); ++i) {
    graph::Node node;
    node.layer = static_cast<int32_t>(i);
    std::vector<graph::TensorSpec> in;
    if (i > 0) {
      const graph::Node& prev = g->nodes.back();
      for (size_t k = 0; k < prev.outputs.size(); ++k) {
        node.inputs.push_back(graph::TensorRef{static_cast<int32_t>(i - 1), static_cast<int32_t>(k)});
        in.push_back(prev.outputs[k]);
      }
      if (entries[i] != nullptr) KGATE_RETURN_IF_ERROR(CheckBuildConfig(*entries[i], locations[i], *g->layers[i], in));
    }
    absl::Status s = BuildLayer(*g->layers[i], in, node, &node.outputs);
    if (s.ok()) s = model_internal::CheckOutputSizes(*g->layers[i], node.outputs);
    if (!s.ok()) {
      if (model_internal::IsAlreadyReported(s)) return s;
      return util::Annotate(s, util::StrCat(locations[i], ": "));
    }
    g->nodes.push_back(std::move(node));
  }
  if (g->nodes[0].outputs.size() != 1) {
    return util::RuleError(rules::kConfigInvalid, util::StrCat(locations[0], ": the input layer must have one output"));
  }
  g->inputs.push_back(graph::TensorRef{0, 0});
  g->input_names.push_back(g->layers[0]->name);
  const graph::Node& last = g->nodes.back();
  for (size_t k = 0; k < last.outputs.size(); ++k) {
    g->outputs.push_back(graph::TensorRef{static_cast<int32_t>(g->nodes.size() - 1), static_cast<int32_t>(k)});
    g->output_names.push_back(g->layers.back()->name);
  }
  return g;
}

}  // namespace kgate::keras
