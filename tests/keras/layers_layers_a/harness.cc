#include "harness.h"

#include <fstream>
#include <sstream>

#include "util/rules.h"
#include "util/status_macros.h"

namespace kgate::keras::layers_a_test {

using io::json::Value;

absl::StatusOr<std::unique_ptr<graph::Layer>> ParseConfig(std::string_view class_name, const Value& config) {
  const LayerSpec* spec = FindLayerSpec(class_name);
  if (spec == nullptr) {
    return util::RuleError(util::rules::kUnknownClass, std::string(class_name) + " is not allowlisted");
  }
  auto layer = std::make_unique<graph::Layer>();
  layer->class_name = std::string(class_name);
  const Value* name = config.Find("name");
  layer->name = name != nullptr && name->is_string() ? name->string() : "test_layer";
  layer->attrs.Set("compute_dtype", std::string("float32"));
  layer->attrs.Set("variable_dtype", std::string("float32"));
  ConfigView view(config, "test.json:/config");
  ParseContext ctx;
  ctx.parse_layer = [](const Value&, std::string location) -> absl::StatusOr<std::unique_ptr<graph::Layer>> {
    return util::RuleError(util::rules::kConfigInvalid, location + ": nested layers are not expected here");
  };
  KGATE_RETURN_IF_ERROR(spec->parse(view, ctx, *layer));
  return layer;
}

absl::StatusOr<std::unique_ptr<graph::Layer>> ParseConfigText(std::string_view class_name, std::string_view json) {
  KGATE_ASSIGN_OR_RETURN(Value v, io::json::Parse(json));
  if (!v.is_object()) return absl::InvalidArgumentError("test config is not an object");
  // The view keeps a reference: parse a copy that lives as long as the call.
  return ParseConfig(class_name, v);
}

absl::Status BuildCall(graph::Layer& layer, const std::vector<graph::TensorSpec>& inputs, size_t positional,
                       const std::vector<std::string>& keywords, const graph::Attributes& call_args,
                       std::vector<graph::TensorSpec>* outputs) {
  graph::Node node;
  node.layer = 0;
  for (size_t i = 0; i < positional; ++i) node.inputs.push_back({static_cast<int32_t>(i), 0});
  for (size_t i = 0; i < keywords.size(); ++i) {
    node.keyword_inputs.emplace_back(keywords[i], graph::TensorRef{static_cast<int32_t>(positional + i), 0});
  }
  node.call_args = call_args;
  return BuildLayer(layer, inputs, node, outputs);
}

absl::StatusOr<std::vector<graph::TensorSpec>> Build(graph::Layer& layer, const std::vector<graph::Dims>& shapes) {
  std::vector<graph::TensorSpec> inputs;
  for (const graph::Dims& s : shapes) inputs.push_back({util::DType::kFloat32, s});
  std::vector<graph::TensorSpec> outputs;
  KGATE_RETURN_IF_ERROR(BuildCall(layer, inputs, inputs.size(), {}, {}, &outputs));
  return outputs;
}

absl::StatusOr<std::vector<graph::TensorSpec>> ParseAndBuild(std::string_view class_name, std::string_view config,
                                                             const std::vector<graph::Dims>& shapes) {
  KGATE_ASSIGN_OR_RETURN(std::unique_ptr<graph::Layer> layer, ParseConfigText(class_name, config));
  return Build(*layer, shapes);
}

const Value& Fixture() {
  static const Value* fixture = [] {
    std::ifstream in(std::string(KGATE_SOURCE_DIR) + "/tests/fixtures/layers/layers_a.json");
    std::stringstream ss;
    ss << in.rdbuf();
    auto v = io::json::Parse(ss.str());
    return new Value(v.ok() ? std::move(*v) : Value());
  }();
  return *fixture;
}

const Value* FindCase(std::string_view id) {
  const Value* cases = Fixture().Find("cases");
  if (cases == nullptr || !cases->is_array()) return nullptr;
  for (const Value& c : cases->array()) {
    const Value* cid = c.Find("id");
    if (cid != nullptr && cid->is_string() && cid->string() == id) return &c;
  }
  return nullptr;
}

graph::Dims ShapeOf(const Value& shape) {
  graph::Dims dims;
  for (const Value& d : shape.array()) dims.push_back(d.is_null() ? graph::kUnknownDim : *d.number().integer);
  return dims;
}

util::DType DTypeOf(const Value& dtype) {
  return util::ParseDType(dtype.string()).value_or(util::DType::kString);
}

Value With(const Value& v, std::string_view key, Value value) {
  io::json::Object members = v.object();
  for (auto& m : members) {
    if (m.first == key) {
      m.second = std::move(value);
      return Value::MakeObject(std::move(members));
    }
  }
  members.emplace_back(std::string(key), std::move(value));
  return Value::MakeObject(std::move(members));
}

Value Without(const Value& v, std::string_view key) {
  io::json::Object members;
  for (const auto& m : v.object()) {
    if (m.first != key) members.push_back(m);
  }
  return Value::MakeObject(std::move(members));
}

std::string RuleIdOf(const absl::Status& s) { return util::RuleOf(s).value_or(""); }

}  // namespace kgate::keras::layers_a_test
