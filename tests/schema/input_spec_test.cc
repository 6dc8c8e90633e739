// The `inputs:` section of kgate.yaml, read from YAML text as a server reads
// it: parsing (every error names the file, the key path and what was
// expected) and applying it to a model's derived schema, where every rule
// may only tighten what the model's dtype and shape already require.
#include "schema/input_spec.h"

#include <string>
#include <string_view>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "io/yaml/yaml.h"
#include "schema_test_util.h"
#include "util/strings.h"

namespace kgate::schema {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

constexpr char kWhere[] = "models/m/kgate.yaml";

absl::StatusOr<InputSpec> ParseYaml(const std::string& text) {
  absl::StatusOr<io::json::Value> doc = io::yaml::Parse(text, kWhere);
  EXPECT_TRUE(doc.ok()) << doc.status();
  if (!doc.ok()) return doc.status();
  const io::json::Value* section = doc->Find("inputs");
  EXPECT_NE(section, nullptr);
  if (section == nullptr) return absl::InternalError("no inputs");
  return ParseInputSpec(*section, kWhere);
}

std::string ParseError(const std::string& text) {
  absl::StatusOr<InputSpec> spec = ParseYaml(text);
  EXPECT_FALSE(spec.ok()) << text;
  if (spec.ok()) return "";
  EXPECT_EQ(spec.status().code(), absl::StatusCode::kInvalidArgument);
  return std::string(spec.status().message());
}

// A model with a float image [N, 2, 3], int ids [N, 4], a bool flag [N, 1],
// a float vector [N] and a float [N, ?]; plus a string input, which only
// synthetic schemas have.
InputSchema Base() {
  InputSchema s;
  auto add = [&](std::string name, util::DType t, graph::Dims shape) {
    s.inputs.push_back(testing::Rule(std::move(name), t, std::move(shape)));
  };
  add("image", util::DType::kFloat32, {graph::kUnknownDim, 2, 3});
  add("ids", util::DType::kInt32, {graph::kUnknownDim, 4});
  add("flag", util::DType::kBool, {graph::kUnknownDim, 1});
  add("vec", util::DType::kFloat32, {graph::kUnknownDim});
  add("free", util::DType::kFloat32, {graph::kUnknownDim, graph::kUnknownDim});
  add("text", util::DType::kString, {graph::kUnknownDim});
  return s;
}

absl::StatusOr<InputSchema> Apply(const std::string& yaml) {
  absl::StatusOr<InputSpec> spec = ParseYaml(yaml);
  if (!spec.ok()) return spec.status();
  return ApplyInputSpec(Base(), *spec, kWhere);
}

std::string ApplyError(const std::string& yaml) {
  absl::StatusOr<InputSchema> s = Apply(yaml);
  EXPECT_FALSE(s.ok()) << yaml;
  if (s.ok()) return "";
  EXPECT_EQ(s.status().code(), absl::StatusCode::kInvalidArgument);
  return std::string(s.status().message());
}

TEST(InputSpecParse, EveryKey) {
  absl::StatusOr<InputSpec> spec = ParseYaml(R"(
inputs:
  image:
    min: -1
    max: 1.5
    features:
      - {min: 0, max: 1}
      - max: 2
        stats: {min: 0, max: 1.9, mean: 0.5, std: 0.25, q_low: 0.01, q_high: 1.8}
      - {}
    finite: false
    max_batch: 8
    stats: {count: 600, quantiles: [0.001, 0.999], min: 0, max: 1.9, mean: 0.4, std: 0.3}
  ids:
    allowed_values: [3, 1, 2]
    features: {3: {max: 9}, 0: {min: 1}}
  text: {min_length: 1, max_length: 16, utf8: true}
  flag: {image: {formats: [png]}}
)");
  ASSERT_TRUE(spec.ok()) << spec.status();
  ASSERT_EQ(spec->inputs.size(), 4u);
  ASSERT_TRUE(spec->inputs[3].image.has_value());  // parsed here, checked against the input by ApplyImageSpec
  const InputSpecEntry& image = spec->inputs[0];
  EXPECT_EQ(image.input, "image");
  EXPECT_EQ(image.bounds.min, -1);
  EXPECT_EQ(image.bounds.max, 1.5);
  ASSERT_EQ(image.features.size(), 3u);
  EXPECT_EQ(image.feature_list_length, 3);
  EXPECT_EQ(image.features[1].bounds.max, 2);
  ASSERT_TRUE(image.features[1].stats.has_value());
  EXPECT_EQ(image.features[1].stats->q_high, 1.8);
  EXPECT_TRUE(image.features[2].bounds.empty());
  EXPECT_EQ(image.finite, false);
  EXPECT_EQ(image.max_batch, 8);
  ASSERT_TRUE(image.stats.has_value());
  EXPECT_EQ(image.stats->count, 600);
  EXPECT_EQ(image.stats->quantiles, std::make_pair(0.001, 0.999));
  const InputSpecEntry& ids = spec->inputs[1];
  ASSERT_EQ(ids.features.size(), 2u);  // sorted by index
  EXPECT_EQ(ids.features[0].index, 0);
  EXPECT_EQ(ids.features[1].index, 3);
  EXPECT_FALSE(ids.feature_list_length.has_value());
  ASSERT_TRUE(ids.allowed_values.has_value());
  EXPECT_EQ(ids.allowed_values->size(), 3u);
  EXPECT_EQ(spec->inputs[2].max_length, 16);
}

// Each bad section with the part of its message after "models/m/kgate.yaml: ".
struct ErrorCase {
  std::string_view yaml;
  std::string_view message;
};

constexpr ErrorCase kParseErrors[] = {
    {"inputs: [1]\n",
     "inputs: expected a mapping from input names to their rules"},
    {"inputs:\n  x: {mni: 0}\n",
     "inputs.x.mni: unknown key; expected one of min, max"},
    {"inputs:\n  x: {min: '0'}\n",
     "inputs.x.min: expected a number, got string \"0\""},
    {"inputs:\n  x: {min: 2, max: 1}\n",
     "inputs.x: min 2 is above max 1"},
    {"inputs:\n  x: {features: [{min: 3, max: 1}]}\n",
     "inputs.x.features[0]: min 3 is above max 1"},
    {"inputs:\n  x: {features: {a: {min: 0}}}\n",
     "inputs.x.features.a: expected a feature index"},
    {"inputs:\n  x: {features: {'01': {min: 0}}}\n",
     "inputs.x.features.01: expected a feature index"},
    {"inputs:\n  x: {features: 3}\n",
     "inputs.x.features: expected a list"},
    {"inputs:\n  x: {features: [{mean: 1}]}\n",
     "inputs.x.features[0].mean: unknown key"},
    {"inputs:\n  x: {allowed_values: []}\n",
     "inputs.x.allowed_values: expected a non-empty list of values"},
    {"inputs:\n  x: {allowed_values: [1, 'a']}\n",
     "inputs.x.allowed_values[1]: expected a number or a boolean, got string"},
    {"inputs:\n  x: {max_batch: 0}\n",
     "inputs.x.max_batch: expected an integer >= 1, got 0"},
    {"inputs:\n  x: {max_batch: 2.5}\n",
     "inputs.x.max_batch: expected an integer"},
    {"inputs:\n  x: {finite: 'no'}\n",
     "inputs.x.finite: expected true or false, got string \"no\""},
    {"inputs:\n  x: {stats: {min: 0, max: 1, mean: 0}}\n",
     "inputs.x.stats.std: missing"},
    {"inputs:\n  x: {stats: {min: 0, max: 1, mean: 0, std: 1, quantiles: [0.9, 0.1]}}\n",
     "inputs.x.stats.quantiles: expected 0 <= low < high <= 1"},
    {"inputs:\n  x: {min_length: 4, max_length: 2}\n",
     "inputs.x: min_length 4 is above max_length 2"},
    {"inputs:\n  x: {min_length: -1}\n",
     "inputs.x.min_length: expected an integer >= 0, got -1"},
};

TEST(InputSpecParse, ErrorsNameFileKeyAndExpectation) {
  for (const ErrorCase& c : kParseErrors) {
    EXPECT_THAT(ParseError(std::string(c.yaml)), HasSubstr(util::StrCat("models/m/kgate.yaml: ", c.message)));
  }
}

TEST(InputSpecApply, RulesLandOnTheirInputs) {
  absl::StatusOr<InputSchema> s = Apply(R"(
inputs:
  image:
    min: -1
    max: 1
    features: {2: {min: 0}}
    finite: false
    max_batch: 4
  ids: {allowed_values: [7, 3, 5], min: 0}
  flag: {allowed_values: [true]}
  text: {min_length: 2, max_length: 8, utf8: false}
)");
  ASSERT_TRUE(s.ok()) << s.status();
  const InputRule& image = s->inputs[0];
  EXPECT_EQ(image.bounds.min, -1);
  EXPECT_EQ(image.bounds.max, 1);
  ASSERT_EQ(image.feature_bounds.size(), 3u);  // the last axis
  EXPECT_TRUE(image.feature_bounds[0].empty());
  EXPECT_EQ(image.feature_bounds[2].min, 0);
  EXPECT_FALSE(image.require_finite);
  EXPECT_EQ(image.max_batch, 4);
  EXPECT_THAT(s->inputs[1].allowed_values, ElementsAre(3, 5, 7));
  EXPECT_THAT(s->inputs[2].allowed_values, ElementsAre(1));
  EXPECT_EQ(s->inputs[5].strings.min_length, 2);
  EXPECT_EQ(s->inputs[5].strings.max_length, 8);
  EXPECT_FALSE(s->inputs[5].strings.require_utf8);
  // Inputs the section leaves out keep the model's defaults.
  EXPECT_TRUE(s->inputs[3].require_finite);
  EXPECT_TRUE(s->inputs[3].bounds.empty());
}

TEST(InputSpecApply, FloatAllowedValuesAreComparedAsFloat32) {
  absl::StatusOr<InputSchema> s = Apply("inputs:\n  vec: {allowed_values: [0.1, 0.5]}\n");
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_THAT(s->inputs[3].allowed_values, ElementsAre(static_cast<double>(0.1f), 0.5));
}

TEST(InputSpecApply, ApplyingAgainOnlyTightens) {
  absl::StatusOr<InputSpec> wide =
      ParseYaml("inputs:\n  ids: {min: -5, max: 5, allowed_values: [1, 2, 3], max_batch: 4}\n");
  absl::StatusOr<InputSpec> narrow =
      ParseYaml("inputs:\n  ids: {min: 0, max: 9, allowed_values: [2, 3, 4], max_batch: 9}\n");
  ASSERT_TRUE(wide.ok() && narrow.ok());
  absl::StatusOr<InputSchema> once = ApplyInputSpec(Base(), *wide, kWhere);
  ASSERT_TRUE(once.ok()) << once.status();
  absl::StatusOr<InputSchema> twice = ApplyInputSpec(*once, *narrow, kWhere);
  ASSERT_TRUE(twice.ok()) << twice.status();
  EXPECT_EQ(twice->inputs[1].bounds.min, 0);
  EXPECT_EQ(twice->inputs[1].bounds.max, 5);
  EXPECT_THAT(twice->inputs[1].allowed_values, ElementsAre(2, 3));
  EXPECT_EQ(twice->inputs[1].max_batch, 4);
}

constexpr ErrorCase kApplyErrors[] = {
    {"inputs:\n  imgae: {min: 0}\n",
     "inputs.imgae: the model has no input 'imgae'; its inputs are: image, ids, flag, vec, free, text"},
    {"inputs:\n  image: {max: 1.0e39}\n",
     "inputs.image.max: 1e+39 is beyond float32's range"},
    {"inputs:\n  ids: {min: -3000000000}\n",
     "inputs.ids.min: -3e+09 is beyond int32's range"},
    {"inputs:\n  ids: {features: {1: {max: 3000000000}}}\n",
     "inputs.ids.features.1.max: 3e+09 is beyond int32's range"},
    {"inputs:\n  flag: {min: 0}\n",
     "inputs.flag.min: applies to numeric inputs; input 'flag' is bool"},
    {"inputs:\n  image: {features: [{}, {}]}\n",
     "inputs.image.features: lists 2 features; input 'image' has 3 along its last axis"},
    {"inputs:\n  image: {features: {3: {min: 0}}}\n",
     "inputs.image.features.3: feature index 3 is past the last axis of input 'image' (3 features)"},
    {"inputs:\n  vec: {features: [{min: 0}]}\n",
     "inputs.vec.features: input 'vec' has rank 1; per-feature ranges need rank >= 2"},
    {"inputs:\n  free: {features: {0: {min: 0}}}\n",
     "inputs.free.features: the last axis of input 'free' is not fixed"},
    {"inputs:\n  ids: {finite: false}\n",
     "inputs.ids.finite: applies to float inputs; input 'ids' is int32"},
    {"inputs:\n  ids: {allowed_values: [1.5]}\n",
     "inputs.ids.allowed_values[0]: input 'ids' is int32: expected an integer"},
    {"inputs:\n  ids: {allowed_values: [true]}\n",
     "inputs.ids.allowed_values[0]: input 'ids' is int32: expected a number"},
    {"inputs:\n  ids: {allowed_values: [4000000000]}\n",
     "inputs.ids.allowed_values[0]: 4e+09 is beyond int32's range"},
    {"inputs:\n  flag: {allowed_values: [1]}\n",
     "inputs.flag.allowed_values[0]: input 'flag' is bool: expected true or false"},
    {"inputs:\n  ids: {allowed_values: [1, 1]}\n",
     "inputs.ids.allowed_values: lists a value twice"},
    {"inputs:\n  image: {max_length: 10}\n",
     "inputs.image.max_length: applies to string inputs; input 'image' is float32"},
    {"inputs:\n  image: {utf8: true}\n",
     "inputs.image.utf8: applies to string inputs"},
    {"inputs:\n  text: {min: 0}\n",
     "inputs.text.min: applies to numeric inputs; input 'text' is string"},
    {"inputs:\n  text: {allowed_values: [1]}\n",
     "inputs.text.allowed_values: applies to numeric and bool inputs"},
};

TEST(InputSpecApply, AnythingThatWouldLoosenOrMisfitIsAConfigError) {
  for (const ErrorCase& c : kApplyErrors) {
    EXPECT_THAT(ApplyError(std::string(c.yaml)), HasSubstr(util::StrCat("models/m/kgate.yaml: ", c.message)));
  }
}

}  // namespace
}  // namespace kgate::schema
