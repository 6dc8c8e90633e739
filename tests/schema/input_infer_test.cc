// `kgate schema infer` as a library: statistics per input and per feature,
// the default bounds (min/max widened by the margin), the YAML it writes and
// that YAML read back through io/yaml and ParseInputSpec to the same spec.
#include "schema/input_infer.h"

#include <cmath>
#include <cstring>
#include <limits>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "io/yaml/yaml.h"
#include "schema_test_util.h"

namespace kgate::schema {
namespace {

using ::testing::HasSubstr;

io::npy::Array FloatArray(std::vector<int64_t> shape, const std::vector<float>& values) {
  io::npy::Array a;
  a.dtype = util::DType::kFloat32;
  a.shape = std::move(shape);
  a.data.resize(values.size() * sizeof(float));
  std::memcpy(a.data.data(), values.data(), a.data.size());
  return a;
}

io::npy::Array Int64Array(std::vector<int64_t> shape, const std::vector<int64_t>& values) {
  io::npy::Array a;
  a.dtype = util::DType::kInt64;
  a.shape = std::move(shape);
  a.data.resize(values.size() * sizeof(int64_t));
  std::memcpy(a.data.data(), values.data(), a.data.size());
  return a;
}

InputSchema Schema() {
  InputSchema s;
  auto add = [&](std::string name, util::DType t, graph::Dims shape) {
    s.inputs.push_back(testing::Rule(std::move(name), t, std::move(shape)));
  };
  add("x", util::DType::kFloat32, {graph::kUnknownDim, 2});
  add("ids", util::DType::kInt32, {graph::kUnknownDim});
  add("flag", util::DType::kBool, {graph::kUnknownDim, 1});
  return s;
}

TEST(InferInputSpec, StatisticsAndMarginBounds) {
  // Feature 0: 1..5; feature 1: constant 2.
  io::npy::Array x = FloatArray({5, 2}, {1, 2, 2, 2, 3, 2, 4, 2, 5, 2});
  InferOptions options;
  options.quantile_low = 0.25;
  options.quantile_high = 0.9;
  options.margin = 0.1;
  absl::StatusOr<InputSpec> spec = InferInputSpec(Schema(), {{"x", "x.npy", &x}}, options);
  ASSERT_TRUE(spec.ok()) << spec.status();
  ASSERT_EQ(spec->inputs.size(), 1u);
  const InputSpecEntry& e = spec->inputs[0];
  ASSERT_EQ(e.features.size(), 2u);
  EXPECT_EQ(e.feature_list_length, 2);
  const FeatureStats& f0 = *e.features[0].stats;
  EXPECT_EQ(f0.min, 1);
  EXPECT_EQ(f0.max, 5);
  EXPECT_EQ(f0.mean, 3);
  EXPECT_DOUBLE_EQ(f0.std, std::sqrt(2.0));  // population std of 1..5
  EXPECT_DOUBLE_EQ(*f0.q_low, 2.0);          // position 0.25 * 4 = 1
  EXPECT_DOUBLE_EQ(*f0.q_high, 4.6);         // position 3.6: 4 + 0.6 * (5 - 4)
  EXPECT_DOUBLE_EQ(*e.features[0].bounds.min, 1 - 0.1 * 4);
  EXPECT_DOUBLE_EQ(*e.features[0].bounds.max, 5 + 0.1 * 4);
  // A constant feature widens by the margin times max(|value|, 1).
  EXPECT_DOUBLE_EQ(*e.features[1].bounds.min, 2 - 0.1 * 2);
  EXPECT_DOUBLE_EQ(*e.features[1].bounds.max, 2 + 0.1 * 2);
  ASSERT_TRUE(e.stats.has_value());
  EXPECT_EQ(e.stats->count, 10);
  EXPECT_EQ(e.stats->quantiles, std::make_pair(0.25, 0.9));
  EXPECT_DOUBLE_EQ(*e.bounds.min, 1 - 0.1 * 4);
}

TEST(InferInputSpec, IntegerInputsGetIntegerBoundsRoundedOutward) {
  io::npy::Array ids = Int64Array({4}, {10, 20, 30, 40});
  absl::StatusOr<InputSpec> spec = InferInputSpec(Schema(), {{"ids", "ids.npy", &ids}});
  ASSERT_TRUE(spec.ok()) << spec.status();
  EXPECT_EQ(spec->inputs[0].bounds.min, 8);   // 10 - 0.05 * 30 = 8.5, floored
  EXPECT_EQ(spec->inputs[0].bounds.max, 42);  // 40 + 1.5 = 41.5, ceiled
  EXPECT_TRUE(spec->inputs[0].features.empty());  // rank 1: no feature axis
}

TEST(InferInputSpec, YamlReadsBackToTheSameSpecAndApplies) {
  io::npy::Array x = FloatArray({3, 2}, {0.1f, -2.5f, 1e-7f, 3e10f, -0.0f, 7});
  io::npy::Array ids = Int64Array({3}, {1, 2, 3});
  absl::StatusOr<InputSpec> spec = InferInputSpec(Schema(), {{"ids", "ids.npy", &ids}, {"x", "x.npy", &x}});
  ASSERT_TRUE(spec.ok()) << spec.status();
  const std::string yaml = InputSpecToYaml(*spec, {"written by a test", "second line\nwith a newline"});
  absl::StatusOr<io::json::Value> doc = io::yaml::Parse(yaml, "kgate.yaml");
  ASSERT_TRUE(doc.ok()) << doc.status() << "\n" << yaml;
  ASSERT_NE(doc->Find("inputs"), nullptr) << yaml;
  absl::StatusOr<InputSpec> back = ParseInputSpec(*doc->Find("inputs"), "kgate.yaml");
  ASSERT_TRUE(back.ok()) << back.status() << "\n" << yaml;
  EXPECT_EQ(InputSpecToYaml(*back, {"written by a test", "second line\nwith a newline"}), yaml);
  ASSERT_EQ(back->inputs.size(), 2u);
  EXPECT_EQ(back->inputs[0].input, "x");  // model order
  EXPECT_EQ(back->inputs[0].features[1].stats->max, spec->inputs[0].features[1].stats->max);
  EXPECT_EQ(back->inputs[0].bounds.min, spec->inputs[0].bounds.min);
  absl::StatusOr<InputSchema> applied = ApplyInputSpec(Schema(), *back, "kgate.yaml");
  ASSERT_TRUE(applied.ok()) << applied.status();
  EXPECT_EQ(applied->inputs[0].feature_bounds.size(), 2u);
}

TEST(InferInputSpec, HandWrittenSpecsRoundTripToo) {
  absl::StatusOr<io::json::Value> doc = io::yaml::Parse(R"(inputs:
  "odd: name #1":
    min: -1
    finite: false
    allowed_values: [1, 2.5, true]
    max_batch: 3
    min_length: 0
    utf8: false
    image: {formats: [png, jpg], max_pixels: 784, scale: 0.5}
    features:
      "2": {max: 4}
)",
                                                        "k.yaml");
  ASSERT_TRUE(doc.ok()) << doc.status();
  absl::StatusOr<InputSpec> spec = ParseInputSpec(*doc->Find("inputs"), "k.yaml");
  ASSERT_TRUE(spec.ok()) << spec.status();
  const std::string yaml = InputSpecToYaml(*spec, {});
  absl::StatusOr<io::json::Value> again = io::yaml::Parse(yaml, "k.yaml");
  ASSERT_TRUE(again.ok()) << again.status() << "\n" << yaml;
  absl::StatusOr<InputSpec> back = ParseInputSpec(*again->Find("inputs"), "k.yaml");
  ASSERT_TRUE(back.ok()) << back.status() << "\n" << yaml;
  EXPECT_EQ(InputSpecToYaml(*back, {}), yaml);
  EXPECT_EQ(back->inputs[0].input, "odd: name #1");
}

TEST(InferInputSpec, BadDataIsRefusedWithItsSource) {
  io::npy::Array x = FloatArray({2, 2}, {1, 2, std::numeric_limits<float>::quiet_NaN(), 4});
  EXPECT_THAT(std::string(InferInputSpec(Schema(), {{"x", "x.npy", &x}}).status().message()),
              HasSubstr("x.npy: NaN at [1, 0]: statistics need finite data"));
  io::npy::Array wrong = FloatArray({2, 3}, {1, 2, 3, 4, 5, 6});
  EXPECT_THAT(std::string(InferInputSpec(Schema(), {{"x", "w.npy", &wrong}}).status().message()),
              HasSubstr("w.npy: shape [2, 3] does not fit input 'x'"));
  io::npy::Array ok = FloatArray({1, 2}, {1, 2});
  EXPECT_THAT(std::string(InferInputSpec(Schema(), {{"y", "y.npy", &ok}}).status().message()),
              HasSubstr("y.npy: the model has no input 'y'; its inputs are: x, ids, flag"));
  EXPECT_THAT(std::string(InferInputSpec(Schema(), {{"x", "a.npy", &ok}, {"x", "b.npy", &ok}}).status().message()),
              HasSubstr("input 'x' is given data twice"));
  io::npy::Array flags = FloatArray({1, 1}, {1});
  EXPECT_THAT(std::string(InferInputSpec(Schema(), {{"flag", "f.npy", &flags}}).status().message()),
              HasSubstr("input 'flag' is bool; only numeric inputs get ranges"));
  InferOptions bad;
  bad.quantile_low = 0.9;
  bad.quantile_high = 0.1;
  EXPECT_FALSE(InferInputSpec(Schema(), {}, bad).ok());
}

}  // namespace
}  // namespace kgate::schema
