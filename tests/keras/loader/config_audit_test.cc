// The config audit must find every refused object anywhere in the tree, with
// the right rule and a JSON Pointer location, at any depth and in every
// encoding Keras (or an attacker) uses.
#include "keras/config_audit.h"

#include <string>

#include "gtest/gtest.h"
#include "keras/layer_registry.h"
#include "test_util.h"
#include "util/strings.h"

namespace kgate::keras {
namespace {

using testing::CountRule;
using testing::Describe;
using testing::FindRule;
using testing::HasRule;

util::FindingList Audit(std::string_view json, std::string_view prefix = "config.json:") {
  util::FindingList f;
  io::json::Value v = testing::ParseJson(json);
  AuditConfig(v, prefix, &f);
  return f;
}

// A Functional model envelope whose layer list is `layers` (JSON text).
std::string Model(std::string_view layers, std::string_view extra = "") {
  return util::StrCat(R"({"module":"keras.src.models.functional","class_name":"Functional",)",
                      R"("registered_name":"Functional","config":{"name":"m","trainable":true,"layers":[)", layers,
                      R"(],"input_layers":["in",0,0],"output_layers":["in",0,0]})", extra, "}");
}

constexpr std::string_view kInput =
    R"({"module":"keras.layers","class_name":"InputLayer","config":{"batch_shape":[null,3],"dtype":"float32","name":"in"},"registered_name":null,"name":"in","inbound_nodes":[]})";

std::string Dense(std::string_view name, std::string_view extra_config = "") {
  return util::StrCat(R"({"module":"keras.layers","class_name":"Dense","config":{"name":")", name,
                      R"(","units":2)", extra_config, R"(},"registered_name":null,"name":")", name,
                      R"(","inbound_nodes":[]})");
}

TEST(ConfigAudit, CleanModelHasNoFindings) {
  if (FindLayerSpec("Dense") == nullptr || FindLayerSpec("InputLayer") == nullptr) GTEST_SKIP();
  util::FindingList f = Audit(Model(util::StrCat(kInput, ",", Dense("d", R"(,"kernel_initializer":{"module":"keras.initializers","class_name":"GlorotUniform","config":{"seed":null},"registered_name":null},"dtype":{"module":"keras","class_name":"DTypePolicy","config":{"name":"mixed_float16"},"registered_name":null})"))));
  EXPECT_TRUE(f.findings().empty()) << Describe(f);
}

TEST(ConfigAudit, LambdaObjectAtEveryDepth) {
  constexpr std::string_view kLambda = R"({"class_name":"__lambda__","config":{"value":["YWJj","null","null"]}})";
  // As a layer's activation, inside a wrapper's inner layer, inside compile_config, and 40 lists deep.
  std::string deep = std::string(40, '[') + std::string(kLambda) + std::string(40, ']');
  util::FindingList f = Audit(Model(
      util::StrCat(kInput, ",", Dense("d", util::StrCat(R"(,"activation":)", kLambda)), ",",
                   R"({"module":"keras.layers","class_name":"TimeDistributed","config":{"name":"td","layer":)",
                   Dense("inner", util::StrCat(R"(,"bias_initializer":)", kLambda)), R"(},"name":"td","inbound_nodes":[]})"),
      util::StrCat(R"(,"compile_config":{"loss":)", kLambda, R"(,"deep":)", deep, "}")));
  ASSERT_EQ(CountRule(f, util::rules::kLambda), 4u) << Describe(f);
  std::vector<std::string> locations;
  for (const auto& x : f.findings()) {
    if (x.rule == util::rules::kLambda) locations.push_back(x.location);
  }
  EXPECT_EQ(locations[0], "config.json:/config/layers/1/config/activation");
  EXPECT_EQ(locations[1], "config.json:/config/layers/2/config/layer/config/bias_initializer");
  EXPECT_EQ(locations[2], "config.json:/compile_config/loss");
  std::string deep_pointer = "config.json:/compile_config/deep";
  for (int i = 0; i < 40; ++i) deep_pointer += "/0";
  EXPECT_EQ(locations[3], deep_pointer);
  EXPECT_TRUE(HasRule(f, util::rules::kIgnoredTrainingState));
}

