// Functional and Sequential graph building: topological order, cycles,
// dangling references, shared layers, nested models and their node-index
// quirk, legacy node forms, declared-shape consistency, caps.
#include <string>

#include "gtest/gtest.h"
#include "keras/layer_registry.h"
#include "keras/model_builder.h"
#include "test_util.h"
#include "util/strings.h"

namespace kgate::keras {
namespace {

using testing::Describe;
using testing::FindRule;
using testing::HasRule;

class TopologyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (const char* c : {"InputLayer", "Dense", "Add"}) {
      if (FindLayerSpec(c) == nullptr) GTEST_SKIP() << c << " spec not implemented yet";
    }
  }

  std::unique_ptr<graph::Graph> Build(const std::string& json) {
    findings_ = util::FindingList();
    io::json::Value v = testing::ParseJson(json);
    return BuildModel(v, "config.json:", &findings_);
  }

  util::FindingList findings_;
};

std::string KT(std::string_view layer, int node, int tensor, std::string_view shape = "[null,3]") {
  return util::StrCat(R"({"class_name":"__keras_tensor__","config":{"shape":)", shape,
                      R"(,"dtype":"float32","keras_history":[")", layer, "\",", node, ",", tensor, "]}}");
}
std::string Call(const std::string& args, std::string_view kwargs = "{}") {
  return util::StrCat(R"({"args":[)", args, R"(],"kwargs":)", kwargs, "}");
}
std::string Input(std::string_view name, std::string_view shape = "[null,3]") {
  return util::StrCat(R"({"module":"keras.layers","class_name":"InputLayer","config":{"batch_shape":)", shape,
                      R"(,"dtype":"float32","name":")", name, R"("},"name":")", name, R"(","inbound_nodes":[]})");
}
std::string Dense(std::string_view name, const std::string& nodes, int units = 3) {
  return util::StrCat(R"({"module":"keras.layers","class_name":"Dense","config":{"name":")", name,
                      R"(","units":)", units, R"(},"name":")", name, R"(","inbound_nodes":[)", nodes, "]}");
}
std::string Functional(std::string_view name, const std::string& layers, std::string_view inputs,
                       std::string_view outputs, std::string_view envelope_extra = "") {
  return util::StrCat(R"({"module":"keras.src.models.functional","class_name":"Functional","registered_name":"Functional",)",
                      R"("config":{"name":")", name, R"(","trainable":true,"layers":[)", layers,
                      R"(],"input_layers":)", inputs, R"(,"output_layers":)", outputs, "}", envelope_extra, "}");
}

TEST_F(TopologyTest, SharedLayerHasOneNodePerCall) {
  auto g = Build(Functional("m", Input("in") + "," + Dense("d", Call(KT("in", 0, 0)) + "," + Call(KT("d", 0, 0))),
                            R"(["in",0,0])", R"(["d",1,0])"));
  ASSERT_NE(g, nullptr) << Describe(findings_);
  ASSERT_EQ(g->nodes.size(), 3u);
  EXPECT_EQ(g->nodes[1].layer, 1);
  EXPECT_EQ(g->nodes[2].layer, 1);
  EXPECT_EQ(g->nodes[2].inputs[0], (graph::TensorRef{1, 0}));
  EXPECT_EQ(g->outputs[0], (graph::TensorRef{2, 0}));
  EXPECT_EQ(g->output_names, std::vector<std::string>{"d"});
  EXPECT_EQ(g->layers[1]->weights.size(), 2u);
  EXPECT_EQ(g->ParamCount(), 12);
}

TEST_F(TopologyTest, ConfigOrderNeedNotBeTopological) {
  auto g = Build(Functional("m",
                            Dense("b", Call(KT("a", 0, 0))) + "," + Input("in") + "," + Dense("a", Call(KT("in", 0, 0))),
                            R"(["in",0,0])", R"(["b",0,0])"));
  ASSERT_NE(g, nullptr) << Describe(findings_);
  EXPECT_EQ(g->nodes[0].layer, 1);  // in
  EXPECT_EQ(g->nodes[1].layer, 2);  // a
  EXPECT_EQ(g->nodes[2].layer, 0);  // b
}

