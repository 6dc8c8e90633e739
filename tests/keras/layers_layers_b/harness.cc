#include "harness.h"

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "keras/config_view.h"
#include "util/rules.h"
#include "util/status_macros.h"
#include "util/strings.h"

namespace kgate::keras::testing {

using io::json::Value;

absl::StatusOr<std::unique_ptr<graph::Layer>> ParseEnvelope(const Value& envelope, std::string location) {
  if (!envelope.is_object()) {
    return util::RuleError(util::rules::kConfigInvalid, location + ": envelope is not an object");
  }
  const Value* cls = envelope.Find("class_name");
  const Value* config = envelope.Find("config");
  if (cls == nullptr || !cls->is_string() || config == nullptr || !config->is_object()) {
    return util::RuleError(util::rules::kConfigInvalid,
                           location + ": envelope needs class_name and a config object");
  }
  const LayerSpec* spec = FindLayerSpec(cls->string());
  if (spec == nullptr) {
    return util::RuleError(util::rules::kUnknownClass, util::StrCat(location, ": class '", cls->string(),
                                                                    "' is not allowlisted"));
  }
  auto layer = std::make_unique<graph::Layer>();
  layer->class_name = cls->string();
  const Value* name = config->Find("name");
  layer->name = name != nullptr && name->is_string() ? name->string() : "unnamed";
  layer->attrs.Set("compute_dtype", std::string("float32"));
  layer->attrs.Set("variable_dtype", std::string("float32"));
  ParseContext ctx;
  ctx.parse_layer = [](const Value& env, std::string loc) { return ParseEnvelope(env, std::move(loc)); };
  ConfigView view(*config, location + "/config");
  KGATE_RETURN_IF_ERROR(spec->parse(view, ctx, *layer));
  return layer;
}

absl::StatusOr<std::unique_ptr<graph::Layer>> ParseConfig(std::string_view class_name, const Value& config) {
  io::json::Object env;
  env.emplace_back("class_name", Value::String(std::string(class_name)));
  env.emplace_back("config", config);
  return ParseEnvelope(Value::MakeObject(std::move(env)), "test.json:");
}

absl::Status BuildCall(graph::Layer& layer, const std::vector<graph::TensorSpec>& inputs, size_t positional,
                       const std::vector<std::string>& keywords, std::vector<graph::TensorSpec>* outputs,
                       const graph::Attributes& call_args) {
  graph::Node node;
  node.layer = 0;
  node.call_args = call_args;
  for (size_t i = 0; i < positional; ++i) node.inputs.push_back(graph::TensorRef{0, static_cast<int32_t>(i)});
  for (size_t i = 0; i < keywords.size(); ++i) {
    node.keyword_inputs.emplace_back(keywords[i], graph::TensorRef{0, static_cast<int32_t>(positional + i)});
  }
  return BuildLayer(layer, inputs, node, outputs);
}

absl::StatusOr<std::vector<graph::TensorSpec>> BuildOne(graph::Layer& layer, graph::Dims shape) {
  std::vector<graph::TensorSpec> out;
  KGATE_RETURN_IF_ERROR(BuildCall(layer, {{util::DType::kFloat32, std::move(shape)}}, 1, {}, &out));
  return out;
}

const Value& Fixture() {
  static const Value* fixture = [] {
    const char* root = std::getenv("KGATE_SOURCE_DIR");
    std::string path = std::string(root != nullptr ? root : KGATE_SOURCE_DIR) + "/tests/fixtures/layers/layers_b.json";
    std::ifstream in(path);
    std::stringstream ss;
    ss << in.rdbuf();
    auto parsed = io::json::Parse(ss.str());
    if (!parsed.ok()) {
      std::fprintf(stderr, "cannot parse %s: %s\n", path.c_str(), std::string(parsed.status().message()).c_str());
      std::abort();
    }
    return new Value(std::move(*parsed));
  }();
  return *fixture;
}

graph::Dims ShapeOf(const Value& shape) {
  graph::Dims out;
  for (const Value& d : shape.array()) out.push_back(d.is_null() ? graph::kUnknownDim : *d.number().integer);
  return out;
}

const Value* FindCase(std::string_view id) {
  for (std::string_view list : {"cases", "keras_rejects"}) {
    for (const Value& c : Fixture().Find(list)->array()) {
      if (c.Find("id")->string() == id) return &c;
    }
  }
  return nullptr;
}

Value With(const Value& v, std::string_view key, Value value) {
  io::json::Object members = v.object();
  bool replaced = false;
  for (auto& m : members) {
    if (m.first == key) {
      m.second = value;
      replaced = true;
    }
  }
  if (!replaced) members.emplace_back(std::string(key), std::move(value));
  return Value::MakeObject(std::move(members));
}

Value Without(const Value& v, std::string_view key) {
  io::json::Object members;
  for (const auto& m : v.object()) {
    if (m.first != key) members.push_back(m);
  }
  return Value::MakeObject(std::move(members));
}

namespace {

void Collect(const graph::Layer& layer, const std::string& prefix,
             std::vector<std::pair<std::string, const graph::Weight*>>* out) {
  auto join = [](const std::string& a, const std::string& b) {
    return a.empty() ? b : b.empty() ? a : a + "/" + b;
  };
  for (const graph::Weight& w : layer.weights) out->emplace_back(join(prefix, w.group), &w);
  for (const auto& s : layer.sublayers) Collect(*s, join(prefix, s->attr_key), out);
}

}  // namespace

std::vector<std::pair<std::string, const graph::Weight*>> FlattenWeights(const graph::Layer& layer) {
  std::vector<std::pair<std::string, const graph::Weight*>> out;
  Collect(layer, "", &out);
  return out;
}

std::string RuleIdOf(const absl::Status& s) {
  auto r = util::RuleOf(s);
  return r ? *r : std::string();
}

}  // namespace kgate::keras::testing