TEST(ConfigAudit, LambdaLayerAndLegacyKeras2Form) {
  util::FindingList f = Audit(Model(util::StrCat(
      kInput, ",",
      R"({"class_name":"Lambda","config":{"name":"l","function":["4wEAAAAA","null","null"],"function_type":"lambda","module":"__main__"},"name":"l","inbound_nodes":[]})")));
  // The Lambda class, and its legacy function/function_type config.
  EXPECT_EQ(CountRule(f, util::rules::kLambda), 2u) << Describe(f);
  // A legacy function dict without any class_name is still found.
  util::FindingList g = Audit(R"({"a":{"b":[{"function":"x","function_type":"raw"}]}})");
  ASSERT_EQ(CountRule(g, util::rules::kLambda), 1u);
  EXPECT_EQ(FindRule(g, util::rules::kLambda)->location, "config.json:/a/b/0");
}

TEST(ConfigAudit, ForeignModulesAndFunctionGadgets) {
  // CVE-2025-1550: an "os.system" function as a functional layer entry.
  util::FindingList f = Audit(Model(util::StrCat(
      kInput, ",",
      R"({"module":"os","class_name":"function","config":"system","registered_name":null,"name":"x","inbound_nodes":[{"args":["id"],"kwargs":{}}]})")));
  EXPECT_TRUE(HasRule(f, util::rules::kForeignModule)) << Describe(f);
  EXPECT_TRUE(HasRule(f, util::rules::kFunctionReference)) << Describe(f);

  struct Case {
    const char* module;
    const char* name;
    bool allowed;
  } cases[] = {
      {"keras.utils", "get_file", false},
      {"keras.config", "enable_unsafe_deserialization", false},
      {"keras.src.backend.common.global_state", "set_global_attribute", false},
      {"builtins", "exec", false},
      {"builtins", "eval", false},
      {"builtins", "relu", true},
      {"builtins", "mean_squared_error", true},
      {"builtins", "sparse_top_k_categorical_accuracy", true},
      {"keras.activations", "gelu", true},
      {"keras.activations", "mean_squared_error", false},
      {"keras.losses", "huber", true},
      {"keras.metrics", "binary_accuracy", true},
      {"keras.losses", "get", false},
  };
  for (const Case& c : cases) {
    util::FindingList g = Audit(util::StrCat(R"({"x":{"module":")", c.module, R"(","class_name":"function","config":")",
                                             c.name, R"(","registered_name":"function"}})"));
    EXPECT_EQ(g.findings().empty(), c.allowed) << c.module << "." << c.name << "\n" << Describe(g);
    if (!c.allowed) {
      EXPECT_TRUE(HasRule(g, util::rules::kFunctionReference)) << c.module << "." << c.name;
    }
  }
  // A gadget named as a class is still a function reference.
  EXPECT_TRUE(HasRule(Audit(R"({"module":"keras.utils","class_name":"get_file","config":{}})"),
                      util::rules::kFunctionReference));
  // Modules outside Keras, also for otherwise allowlisted class names.
  for (const char* m : {"keras_hub.models", "keras_cv", "keras_nlp.layers", "subprocess", "builtins", "kerasx", "os.path"}) {
    util::FindingList g = Audit(util::StrCat(R"({"module":")", m, R"(","class_name":"Zeros","config":{}})"));
    EXPECT_TRUE(HasRule(g, util::rules::kForeignModule)) << m;
    EXPECT_EQ(FindRule(g, util::rules::kForeignModule)->location, "config.json:/module");
  }
}

TEST(ConfigAudit, RegisteredNames) {
  EXPECT_TRUE(HasRule(Audit(R"({"module":"keras.initializers","class_name":"Zeros","config":{},"registered_name":"my_pkg>Zeros"})"),
                      util::rules::kCustomObject));
  EXPECT_TRUE(HasRule(Audit(R"({"module":"keras.initializers","class_name":"Zeros","config":{},"registered_name":7})"),
                      util::rules::kCustomObject));
  // Keras writes the class name for its own keras.src classes, and "Functional".
  EXPECT_TRUE(Audit(R"({"module":"keras.initializers","class_name":"Zeros","config":{},"registered_name":"Zeros"})")
                  .findings()
                  .empty());
  util::FindingList custom = Audit(R"({"module":"my_pkg","class_name":"MyLayer","config":{"name":"x"},"registered_name":"Custom>MyLayer"})");
  EXPECT_TRUE(HasRule(custom, util::rules::kCustomObject));
  EXPECT_TRUE(HasRule(custom, util::rules::kForeignModule));
}