TEST_F(TopologyTest, CycleIsRefused) {
  auto g = Build(Functional("m",
                            Input("in") + "," + Dense("a", Call(KT("b", 0, 0))) + "," + Dense("b", Call(KT("a", 0, 0))),
                            R"(["in",0,0])", R"(["b",0,0])"));
  EXPECT_EQ(g, nullptr);
  ASSERT_TRUE(HasRule(findings_, util::rules::kGraphInvalid)) << Describe(findings_);
  const util::Finding* f = FindRule(findings_, util::rules::kGraphInvalid);
  EXPECT_NE(f->message.find("cycle"), std::string::npos);
  EXPECT_NE(f->message.find("'a'"), std::string::npos);
  EXPECT_NE(f->message.find("'b'"), std::string::npos);
  // A layer fed by its own output.
  g = Build(Functional("m", Input("in") + "," + Dense("a", Call(KT("a", 0, 0))), R"(["in",0,0])", R"(["a",0,0])"));
  EXPECT_EQ(g, nullptr);
  EXPECT_TRUE(HasRule(findings_, util::rules::kGraphInvalid));
}

TEST_F(TopologyTest, DanglingAndOutOfRangeReferences) {
  struct Case {
    std::string ref;
    const char* message;
  } cases[] = {
      {KT("nope", 0, 0), "does not have"},
      {KT("in", 1, 0), "call 1"},
      {KT("in", 0, 1), "output 1"},
  };
  for (const Case& c : cases) {
    auto g = Build(Functional("m", Input("in") + "," + Dense("d", Call(c.ref)), R"(["in",0,0])", R"(["d",0,0])"));
    EXPECT_EQ(g, nullptr);
    const util::Finding* f = FindRule(findings_, util::rules::kGraphInvalid);
    ASSERT_NE(f, nullptr) << Describe(findings_);
    EXPECT_NE(f->message.find(c.message), std::string::npos) << f->message;
    EXPECT_EQ(f->location, "config.json:");
    EXPECT_NE(f->message.find("/config/layers/1/inbound_nodes/0/args/0"), std::string::npos) << f->message;
  }
  // Endpoints too.
  for (const char* out : {R"(["zz",0,0])", R"(["d",1,0])", R"(["d",0,3])", R"(["d","0",0])", R"([])", "7"}) {
    auto g = Build(Functional("m", Input("in") + "," + Dense("d", Call(KT("in", 0, 0))), R"(["in",0,0])", out));
    EXPECT_EQ(g, nullptr) << out;
    EXPECT_TRUE(HasRule(findings_, util::rules::kGraphInvalid)) << out << Describe(findings_);
  }
  // An input that is not an InputLayer.
  auto g = Build(Functional("m", Input("in") + "," + Dense("d", Call(KT("in", 0, 0))), R"(["d",0,0])", R"(["d",0,0])"));
  EXPECT_EQ(g, nullptr);
  EXPECT_TRUE(HasRule(findings_, util::rules::kGraphInvalid));
}

TEST_F(TopologyTest, DeclaredShapeMustMatchInferredShape) {
  auto g = Build(Functional("m", Input("in") + "," + Dense("d", Call(KT("in", 0, 0, "[null,4]"))), R"(["in",0,0])",
                            R"(["d",0,0])"));
  EXPECT_EQ(g, nullptr);
  const util::Finding* f = FindRule(findings_, util::rules::kConfigInvalid);
  ASSERT_NE(f, nullptr) << Describe(findings_);
  EXPECT_NE(f->message.find("[None, 3]"), std::string::npos) << f->message;
  EXPECT_NE(f->message.find("[None, 4]"), std::string::npos) << f->message;
}

TEST_F(TopologyTest, NestedFunctionalEndpointsCountCallsFromOne) {
  std::string inner = Functional("inner", Input("ii") + "," + Dense("id", Call(KT("ii", 0, 0))), R"(["ii",0,0])",
                                 R"(["id",0,0])", util::StrCat(R"(,"name":"inner","inbound_nodes":[)",
                                                               Call(KT("in", 0, 0)), "]"));
  auto ok = Build(Functional("m", Input("in") + "," + inner, R"(["in",0,0])", R"(["inner",1,0])"));
  ASSERT_NE(ok, nullptr) << Describe(findings_);
  EXPECT_EQ(ok->outputs[0], (graph::TensorRef{1, 0}));
  ASSERT_NE(ok->layers[1]->model, nullptr);
  EXPECT_EQ(ok->layers[1]->model->nodes.size(), 2u);
  EXPECT_EQ(ok->ParamCount(), 12);
  auto bad = Build(Functional("m", Input("in") + "," + inner, R"(["in",0,0])", R"(["inner",0,0])"));
  EXPECT_EQ(bad, nullptr);
  EXPECT_TRUE(HasRule(findings_, util::rules::kGraphInvalid));
}

