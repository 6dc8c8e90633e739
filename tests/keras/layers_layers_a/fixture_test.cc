// Every case of tests/fixtures/layers/layers_a.json (generated from Keras
// 3.15.1 by tools/fixtures/make_layer_cases_layers_a.py): parse the config
// Keras wrote, build one call on the recorded inputs, and compare the
// outputs, the variables (name, save group, index in the group, shape,
// trainable, declaration order = layer.weights) and the parameter count.
// Then mutate every config field and check nothing but KG-K010 comes out.
#include <gtest/gtest.h>

#include <map>
#include <set>

#include "harness.h"
#include "util/strings.h"

namespace kgate::keras::layers_a_test {
namespace {

using io::json::Value;

std::vector<std::string> Ids(std::string_view list) {
  std::vector<std::string> ids;
  const Value* cases = Fixture().Find(list);
  if (cases == nullptr) return ids;
  for (const Value& c : cases->array()) ids.push_back(c.Find("id")->string());
  return ids;
}

const Value* FindIn(std::string_view list, std::string_view id) {
  for (const Value& c : Fixture().Find(list)->array()) {
    if (c.Find("id")->string() == id) return &c;
  }
  return nullptr;
}

struct Call {
  std::vector<graph::TensorSpec> inputs;
  size_t positional = 0;
  std::vector<std::string> keywords;
  graph::Attributes call_args;
};

Call CallOf(const Value& c) {
  Call call;
  call.positional = static_cast<size_t>(*c.Find("positional")->number().integer);
  const auto& ins = c.Find("inputs")->array();
  for (size_t i = 0; i < ins.size(); ++i) {
    call.inputs.push_back({DTypeOf(*ins[i].Find("dtype")), ShapeOf(*ins[i].Find("shape"))});
    if (i >= call.positional) call.keywords.push_back(ins[i].Find("name")->string());
  }
  for (const auto& [k, v] : c.Find("call_args")->object()) {
    if (v.is_bool()) call.call_args.Set(k, v.bool_value());
  }
  return call;
}

absl::Status ParseAndCall(const Value& c, const Value& config, std::vector<graph::TensorSpec>* outputs,
                          std::unique_ptr<graph::Layer>* keep = nullptr) {
  auto layer = ParseConfig(c.Find("class_name")->string(), config);
  if (!layer.ok()) return layer.status();
  Call call = CallOf(c);
  absl::Status s = BuildCall(**layer, call.inputs, call.positional, call.keywords, call.call_args, outputs);
  if (keep != nullptr) *keep = std::move(*layer);
  return s;
}

class LayerCase : public ::testing::TestWithParam<std::string> {};

TEST_P(LayerCase, MatchesKeras) {
  const Value* c = FindIn("cases", GetParam());
  ASSERT_NE(c, nullptr);
  std::vector<graph::TensorSpec> outputs;
  std::unique_ptr<graph::Layer> layer;
  absl::Status s = ParseAndCall(*c, *c->Find("config"), &outputs, &layer);
  ASSERT_TRUE(s.ok()) << s;

  const auto& want_out = c->Find("outputs")->array();
  ASSERT_EQ(outputs.size(), want_out.size());
  for (size_t i = 0; i < outputs.size(); ++i) {
    EXPECT_EQ(graph::ShapeString(outputs[i].shape), graph::ShapeString(ShapeOf(*want_out[i].Find("shape"))))
        << "output " << i;
    EXPECT_EQ(util::DTypeName(outputs[i].dtype), want_out[i].Find("dtype")->string()) << "output " << i;
  }

  const auto& vars = c->Find("variables")->array();
  const auto& order = c->Find("weights_order")->array();
  ASSERT_EQ(layer->weights.size(), order.size());
  std::map<std::string, int64_t> next_index;
  for (size_t i = 0; i < order.size(); ++i) {
    const Value& v = vars[static_cast<size_t>(*order[i].number().integer)];
    const graph::Weight& w = layer->weights[i];
    SCOPED_TRACE(util::StrCat("weight ", i, " ", w.group, "/", w.name));
    EXPECT_EQ(w.name, v.Find("name")->string());
    EXPECT_EQ(w.group, v.Find("path")->string());
    EXPECT_EQ(graph::ShapeString(w.shape), graph::ShapeString(ShapeOf(*v.Find("shape"))));
    EXPECT_EQ(w.trainable, v.Find("trainable")->bool_value());
    EXPECT_EQ(next_index[w.group]++, *v.Find("index")->number().integer) << "index within the save group";
  }
  EXPECT_EQ(layer->ParamCount(), *c->Find("params")->number().integer);

  // A second call of the same (now built) layer on the same inputs is fine
  // and gives the same outputs.
  Call call = CallOf(*c);
  std::vector<graph::TensorSpec> again;
  ASSERT_TRUE(BuildCall(*layer, call.inputs, call.positional, call.keywords, call.call_args, &again).ok());
  ASSERT_EQ(again.size(), outputs.size());
  for (size_t i = 0; i < again.size(); ++i) EXPECT_EQ(again[i].shape, outputs[i].shape);
}

// Unknown fields are refused with the field named.
TEST_P(LayerCase, RefusesUnknownField) {
  const Value* c = FindIn("cases", GetParam());
  Value config = With(*c->Find("config"), "bogus_field", Value::Int(1));
  auto layer = ParseConfig(c->Find("class_name")->string(), config);
  ASSERT_FALSE(layer.ok());
  EXPECT_EQ(RuleIdOf(layer.status()), "KG-K010");
  EXPECT_NE(layer.status().message().find("bogus_field"), absl::string_view::npos) << layer.status();
}

// Every field removed, and every field replaced by values of the wrong type
// or absurd size: the result is either accepted or a KG-K010 refusal, never
// anything else (and never a crash under ASan/UBSan).
TEST_P(LayerCase, MutatedFieldsAreAcceptedOrRefusedCleanly) {
  const Value* c = FindIn("cases", GetParam());
  const Value& config = *c->Find("config");
  std::vector<Value> replacements = {
      Value::Null(), Value::String("x"), Value::Int(-1), Value::Int(0), Value::Int(int64_t{1} << 40),
      Value::Double(1e300), Value::Double(-0.5), Value::Bool(true), Value::MakeArray({}),
      Value::MakeObject({}), Value::MakeArray({Value::Int(1), Value::Int(2), Value::Int(3)}),
      Value::MakeArray({Value::Null(), Value::Int(-7)})};
  auto check = [&](const Value& mutated, const std::string& key, const std::string& what) {
    std::vector<graph::TensorSpec> outputs;
    absl::Status s = ParseAndCall(*c, mutated, &outputs);
    if (!s.ok()) {
      // KG-K008: an activation replaced by an object reads as a function envelope.
      std::string rule = RuleIdOf(s);
      EXPECT_TRUE(rule == "KG-K010" || (rule == "KG-K008" && key == "activation")) << what << ": " << s;
      EXPECT_TRUE(s.code() == absl::StatusCode::kInvalidArgument ||
                  s.code() == absl::StatusCode::kResourceExhausted)
          << what << ": " << s;
    } else {
      for (const auto& o : outputs) {
        for (int64_t d : o.shape) EXPECT_GE(d, graph::kUnknownDim) << what;
      }
    }
  };
  for (const auto& [key, value] : config.object()) {
    if (key == "name") continue;
    check(Without(config, key), key, "without " + key);
    for (size_t i = 0; i < replacements.size(); ++i) {
      check(With(config, key, replacements[i]), key, util::StrCat(key, " := replacement ", i));
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Keras, LayerCase, ::testing::ValuesIn(Ids("cases")),
                         [](const ::testing::TestParamInfo<std::string>& info) { return info.param; });

// Calls Keras refuses: kgate refuses them too (in parse or in build), as KG-K010.
class RejectCase : public ::testing::TestWithParam<std::string> {};

TEST_P(RejectCase, RefusedLikeKeras) {
  const Value* c = FindIn("keras_rejects", GetParam());
  ASSERT_NE(c, nullptr);
  std::vector<graph::TensorSpec> outputs;
  absl::Status s = ParseAndCall(*c, *c->Find("config"), &outputs);
  ASSERT_FALSE(s.ok()) << "Keras said: " << c->Find("keras_error")->string();
  EXPECT_EQ(RuleIdOf(s), "KG-K010") << s;
}

INSTANTIATE_TEST_SUITE_P(Keras, RejectCase, ::testing::ValuesIn(Ids("keras_rejects")),
                         [](const ::testing::TestParamInfo<std::string>& info) { return info.param; });

TEST(Fixture, IsLoadedAndCoversEveryClass) {
  ASSERT_NE(Fixture().Find("cases"), nullptr) << "tests/fixtures/layers/layers_a.json did not parse";
  std::set<std::string> seen;
  for (const Value& c : Fixture().Find("cases")->array()) seen.insert(c.Find("class_name")->string());
  for (std::string_view cls :
       {"InputLayer", "Dense", "EinsumDense", "Activation", "Identity", "Dropout", "SpatialDropout1D",
        "SpatialDropout2D", "SpatialDropout3D", "GaussianNoise", "GaussianDropout", "AlphaDropout", "Masking",
        "Embedding", "Flatten", "Reshape", "Permute", "RepeatVector", "ZeroPadding1D", "ZeroPadding2D",
        "ZeroPadding3D", "Cropping1D", "Cropping2D", "Cropping3D", "UpSampling1D", "UpSampling2D", "UpSampling3D",
        "Add", "Subtract", "Multiply", "Average", "Maximum", "Minimum", "Concatenate", "Dot",
        "BatchNormalization", "LayerNormalization", "GroupNormalization", "UnitNormalization", "ReLU", "LeakyReLU",
        "PReLU", "ELU", "Softmax", "Rescaling", "Normalization", "CenterCrop", "Resizing", "MultiHeadAttention"}) {
    if (cls == "InputLayer") continue;  // an InputLayer is not called; see spec_test.cc
    EXPECT_TRUE(seen.count(std::string(cls))) << cls << " has no fixture case";
    EXPECT_NE(FindLayerSpec(cls), nullptr) << cls << " is not allowlisted";
  }
}

}  // namespace
}  // namespace kgate::keras::layers_a_test