TEST(ConfigAudit, DangerousLayers) {
  EXPECT_TRUE(HasRule(Audit(R"({"layers":[{"module":"keras.layers","class_name":"TFSMLayer","config":{"name":"t","filepath":"/tmp/sm"}}]})"),
                      util::rules::kTfsmLayer));
  EXPECT_TRUE(HasRule(Audit(R"({"module":"keras.layers","class_name":"TorchModuleWrapper","config":{"name":"t","module":"gASV"}})"),
                      util::rules::kTorchModule));
  util::FindingList lookup = Audit(
      R"([{"module":"keras.layers","class_name":"StringLookup","config":{"name":"s","vocabulary":"/etc/passwd"}},)"
      R"({"module":"keras.layers","class_name":"IntegerLookup","config":{"name":"i","vocabulary":"gs://bucket/v.txt"}},)"
      R"({"module":"keras.layers","class_name":"TextVectorization","config":{"name":"t","vocabulary":null,"standardize":{"module":"builtins","class_name":"function","config":"exec"},"split":"whitespace"}}])");
  EXPECT_EQ(CountRule(lookup, util::rules::kVocabularyPath), 3u) << Describe(lookup);
  EXPECT_EQ(FindRule(lookup, util::rules::kVocabularyPath)->location, "config.json:/0/config/vocabulary");
  EXPECT_TRUE(HasRule(lookup, util::rules::kFunctionReference));
  // Without a path vocabulary the class is simply not allowlisted.
  util::FindingList plain = Audit(R"({"module":"keras.layers","class_name":"StringLookup","config":{"name":"s","vocabulary":["a","b"]}})");
  EXPECT_FALSE(HasRule(plain, util::rules::kVocabularyPath));
  EXPECT_EQ(HasRule(plain, util::rules::kUnknownClass), FindLayerSpec("StringLookup") == nullptr);
}

TEST(ConfigAudit, UnknownClassesAndSpecialEncodings) {
  util::FindingList f = Audit(
      R"([{"module":"keras.layers","class_name":"NoSuchLayer","config":{"name":"n"}},)"
      R"({"module":"keras.initializers","class_name":"NoSuchInit","config":{}},)"
      R"({"class_name":"__typespec__","spec_name":"TensorSpec","module":"tensorflow","config":[]},)"
      R"({"class_name":"__weird__","config":{}},)"
      R"({"module":"keras.src.ops.numpy","class_name":"Frobnicate","config":{"name":"f"},"registered_name":"Frobnicate"},)"
      R"({"kernel_regularizer":{"module":"keras.initializers","class_name":"Zeros","config":{}}},)"
      R"({"module":"keras.optimizers","class_name":"Zeros","config":{}}])");
  EXPECT_EQ(CountRule(f, util::rules::kUnknownClass), 7u) << Describe(f);
  // Allowed encodings: tensors, numpy constants, bytes, slices, ellipsis.
  util::FindingList ok = Audit(
      R"([{"class_name":"__keras_tensor__","config":{"shape":[null,3],"dtype":"float32","keras_history":["a",0,0]}},)"
      R"({"class_name":"__numpy__","config":{"value":[[1,2],[3,4]],"dtype":"float32"}},)"
      R"({"class_name":"__tensor__","config":{"value":[1,2],"dtype":"int64"}},)"
      R"({"class_name":"__bytes__","config":{"value":"abc"}},)"
      R"({"class_name":"__slice__","config":{"start":1,"stop":null,"step":null}},)"
      R"({"class_name":"__ellipsis__","config":{}}])");
  EXPECT_TRUE(ok.findings().empty()) << Describe(ok);
  util::FindingList bad = Audit(R"([{"class_name":"__numpy__","config":{"value":[1],"dtype":"object"}},)"
                                R"({"class_name":"__tensor__","config":{"value":[1]}}])");
  EXPECT_EQ(CountRule(bad, util::rules::kConfigInvalid), 2u) << Describe(bad);
}

TEST(ConfigAudit, KerasOpsNodesMapToOpSpecs) {
  if (FindLayerSpec("ops.numpy.Add") == nullptr) GTEST_SKIP();
  // keras.ops.add recorded as a functional node; Keras writes registered_name == class_name.
  util::FindingList ok = Audit(R"({"module":"keras.src.ops.numpy","class_name":"Add","config":{"name":"add"},"registered_name":"Add"})");
  EXPECT_TRUE(ok.findings().empty()) << Describe(ok);
  util::FindingList bad = Audit(R"({"module":"keras.src.ops.numpy","class_name":"Frobnicate","config":{"name":"f"}})");
  ASSERT_TRUE(HasRule(bad, util::rules::kUnknownClass));
  EXPECT_NE(FindRule(bad, util::rules::kUnknownClass)->message.find("ops.numpy.Frobnicate"), std::string::npos);
}