TEST_F(TopologyTest, NestedModelCallReinfersShapes) {
  // The inner model takes [None, None]; called on [None, 3].
  std::string inner = Functional("inner", Input("ii", "[null,null]") + "," +
                                              R"({"module":"keras.layers","class_name":"Add","config":{"name":"ad"},"name":"ad","inbound_nodes":[)" +
                                              Call("[" + KT("ii", 0, 0, "[null,null]") + "," + KT("ii", 0, 0, "[null,null]") + "]") + "]}",
                                 R"(["ii",0,0])", R"(["ad",0,0])",
                                 util::StrCat(R"(,"name":"inner","inbound_nodes":[)", Call(KT("in", 0, 0)), "]"));
  auto g = Build(Functional("m", Input("in") + "," + inner, R"(["in",0,0])", R"(["inner",1,0])"));
  ASSERT_NE(g, nullptr) << Describe(findings_);
  EXPECT_EQ(graph::ShapeString(g->Spec(g->outputs[0]).shape), "[None, 3]");
}

TEST_F(TopologyTest, KerasOpsNodeWithNumberOperand) {
  if (FindLayerSpec("ops.numpy.Add") == nullptr) GTEST_SKIP();
  std::string op = util::StrCat(
      R"({"module":"keras.src.ops.numpy","class_name":"Add","config":{"name":"add"},"registered_name":"Add","name":"add","inbound_nodes":[)",
      Call(KT("d", 0, 0) + ",3.0"), "]}");
  auto g = Build(Functional("m", Input("in") + "," + Dense("d", Call(KT("in", 0, 0))) + "," + op, R"(["in",0,0])",
                            R"(["add",0,0])"));
  ASSERT_NE(g, nullptr) << Describe(findings_);
  EXPECT_EQ(g->layers[2]->class_name, "ops.numpy.Add");
  EXPECT_EQ(g->nodes[2].call_args.GetFloat("scalar", 0), 3.0);
  EXPECT_FALSE(g->InModelLayers(2));
  EXPECT_TRUE(g->InModelLayers(1));
  // Only ops take number operands; a layer does not.
  auto bad = Build(Functional("m", Input("in") + "," + Dense("d", Call(KT("in", 0, 0) + ",3.0")), R"(["in",0,0])",
                              R"(["d",0,0])"));
  EXPECT_EQ(bad, nullptr);
}

TEST_F(TopologyTest, NestedRerunBudget) {
  // Level k calls level k-1 twice on a [None, None] input; the top calls the
  // deepest level on [None, 3], so shape re-inference would double per level.
  auto level = [](const std::string& inner) {
    std::string add_args = "[" + KT("ii", 0, 0, "[null,null]") + "," + KT("ii", 0, 0, "[null,null]") + "]";
    std::string layers = Input("ii", "[null,null]");
    if (!inner.empty()) {
      layers += "," + inner;
      add_args = "[" + KT("inner", 0, 0, "[null,null]") + "," + KT("inner", 1, 0, "[null,null]") + "]";
    }
    layers += R"(,{"class_name":"Add","config":{"name":"ad"},"name":"ad","inbound_nodes":[)" + Call(add_args) + "]}";
    return layers;
  };
  std::string model;
  const int kDepth = 22;
  for (int k = 0; k < kDepth; ++k) {
    std::string layers = level(model);
    std::string calls = Call(KT("ii", 0, 0, "[null,null]")) + "," + Call(KT("ii", 0, 0, "[null,null]"));
    model = Functional("inner", layers, R"(["ii",0,0])", R"(["ad",0,0])",
                       util::StrCat(R"(,"name":"inner","inbound_nodes":[)", calls, "]"));
  }
  // The top level calls the deepest model once, on a more specific shape.
  std::string top_inner = model;
  std::string once = Call(KT("in", 0, 0));
  size_t pos = top_inner.rfind(R"("inbound_nodes":[)");
  top_inner = top_inner.substr(0, pos) + R"("inbound_nodes":[)" + once + "]}";
  auto g = Build(Functional("m", Input("in") + "," + top_inner, R"(["in",0,0])", R"(["inner",1,0])"));
  EXPECT_EQ(g, nullptr);
  const util::Finding* f = FindRule(findings_, util::rules::kConfigInvalid);
  ASSERT_NE(f, nullptr) << Describe(findings_);
  EXPECT_NE(f->message.find("re-infer shapes more than"), std::string::npos) << f->message;
}

