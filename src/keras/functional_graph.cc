#include "keras/functional_graph.h"

#include <functional>
#include <queue>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "keras/inbound_nodes.h"
#include "keras/keras_names.h"
#include "keras/model_builder.h"
#include "util/rules.h"
#include "util/status_macros.h"
#include "util/strings.h"

namespace kgate::keras {
namespace {

using io::json::Value;
namespace rules = util::rules;

absl::Status GraphError(std::string_view location, std::string_view message) {
  return util::RuleError(rules::kGraphInvalid, util::StrCat(location, ": ", message));
}

// A model level being assembled: parsed layers plus every call of them.
struct Level {
  std::vector<std::unique_ptr<graph::Layer>> layers;
  std::vector<std::string> locations;              // per layer
  std::unordered_map<std::string, size_t> by_name;  // layer name -> index
  std::vector<size_t> first_call;                   // per layer: id of its call 0
  std::vector<size_t> num_calls;                    // per layer
  std::vector<CallReference> calls;                 // by id
};

bool IsInputLayer(const graph::Layer& l) { return l.class_name == "InputLayer"; }

// The id of the call `ref` names, or a KG-K009 error. `endpoint` applies the
// Functional built-in-node quirk of input_layers/output_layers.
absl::StatusOr<size_t> Resolve(const Level& level, const TensorReference& ref, bool endpoint) {
  auto it = level.by_name.find(ref.layer);
  if (it == level.by_name.end()) {
    return GraphError(ref.location, util::StrCat("references layer '", ref.layer, "', which this model does not have"));
  }
  size_t j = it->second;
  int64_t node = ref.node;
  if (endpoint && level.layers[j]->class_name == "Functional") --node;  // counts from 1 (keras-format.md b.3)
  if (node < 0 || static_cast<uint64_t>(node) >= level.num_calls[j]) {
    return GraphError(ref.location, util::StrCat("references call ", ref.node, " of layer '", ref.layer,
                                                 "', which is called ", level.num_calls[j], " time(s) in this model"));
  }
  return level.first_call[j] + static_cast<size_t>(node);
}

// Kahn's algorithm, always taking the lowest pending id so that a valid
// Keras order (config order) is kept. KG-K009 names layers left in a cycle.
absl::StatusOr<std::vector<size_t>> TopologicalOrder(const Level& level, const std::string& location) {
  size_t n = level.calls.size();
  std::vector<std::vector<size_t>> dependents(n);
  std::vector<size_t> indegree(n, 0);
  for (size_t id = 0; id < n; ++id) {
    const CallReference& c = level.calls[id];
    auto add = [&](const TensorReference& r) -> absl::Status {
      KGATE_ASSIGN_OR_RETURN(size_t dep, Resolve(level, r, false));
      dependents[dep].push_back(id);
      ++indegree[id];
      return absl::OkStatus();
    };
    for (const TensorReference& r : c.args) KGATE_RETURN_IF_ERROR(add(r));
    for (const auto& kw : c.kwargs) KGATE_RETURN_IF_ERROR(add(kw.second));
  }
  std::priority_queue<size_t, std::vector<size_t>, std::greater<>> ready;
  for (size_t id = 0; id < n; ++id) {
    if (indegree[id] == 0) ready.push(id);
  }
  std::vector<size_t> order;
  order.reserve(n);
  while (!ready.empty()) {
    size_t id = ready.top();
    ready.pop();
    order.push_back(id);
    for (size_t d : dependents[id]) {
      if (--indegree[d] == 0) ready.push(d);
    }
  }
  if (order.size() != n) {
    std::vector<std::string> names;
    for (size_t id = 0; id < n && names.size() < 8; ++id) {
      if (indegree[id] > 0) names.push_back(util::StrCat("'", level.layers[level.calls[id].layer]->name, "'"));
    }
    return GraphError(location, util::StrCat("the layer graph has a cycle through ", util::StrJoin(names, ", "),
                                             "; a functional model must be acyclic"));
  }
  return order;
}

absl::Status CheckDeclared(const TensorReference& ref, const graph::TensorSpec& spec) {
  if (ref.has_shape && ref.shape != spec.shape) {
    return util::RuleError(rules::kConfigInvalid,
                           util::StrCat(ref.location, ": output ", ref.tensor, " of layer '", ref.layer,
                                        "' has inferred shape ", graph::ShapeString(spec.shape),
                                        " but the config records ", graph::ShapeString(ref.shape)));
  }
  if (ref.has_dtype && ref.dtype != spec.dtype) {
    return util::RuleError(rules::kConfigInvalid,
                           util::StrCat(ref.location, ": output ", ref.tensor, " of layer '", ref.layer,
                                        "' has inferred dtype ", util::DTypeName(spec.dtype),
                                        " but the config records ", util::DTypeName(ref.dtype)));
  }
  return absl::OkStatus();
}

absl::Status ParseLayers(const ConfigView& config, const ParseContext& ctx, Level* level) {
  const Value* layers = config.Find("layers");
  if (layers == nullptr || !layers->is_array()) return config.Error("layers", "expected a list of layers");
  bool failed = false;
  for (size_t i = 0; i < layers->array().size(); ++i) {
    const Value& entry = layers->array()[i];
    std::string loc = util::StrCat(config.Location("layers"), "/", i);
    auto layer = ctx.parse_layer(entry, loc);
    if (!layer.ok()) {
      if (!model_internal::IsAlreadyReported(layer.status())) return layer.status();
      failed = true;  // reported; keep parsing the other layers for more findings
      continue;
    }
    const Value* name = entry.Find("name");
    if (name != nullptr && (!name->is_string() || name->string() != (*layer)->name)) {
      return util::RuleError(rules::kConfigInvalid,
                             util::StrCat(loc, "/name: the entry name differs from the layer's config name '",
                                          (*layer)->name, "'"));
    }
    if (!level->by_name.emplace((*layer)->name, level->layers.size()).second) {
      return GraphError(loc, util::StrCat("duplicate layer name '", (*layer)->name, "' in one model"));
    }
    level->layers.push_back(std::move(*layer));
    level->locations.push_back(loc);
  }
  if (failed) return model_internal::AlreadyReported();
  for (size_t i = 0; i < level->layers.size(); ++i) {
    const Value& entry = layers->array()[i];
    const Value* nodes = entry.Find("inbound_nodes");
    std::string loc = util::StrCat(level->locations[i], "/inbound_nodes");
    level->first_call.push_back(level->calls.size());
    if (nodes != nullptr && !nodes->is_null() && !nodes->is_array()) return GraphError(loc, "expected a list");
    size_t count = nodes != nullptr && nodes->is_array() ? nodes->array().size() : 0;
    if (IsInputLayer(*level->layers[i])) {
      if (count != 0) return GraphError(loc, "an InputLayer cannot have inbound nodes");
      CallReference c;
      c.layer = i;
      c.location = level->locations[i];
      level->calls.push_back(std::move(c));
      level->num_calls.push_back(1);
      continue;
    }
    if (level->calls.size() + count > kMaxModelNodes) {
      return util::RuleLimitError(rules::kConfigInvalid,
                                  util::StrCat(loc, ": more than ", kMaxModelNodes, " calls in one model"));
    }
    for (size_t k = 0; k < count; ++k) {
      KGATE_ASSIGN_OR_RETURN(CallReference c, ParseInboundNode(nodes->array()[k], util::StrCat(loc, "/", k), i,
                                                               IsOpSpecName(level->layers[i]->class_name)));
      level->calls.push_back(std::move(c));
    }
    level->num_calls.push_back(count);
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::unique_ptr<graph::Graph>> BuildFunctionalGraph(const ConfigView& config, const ParseContext& ctx) {
  KGATE_RETURN_IF_ERROR(config.OnlyKeys({"layers", "input_layers", "output_layers"}));
  Level level;
  KGATE_RETURN_IF_ERROR(ParseLayers(config, ctx, &level));
  KGATE_ASSIGN_OR_RETURN(std::vector<size_t> order, TopologicalOrder(level, config.Location("layers")));

  auto g = std::make_unique<graph::Graph>();
  g->infer_shapes = &BuildLayer;
  g->class_name = "Functional";
  std::vector<int32_t> node_of(level.calls.size(), -1);
  for (size_t id : order) {
    const CallReference& c = level.calls[id];
    graph::Node node;
    node.layer = static_cast<int32_t>(c.layer);
    node.call_args = c.call_args;
    std::vector<graph::TensorSpec> in;
    auto take = [&](const TensorReference& r) -> absl::StatusOr<graph::TensorRef> {
      KGATE_ASSIGN_OR_RETURN(size_t dep, Resolve(level, r, false));
      graph::TensorRef t{node_of[dep], static_cast<int32_t>(r.tensor)};
      const graph::Node& from = g->nodes[t.node];
      if (static_cast<size_t>(r.tensor) >= from.outputs.size()) {
        return GraphError(r.location, util::StrCat("references output ", r.tensor, " of layer '", r.layer,
                                                   "', which has ", from.outputs.size(), " output(s)"));
      }
      KGATE_RETURN_IF_ERROR(CheckDeclared(r, from.outputs[t.index]));
      in.push_back(from.outputs[t.index]);
      return t;
    };
    for (const TensorReference& r : c.args) {
      KGATE_ASSIGN_OR_RETURN(graph::TensorRef t, take(r));
      node.inputs.push_back(t);
    }
    for (const auto& [key, r] : c.kwargs) {
      KGATE_ASSIGN_OR_RETURN(graph::TensorRef t, take(r));
      node.keyword_inputs.emplace_back(key, t);
    }
    graph::Layer& layer = *level.layers[c.layer];
    absl::Status s = BuildLayer(layer, in, node, &node.outputs);
    if (s.ok()) s = model_internal::CheckOutputSizes(layer, node.outputs);
    if (!s.ok()) {
      if (model_internal::IsAlreadyReported(s)) return s;
      return util::Annotate(s, util::StrCat(c.location, ": "));
    }
    node_of[id] = static_cast<int32_t>(g->nodes.size());
    g->nodes.push_back(std::move(node));
  }

  auto endpoints = [&](std::string_view key, bool inputs) -> absl::Status {
    const Value* v = config.Find(key);
    if (v == nullptr) return config.Error(key, "required model endpoint list is missing");
    std::vector<TensorReference> refs;
    KGATE_RETURN_IF_ERROR(CollectEndpoints(*v, config.Location(key), &refs));
    if (refs.empty()) return GraphError(config.Location(key), "a model needs at least one endpoint");
    for (const TensorReference& r : refs) {
      KGATE_ASSIGN_OR_RETURN(size_t id, Resolve(level, r, true));
      const graph::Node& n = g->nodes[node_of[id]];
      if (static_cast<size_t>(r.tensor) >= n.outputs.size()) {
        return GraphError(r.location, util::StrCat("references output ", r.tensor, " of layer '", r.layer,
                                                   "', which has ", n.outputs.size(), " output(s)"));
      }
      if (inputs && !IsInputLayer(*level.layers[level.calls[id].layer])) {
        return GraphError(r.location, util::StrCat("model input '", r.layer, "' is not an InputLayer"));
      }
      graph::TensorRef t{node_of[id], static_cast<int32_t>(r.tensor)};
      (inputs ? g->inputs : g->outputs).push_back(t);
      (inputs ? g->input_names : g->output_names).push_back(r.layer);
    }
    return absl::OkStatus();
  };
  KGATE_RETURN_IF_ERROR(endpoints("input_layers", true));
  KGATE_RETURN_IF_ERROR(endpoints("output_layers", false));
  g->layers = std::move(level.layers);
  return g;
}

}  // namespace kgate::keras