TEST(ConfigAudit, InlineTensorSizeLimitAtNAndNPlusOne) {
  auto make = [](uint64_t n) {
    std::string s = R"({"class_name":"__numpy__","config":{"dtype":"float32","value":[)";
    for (uint64_t i = 0; i < n; ++i) s += i ? ",0" : "0";
    return s + "]}}";
  };
  EXPECT_TRUE(Audit(make(kMaxInlineTensorElements)).findings().empty());
  util::FindingList f = Audit(make(kMaxInlineTensorElements + 1));
  ASSERT_TRUE(HasRule(f, util::rules::kConfigInvalid));
  EXPECT_NE(FindRule(f, util::rules::kConfigInvalid)->message.find("1048577"), std::string::npos);
}

TEST(ConfigAudit, QuantizedPoliciesAreRefused) {
  for (const char* cls : {"QuantizedDTypePolicy", "QuantizedFloat8DTypePolicy", "Int4DTypePolicy", "GPTQDTypePolicy",
                          "DTypePolicyMap"}) {
    util::FindingList f = Audit(util::StrCat(R"({"dtype":{"module":"keras","class_name":")", cls,
                                             R"(","config":{"name":"int8_from_float32"}}})"));
    EXPECT_TRUE(HasRule(f, util::rules::kConfigInvalid)) << cls;
  }
}

TEST(ConfigAudit, UnsafeNames) {
  util::FindingList f = Audit(Model(util::StrCat(kInput, ",", Dense("../../etc/cron.d/x"), ",", Dense(std::string(257, 'a')),
                                                 ",", Dense(std::string(256, 'b')), ",", Dense(".."))));
  // config name and envelope name, for each of the three bad layers.
  EXPECT_EQ(CountRule(f, util::rules::kUnsafeName), 6u) << Describe(f);
  EXPECT_EQ(FindRule(f, util::rules::kUnsafeName)->location, "config.json:/config/layers/1/config/name");
}

TEST(ConfigAudit, EveryProblemIsReportedNotJustTheFirst) {
  std::string layers(kInput);
  for (int i = 0; i < 50; ++i) {
    layers += util::StrCat(R"(,{"module":"os","class_name":"function","config":"system","name":"x)", i, "\"}");
  }
  util::FindingList f = Audit(Model(layers));
  EXPECT_EQ(CountRule(f, util::rules::kForeignModule), 50u);
  EXPECT_EQ(CountRule(f, util::rules::kFunctionReference), 50u);
}

TEST(ConfigAudit, LegacyConfigWithoutModules) {
  if (FindLayerSpec("Dense") == nullptr) GTEST_SKIP();
  util::FindingList f = Audit(
      R"({"class_name":"Sequential","config":{"name":"s","layers":[{"class_name":"Dense","config":{"name":"d","units":1,)"
      R"("kernel_initializer":{"class_name":"GlorotUniform","config":{"seed":null}}}}]}})",
      "model.h5:@model_config:");
  EXPECT_TRUE(f.findings().empty()) << Describe(f);
  util::FindingList g = Audit(R"({"class_name":"Sequential","config":{"name":"s","layers":[{"class_name":"Lambda","config":{"name":"l"}}]}})",
                              "model.h5:@model_config:");
  ASSERT_TRUE(HasRule(g, util::rules::kLambda));
  EXPECT_EQ(FindRule(g, util::rules::kLambda)->location, "model.h5:@model_config:/config/layers/0");
}

TEST(ConfigAudit, CompileConfigReportedOnceAndOnlyWhenNonEmpty) {
  EXPECT_FALSE(HasRule(Audit(R"({"compile_config":{}})"), util::rules::kIgnoredTrainingState));
  EXPECT_FALSE(HasRule(Audit(R"({"compile_config":null})"), util::rules::kIgnoredTrainingState));
  util::FindingList f = Audit(R"({"compile_config":{"loss":"mse"},"x":{"compile_config":{"loss":"mae"}}})");
  EXPECT_EQ(CountRule(f, util::rules::kIgnoredTrainingState), 1u);
  EXPECT_FALSE(f.Rejects());
}

}  // namespace
}  // namespace kgate::keras
