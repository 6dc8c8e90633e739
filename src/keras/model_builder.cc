#include "keras/model_builder.h"

#include <string>
#include <utility>

#include "keras/functional_graph.h"
#include "keras/keras_names.h"
#include "keras/sequential_graph.h"
#include "util/status_macros.h"
#include "util/rules.h"
#include "util/strings.h"

namespace kgate::keras {
namespace {

using io::json::Value;
namespace rules = util::rules;

constexpr std::string_view kReportedMarker = "kgate: error already reported as a finding";

// The re-run budget of the BuildModel running on this thread (null outside
// one: then CallNestedModel is not limited, as for a direct spec test).
thread_local int64_t* t_rerun_budget = nullptr;

class RerunBudgetScope {
 public:
  RerunBudgetScope() : previous_(t_rerun_budget) { t_rerun_budget = &budget_; }
  ~RerunBudgetScope() { t_rerun_budget = previous_; }
  RerunBudgetScope(const RerunBudgetScope&) = delete;
  RerunBudgetScope& operator=(const RerunBudgetScope&) = delete;

 private:
  int64_t budget_ = kMaxNestedReruns;
  int64_t* previous_;
};

absl::Status ChargeRerun(const graph::Layer& layer) {
  if (t_rerun_budget == nullptr) return absl::OkStatus();
  if (*t_rerun_budget <= 0) {
    return util::RuleLimitError(rules::kConfigInvalid,
                                util::StrCat("layer '", layer.name, "': nested models re-infer shapes more than ",
                                             kMaxNestedReruns, " times; the model nests calls too deeply"));
  }
  --*t_rerun_budget;
  return absl::OkStatus();
}

// Per-BuildModel state shared by every level of parsing.
struct BuildState {
  util::FindingList* findings = nullptr;
  size_t layers = 0;
};

absl::StatusOr<std::unique_ptr<graph::Layer>> ParseEnvelope(BuildState& state, const Value& env,
                                                            const std::string& location, int depth);

ParseContext MakeContext(BuildState& state, int depth) {
  ParseContext ctx;
  ctx.parse_layer = [&state, depth](const Value& env, std::string location) {
    return ParseEnvelope(state, env, location, depth);
  };
  return ctx;
}

struct PolicyDTypes {
  util::DType compute;
  util::DType variable;
};

// A DTypePolicy name: "float32", "mixed_float16", "mixed_bfloat16", "int32", ...
absl::StatusOr<PolicyDTypes> PolicyFromName(std::string_view name, const std::string& location) {
  if (name == "mixed_float16") return PolicyDTypes{util::DType::kFloat16, util::DType::kFloat32};
  if (name == "mixed_bfloat16") return PolicyDTypes{util::DType::kBFloat16, util::DType::kFloat32};
  std::optional<util::DType> t = util::ParseDType(name);
  if (!t || *t == util::DType::kString) {
    return util::RuleError(rules::kConfigInvalid,
                           util::StrCat(location, ": dtype policy '", name,
                                        "' is not supported (expected a float/int dtype name or mixed_float16/"
                                        "mixed_bfloat16; quantized policies are refused)"));
  }
  return PolicyDTypes{*t, *t};
}

// The common "dtype" field of a layer config: absent/null, a dtype name, or
// a DTypePolicy envelope.
absl::StatusOr<PolicyDTypes> ParseDTypeField(const Value& config, const std::string& location) {
  const Value* v = config.Find("dtype");
  std::string loc = util::StrCat(location, "/dtype");
  if (v == nullptr || v->is_null()) return PolicyDTypes{util::DType::kFloat32, util::DType::kFloat32};
  if (v->is_string()) return PolicyFromName(v->string(), loc);
  if (v->is_object()) {
    const Value* cls = v->Find("class_name");
    const Value* inner = v->Find("config");
    bool policy_class = cls != nullptr && cls->is_string() &&
                        (cls->string() == "DTypePolicy" || cls->string() == "FloatDTypePolicy" ||
                         cls->string() == "Policy");
    if (policy_class && inner != nullptr && inner->is_object()) {
      const Value* name = inner->Find("name");
      if (name != nullptr && name->is_string()) return PolicyFromName(name->string(), loc);
    }
  }
  return util::RuleError(rules::kConfigInvalid,
                         util::StrCat(loc, ": expected a dtype name or a DTypePolicy object with a config name"));
}

absl::StatusOr<std::unique_ptr<graph::Layer>> ParseEnvelopeInner(BuildState& state, const Value& env,
                                                                 const std::string& location, int depth) {
  if (depth > kMaxNestingDepth) {
    return util::RuleLimitError(rules::kConfigInvalid,
                                util::StrCat(location, ": models and wrappers nest deeper than ", kMaxNestingDepth,
                                             " levels"));
  }
  if (++state.layers > kMaxModelLayers) {
    return util::RuleLimitError(rules::kConfigInvalid, util::StrCat(location, ": the model has more than ",
                                                                    kMaxModelLayers, " layers"));
  }
  if (!env.is_object()) {
    return util::RuleError(rules::kConfigInvalid,
                           util::StrCat(location, ": expected a layer object, got ", Value::KindName(env.kind())));
  }
  static constexpr std::string_view kEnvelopeKeys[] = {"module", "class_name", "config", "registered_name",
                                                       "build_config", "compile_config", "shared_object_id",
                                                       "name", "inbound_nodes"};
  for (const io::json::Member& m : env.object()) {
    bool known = false;
    for (std::string_view k : kEnvelopeKeys) known = known || m.first == k;
    if (!known) {
      return util::RuleError(rules::kConfigInvalid,
                             util::StrCat(location, "/", io::json::PointerToken(m.first),
                                          ": unknown field in a layer object"));
    }
  }
  const Value* cls = env.Find("class_name");
  if (cls == nullptr || !cls->is_string()) {
    return util::RuleError(rules::kConfigInvalid, util::StrCat(location, ": class_name must be a string"));
  }
  const Value* module = env.Find("module");
  std::string op_name = OpSpecName(module != nullptr && module->is_string() ? module->string() : "", cls->string());
  const std::string& spec_name = op_name.empty() ? cls->string() : op_name;
  const LayerSpec* spec = FindLayerSpec(spec_name);
  if (spec == nullptr) {
    return util::RuleError(rules::kUnknownClass, util::StrCat(location, ": class '", spec_name,
                                                              "' is not on kgate's allowlist"));
  }
  const Value* config = env.Find("config");
  std::string config_loc = util::StrCat(location, "/config");
  if (config == nullptr || !config->is_object()) {
    return util::RuleError(rules::kConfigInvalid, util::StrCat(config_loc, ": expected an object"));
  }
  auto layer = std::make_unique<graph::Layer>();
  layer->class_name = spec_name;
  const Value* name = config->Find("name");
  if (name == nullptr || !name->is_string()) {
    return util::RuleError(rules::kConfigInvalid, util::StrCat(config_loc, "/name: a layer name string is required"));
  }
  if (!IsSafeName(name->string())) {
    return util::RuleError(rules::kUnsafeName, util::StrCat(config_loc, "/name: layer name is refused: ",
                                                            UnsafeNameReason(name->string())));
  }
  layer->name = name->string();
  if (const Value* t = config->Find("trainable"); t != nullptr && !t->is_null()) {
    if (!t->is_bool()) {
      return util::RuleError(rules::kConfigInvalid, util::StrCat(config_loc, "/trainable: expected a boolean"));
    }
    layer->trainable = t->bool_value();
  }
  KGATE_ASSIGN_OR_RETURN(PolicyDTypes policy, ParseDTypeField(*config, config_loc));
  layer->attrs.Set("compute_dtype", std::string(util::DTypeName(policy.compute)));
  layer->attrs.Set("variable_dtype", std::string(util::DTypeName(policy.variable)));

  ConfigView view(*config, config_loc);
  ParseContext child = MakeContext(state, depth + 1);
  absl::Status s = spec->parse(view, child, *layer);
  if (!s.ok()) return s;
  return layer;
}

absl::StatusOr<std::unique_ptr<graph::Layer>> ParseEnvelope(BuildState& state, const Value& env,
                                                            const std::string& location, int depth) {
  auto layer = ParseEnvelopeInner(state, env, location, depth);
  if (!layer.ok() && !model_internal::IsAlreadyReported(layer.status())) {
    state.findings->AddStatus(layer.status(), rules::kConfigInvalid, location);
    return model_internal::AlreadyReported();
  }
  return layer;
}

}  // namespace

namespace model_internal {

absl::Status AlreadyReported() { return absl::AbortedError(std::string(kReportedMarker)); }

bool IsAlreadyReported(const absl::Status& status) {
  return status.code() == absl::StatusCode::kAborted &&
         util::ToStd(status.message()).find(kReportedMarker) != std::string_view::npos;
}

absl::StatusOr<graph::Dims> ParseShape(const Value& value, std::string_view what) {
  if (!value.is_array()) {
    return util::RuleError(rules::kConfigInvalid, util::StrCat(what, ": expected a shape (list), got ",
                                                               Value::KindName(value.kind())));
  }
  if (value.array().size() > static_cast<size_t>(kMaxRank)) {
    return util::RuleError(rules::kConfigInvalid, util::StrCat(what, ": rank ", value.array().size(),
                                                               " exceeds the maximum of ", kMaxRank));
  }
  graph::Dims dims;
  for (const Value& d : value.array()) {
    if (d.is_null()) {
      dims.push_back(graph::kUnknownDim);
    } else if (d.is_number() && d.number().integer && *d.number().integer >= 0 && *d.number().integer <= kMaxDim) {
      dims.push_back(*d.number().integer);
    } else {
      return util::RuleError(rules::kConfigInvalid,
                             util::StrCat(what, ": each dimension must be null or an integer in [0, ", kMaxDim, "]"));
    }
  }
  return dims;
}

absl::StatusOr<util::DType> ParseTensorDType(const Value& value, std::string_view what) {
  std::optional<util::DType> t = value.is_string() ? util::ParseDType(value.string()) : std::nullopt;
  if (!t) return util::RuleError(rules::kConfigInvalid, util::StrCat(what, ": unknown tensor dtype"));
  return *t;
}

absl::Status CheckOutputSizes(const graph::Layer& layer, const std::vector<graph::TensorSpec>& outputs) {
  for (const graph::TensorSpec& t : outputs) {
    int64_t n = 1;
    bool overflow = false;
    for (int64_t d : t.shape) {
      if (d != graph::kUnknownDim) overflow = overflow || __builtin_mul_overflow(n, d, &n);
    }
    if (overflow || n > kMaxTensorElements) {
      return LayerError(layer, util::StrCat("output shape ", graph::ShapeString(t.shape), " has more than ",
                                            kMaxTensorElements, " elements (shape bomb)"));
    }
  }
  return absl::OkStatus();
}

}  // namespace model_internal

std::unique_ptr<graph::Graph> BuildModel(const Value& root, std::string_view location_prefix,
                                         util::FindingList* findings) {
  BuildState state;
  state.findings = findings;
  RerunBudgetScope budget;
  std::string location(location_prefix);
  const Value* cls = root.is_object() ? root.Find("class_name") : nullptr;
  if (cls == nullptr || !cls->is_string() || (cls->string() != "Sequential" && cls->string() != "Functional")) {
    findings->Add(rules::kConfigInvalid,
                  "the top-level object must be a Sequential or Functional model envelope", location);
    return nullptr;
  }
  auto layer = ParseEnvelope(state, root, location, 0);
  if (!layer.ok()) return nullptr;  // reported
  std::unique_ptr<graph::Graph> graph = std::move((*layer)->model);
  if (graph == nullptr) {
    findings->Add(rules::kConfigInvalid, "the model spec produced no graph", location);
    return nullptr;
  }
  graph->name = (*layer)->name;
  graph->class_name = (*layer)->class_name;
  return graph;
}

absl::Status ParseNestedModel(std::string_view class_name, const ConfigView& config, const ParseContext& ctx,
                              graph::Layer& layer) {
  absl::StatusOr<std::unique_ptr<graph::Graph>> g =
      class_name == "Sequential" ? BuildSequentialGraph(config, ctx) : BuildFunctionalGraph(config, ctx);
  if (!g.ok()) return g.status();
  (*g)->name = layer.name;
  (*g)->class_name = std::string(class_name);
  layer.model = std::move(*g);
  return absl::OkStatus();
}

absl::Status CallNestedModel(graph::Layer& layer, std::span<const graph::TensorSpec> inputs,
                             std::vector<graph::TensorSpec>* outputs) {
  if (layer.model == nullptr) return LayerError(layer, "nested model was not parsed");
  graph::Graph& g = *layer.model;
  if (inputs.size() != g.inputs.size()) {
    return LayerError(layer, util::StrCat("the nested model takes ", g.inputs.size(), " input(s), the call passes ",
                                          inputs.size()));
  }
  bool same = true;
  for (size_t i = 0; i < inputs.size(); ++i) {
    const graph::TensorSpec& want = g.Spec(g.inputs[i]);
    if (inputs[i].shape.size() != want.shape.size()) {
      return LayerError(layer, util::StrCat("input ", i, " has shape ", graph::ShapeString(inputs[i].shape),
                                            "; the nested model expects ", graph::ShapeString(want.shape)));
    }
    for (size_t d = 0; d < want.shape.size(); ++d) {
      if (want.shape[d] != graph::kUnknownDim && inputs[i].shape[d] != graph::kUnknownDim &&
          want.shape[d] != inputs[i].shape[d]) {
        return LayerError(layer, util::StrCat("input ", i, " has shape ", graph::ShapeString(inputs[i].shape),
                                              "; the nested model expects ", graph::ShapeString(want.shape)));
      }
    }
    same = same && inputs[i].shape == want.shape && inputs[i].dtype == want.dtype;
  }
  KGATE_RETURN_IF_ERROR(DeclareWeights(layer, {}));
  if (same) {
    for (const graph::TensorRef& r : g.outputs) outputs->push_back(g.Spec(r));
    return absl::OkStatus();
  }
  // Re-run shape inference through the nested graph with the call's shapes
  // (Keras's Functional.compute_output_spec does the same).
  std::vector<std::vector<graph::TensorSpec>> outs(g.nodes.size());
  for (size_t i = 0; i < g.inputs.size(); ++i) outs[g.inputs[i].node] = {inputs[i]};
  for (size_t n = 0; n < g.nodes.size(); ++n) {
    if (!outs[n].empty()) continue;  // a model input
    const graph::Node& node = g.nodes[n];
    std::vector<graph::TensorSpec> in;
    auto take = [&](graph::TensorRef r) -> absl::Status {
      if (r.node < 0 || static_cast<size_t>(r.node) >= n || static_cast<size_t>(r.index) >= outs[r.node].size()) {
        return LayerError(layer, "nested graph reference out of order");
      }
      in.push_back(outs[r.node][r.index]);
      return absl::OkStatus();
    };
    for (graph::TensorRef r : node.inputs) KGATE_RETURN_IF_ERROR(take(r));
    for (const auto& kw : node.keyword_inputs) KGATE_RETURN_IF_ERROR(take(kw.second));
    KGATE_RETURN_IF_ERROR(ChargeRerun(layer));
    KGATE_RETURN_IF_ERROR(BuildLayer(*g.layers[node.layer], in, node, &outs[n]));
  }
  for (const graph::TensorRef& r : g.outputs) outputs->push_back(outs[r.node][r.index]);
  return absl::OkStatus();
}

}  // namespace kgate::keras
