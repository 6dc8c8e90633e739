// Loader edge cases saved by real Keras (tools/fixtures/make_loader_cases.py):
// legacy ordering with frozen layers inside nested models, float16 storage,
// split name attributes, the Keras 2 node form, and a vars @name mismatch.
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "keras/model_loader.h"
#include "test_util.h"
#include "util/strings.h"

namespace kgate::keras {
namespace {

using io::json::Value;
using testing::Describe;

std::string Dir() { return testing::SourceDir() + "/tests/fixtures/loader"; }

ModelReport Load(const std::string& file) {
  std::vector<uint8_t> bytes = testing::ReadFileBytes(Dir() + "/" + file);
  return AnalyzeModel(bytes, file);
}

const Value& Expected(std::string_view name) {
  static const Value* v = [] {
    std::vector<uint8_t> b = testing::ReadFileBytes(Dir() + "/expected.json");
    return new Value(testing::ParseJson(std::string_view(reinterpret_cast<const char*>(b.data()), b.size())));
  }();
  return *v->Find(name);
}

void Collect(const graph::Layer& l, std::vector<const graph::Weight*>* out);
void Collect(const graph::Graph& g, std::vector<const graph::Weight*>* out) {
  for (const auto& l : g.layers) Collect(*l, out);
}
void Collect(const graph::Layer& l, std::vector<const graph::Weight*>* out) {
  for (const graph::Weight& w : l.weights) out->push_back(&w);
  for (const auto& s : l.sublayers) Collect(*s, out);
  if (l.model) Collect(*l.model, out);
}

bool SameWeights(const graph::Graph& a, const graph::Graph& b) {
  std::vector<const graph::Weight*> x, y;
  Collect(a, &x);
  Collect(b, &y);
  if (x.size() != y.size()) return false;
  for (size_t i = 0; i < x.size(); ++i) {
    if (x[i]->values.empty() || x[i]->values != y[i]->values) return false;
  }
  return true;
}

class LoaderCasesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ModelReport r = Load("frozen_nested.keras");
    if (r.graph == nullptr) GTEST_SKIP() << Describe(r.findings);
  }
};

TEST_F(LoaderCasesTest, FrozenLayersInNestedModelsBindInLegacyOrder) {
  ModelReport k = Load("frozen_nested.keras");
  ModelReport h = Load("frozen_nested.h5");
  ASSERT_FALSE(k.findings.Rejects()) << Describe(k.findings);
  ASSERT_FALSE(h.findings.Rejects()) << Describe(h.findings);
  EXPECT_EQ(k.graph->ParamCount(), *Expected("frozen_nested").Find("count_params")->number().integer);
  EXPECT_TRUE(SameWeights(*k.graph, *h.graph));
}

TEST_F(LoaderCasesTest, SplitNameAttributes) {
  ModelReport k = Load("frozen_nested.keras");
  ModelReport s = Load("split_names.h5");
  ASSERT_FALSE(s.findings.Rejects()) << Describe(s.findings);
  EXPECT_TRUE(SameWeights(*k.graph, *s.graph));
}

TEST_F(LoaderCasesTest, Float16WeightsAreConvertedToFloat32) {
  for (const char* file : {"float16.keras", "float16.h5"}) {
    ModelReport r = Load(file);
    ASSERT_FALSE(r.findings.Rejects()) << file << Describe(r.findings);
    const graph::Layer* half = nullptr;
    for (const auto& l : r.graph->layers) {
      if (l->name == "half") half = l.get();
    }
    ASSERT_NE(half, nullptr);
    EXPECT_EQ(half->attrs.GetString("compute_dtype", ""), "float16");
    ASSERT_FALSE(half->weights.empty());
    EXPECT_EQ(half->weights[0].source_dtype, util::DType::kFloat16);
    const Value& want = *Expected("float16").Find("half_kernel");
    ASSERT_EQ(half->weights[0].values.size(), want.array().size());
    for (size_t i = 0; i < want.array().size(); ++i) {
      EXPECT_EQ(half->weights[0].values[i], static_cast<float>(want.array()[i].number().value)) << i;
    }
  }
}

TEST_F(LoaderCasesTest, Keras2NodeFormInLegacyFile) {
  ModelReport r = Load("legacy_nodes.h5");
  ASSERT_FALSE(r.findings.Rejects()) << Describe(r.findings);
  EXPECT_EQ(r.graph->ParamCount(), *Expected("legacy_nodes").Find("count_params")->number().integer);
  EXPECT_EQ(r.graph->nodes.size(), 4u);
}

TEST_F(LoaderCasesTest, VarsGroupNamedForAnotherLayer) {
  ModelReport r = Load("vars_name_mismatch.keras");
  const util::Finding* f = testing::FindRule(r.findings, util::rules::kWeightMissing);
  ASSERT_NE(f, nullptr) << Describe(r.findings);
  EXPECT_NE(f->message.find("someone_else"), std::string::npos);
  EXPECT_NE(f->message.find("'pre'"), std::string::npos);
  EXPECT_EQ(f->location, "model.weights.h5:/layers/dense/vars");
  EXPECT_TRUE(r.findings.Rejects());
}

}  // namespace
}  // namespace kgate::keras