TEST_F(TopologyTest, LegacyKeras2NodeForm) {
  auto g = Build(Functional("m", Input("in") + "," + Dense("d", R"([["in",0,0,{}]])") + "," +
                                     R"({"class_name":"Add","config":{"name":"a"},"name":"a","inbound_nodes":[[["d",0,0,{}],["in",0,0,{}]]]})",
                            R"([["in",0,0]])", R"([["a",0,0]])"));
  ASSERT_NE(g, nullptr) << Describe(findings_);
  EXPECT_EQ(g->nodes[2].inputs.size(), 2u);
}

TEST_F(TopologyTest, KwargsBecomeCallArgsOrKeywordInputs) {
  auto g = Build(Functional("m", Input("in") + "," + Dense("d", Call(KT("in", 0, 0), R"({"training":false,"mask":null,"n":3,"s":"x","l":[1,2]})")),
                            R"(["in",0,0])", R"(["d",0,0])"));
  ASSERT_NE(g, nullptr) << Describe(findings_);
  const graph::Node& n = g->nodes[1];
  EXPECT_EQ(n.call_args.GetBool("training", true), false);
  EXPECT_FALSE(n.call_args.Has("mask"));
  EXPECT_EQ(n.call_args.GetInt("n", 0), 3);
  EXPECT_EQ(n.call_args.GetString("s", ""), "x");
  EXPECT_EQ(n.call_args.GetInts("l"), (std::vector<int64_t>{1, 2}));
  // Non-tensor positional arguments are refused.
  auto bad = Build(Functional("m", Input("in") + "," + Dense("d", Call(KT("in", 0, 0) + ",2.0")), R"(["in",0,0])",
                              R"(["d",0,0])"));
  EXPECT_EQ(bad, nullptr);
  EXPECT_TRUE(HasRule(findings_, util::rules::kConfigInvalid)) << Describe(findings_);
}

TEST_F(TopologyTest, DictEndpointsFlattenBySortedKey) {
  auto g = Build(Functional("m", Input("b_in") + "," + Input("a_in") + "," + Dense("d", Call(KT("a_in", 0, 0))),
                            R"({"z":["b_in",0,0],"a":["a_in",0,0]})", R"({"out":["d",0,0]})"));
  ASSERT_NE(g, nullptr) << Describe(findings_);
  EXPECT_EQ(g->input_names, (std::vector<std::string>{"a_in", "b_in"}));
}

TEST_F(TopologyTest, DuplicateNamesAndEntryNameMismatch) {
  auto g = Build(Functional("m", Input("in") + "," + Dense("d", Call(KT("in", 0, 0))) + "," + Dense("d", Call(KT("in", 0, 0))),
                            R"(["in",0,0])", R"(["d",0,0])"));
  EXPECT_EQ(g, nullptr);
  EXPECT_TRUE(HasRule(findings_, util::rules::kGraphInvalid));
  g = Build(Functional("m", Input("in") + "," +
                                R"({"class_name":"Dense","config":{"name":"d","units":3},"name":"other","inbound_nodes":[]})",
                       R"(["in",0,0])", R"(["in",0,0])"));
  EXPECT_EQ(g, nullptr);
  EXPECT_TRUE(HasRule(findings_, util::rules::kConfigInvalid));
}

TEST_F(TopologyTest, EveryBadLayerIsReported) {
  auto g = Build(Functional("m", Input("in") + "," + Dense("a", "", -1) + "," + Dense("b", "", 0) + "," + Dense("c", ""),
                            R"(["in",0,0])", R"(["in",0,0])"));
  EXPECT_EQ(g, nullptr);
  EXPECT_EQ(testing::CountRule(findings_, util::rules::kConfigInvalid), 2u) << Describe(findings_);
  EXPECT_EQ(findings_.findings()[0].location, "config.json:/config/layers/1");
  EXPECT_EQ(findings_.findings()[1].location, "config.json:/config/layers/2");
}

std::string Sequential(std::string_view name, const std::string& layers, std::string_view extra = "") {
  return util::StrCat(R"({"module":"keras","class_name":"Sequential","config":{"name":")", name,
                      R"(","layers":[)", layers, "]", extra, "}}");
}
std::string SeqDense(std::string_view name, int units, std::string_view extra = "") {
  return util::StrCat(R"({"class_name":"Dense","config":{"name":")", name, R"(","units":)", units, "}", extra, "}");
}

TEST_F(TopologyTest, SequentialChainsLayersAndSynthesizesTheInput) {
  auto g = Build(Sequential("s", SeqDense("a", 4) + "," + SeqDense("b", 2), R"(,"build_input_shape":[null,5])"));
  ASSERT_NE(g, nullptr) << Describe(findings_);
  ASSERT_EQ(g->layers.size(), 3u);
  EXPECT_EQ(g->layers[0]->class_name, "InputLayer");
  EXPECT_EQ(g->layers[0]->name, "input_layer");
  EXPECT_FALSE(g->InModelLayers(0));
  EXPECT_EQ(graph::ShapeString(g->Spec(g->outputs[0]).shape), "[None, 2]");
  EXPECT_EQ(g->ParamCount(), 5 * 4 + 4 + 4 * 2 + 2);
  EXPECT_EQ(g->output_names, std::vector<std::string>{"b"});
}

TEST_F(TopologyTest, SequentialNeverBuiltIsRefused) {
  auto g = Build(Sequential("s", SeqDense("a", 4)));
  EXPECT_EQ(g, nullptr);
  const util::Finding* f = FindRule(findings_, util::rules::kConfigInvalid);
  ASSERT_NE(f, nullptr);
  EXPECT_NE(f->message.find("not built"), std::string::npos);
}

TEST_F(TopologyTest, SequentialBuildConfigMustMatch) {
  auto g = Build(Sequential("s", Input("in", "[null,5]") + "," +
                                     SeqDense("a", 4, R"(,"build_config":{"input_shape":[null,6]})")));
  EXPECT_EQ(g, nullptr);
  const util::Finding* f = FindRule(findings_, util::rules::kConfigInvalid);
  ASSERT_NE(f, nullptr) << Describe(findings_);
  EXPECT_NE(f->message.find("[None, 6]"), std::string::npos);
}

TEST_F(TopologyTest, NestingDepthCapAtNAndNPlusOne) {
  auto nest = [](int depth) {
    std::string m = Sequential("s0", Input("i0", "[null,2]") + "," + SeqDense("d0", 2));
    for (int i = 1; i < depth; ++i) {
      m = Sequential(util::StrCat("s", i), Input(util::StrCat("i", i), "[null,2]") + "," + m);
    }
    return m;
  };
  EXPECT_NE(Build(nest(kMaxNestingDepth)), nullptr) << Describe(findings_);
  EXPECT_EQ(Build(nest(kMaxNestingDepth + 1)), nullptr);
  const util::Finding* f = FindRule(findings_, util::rules::kConfigInvalid);
  ASSERT_NE(f, nullptr);
  EXPECT_NE(f->message.find("deeper than 32"), std::string::npos) << f->message;
}

TEST_F(TopologyTest, LayerCountCapIsEnforced) {
  if (FindLayerSpec("Dropout") == nullptr) GTEST_SKIP();
  std::string layers = Input("in");
  for (size_t i = 0; i < kMaxModelLayers; ++i) {  // + the InputLayer + the model itself: over the cap
    layers += util::StrCat(R"(,{"class_name":"Dropout","config":{"name":"d)", i, R"(","rate":0.0}})");
  }
  EXPECT_EQ(Build(Sequential("s", layers)), nullptr);
  const util::Finding* f = FindRule(findings_, util::rules::kConfigInvalid);
  ASSERT_NE(f, nullptr);
  EXPECT_NE(f->message.find("more than 100000 layers"), std::string::npos) << f->message;
}

TEST_F(TopologyTest, TopLevelMustBeAModel) {
  EXPECT_EQ(Build(SeqDense("a", 2)), nullptr);
  EXPECT_TRUE(HasRule(findings_, util::rules::kConfigInvalid));
  EXPECT_EQ(Build("[1,2]"), nullptr);
}

TEST_F(TopologyTest, DTypePolicies) {
  auto g = Build(Sequential(
      "s", Input("in") + "," + SeqDense("a", 4) + "," +
               R"({"class_name":"Dense","config":{"name":"b","units":2,"dtype":{"module":"keras","class_name":"DTypePolicy","config":{"name":"mixed_float16"}}}})"));
  ASSERT_NE(g, nullptr) << Describe(findings_);
  EXPECT_EQ(g->layers[2]->attrs.GetString("compute_dtype", ""), "float16");
  EXPECT_EQ(g->layers[2]->attrs.GetString("variable_dtype", ""), "float32");
  EXPECT_EQ(g->layers[1]->attrs.GetString("compute_dtype", ""), "float32");
  auto bad = Build(Sequential("s", Input("in") + "," +
                                       R"({"class_name":"Dense","config":{"name":"b","units":2,"dtype":"int8_from_float32"}})"));
  EXPECT_EQ(bad, nullptr);
  EXPECT_TRUE(HasRule(findings_, util::rules::kConfigInvalid));
}

}  // namespace
}  // namespace kgate::keras
