// The value rules kgate.yaml's `inputs:` section adds, enforced by
// ValidateInputs: ranges per input and per feature, allowed values, the
// batch cap, finite: false, and string rules on a synthetic string input
// (no model has one today). Each refusal is a Violation with the element's
// index, the rule, what was expected and what came.
#include <cmath>
#include <cstring>
#include <limits>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "io/json/json.h"
#include "serve/input_constraints.h"
#include "serve/input_validation.h"
#include "../schema/schema_test_util.h"
#include "validation_test_util.h"

namespace kgate::serve {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using testing::JsonRequest;
using testing::Rules;

using schema::testing::Rule;

// A KServe binary FP32 input over `bytes` (which must outlive it).
RequestInput RawFloat32(const std::string& name, graph::Dims shape, const std::string& bytes) {
  RequestInput in;
  in.name = name;
  in.shape = std::move(shape);
  in.declared = util::DType::kFloat32;
  in.raw = bytes;
  return in;
}

// "index rule expected | actual" of every violation in a refusal.
std::vector<std::string> Details(const absl::Status& s) {
  std::vector<std::string> out;
  auto payload = s.GetPayload(schema::kViolationsPayloadUrl);
  if (!payload) return out;
  absl::StatusOr<io::json::Value> v = io::json::Parse(std::string(*payload));
  for (const io::json::Value& x : v->Find("violations")->array()) {
    std::string index;
    for (const io::json::Value& i : x.Find("index")->array()) index += std::to_string(*i.number().integer) + ",";
    out.push_back(index + " " + x.Find("rule")->string() + " " + x.Find("expected")->string() + " | " +
                  x.Find("actual")->string());
  }
  return out;
}

TEST(InputConstraintsTest, InputAndFeatureRanges) {
  InputSchema schema;
  InputRule r = Rule("x", util::DType::kFloat32, {graph::kUnknownDim, 3});
  r.bounds = {0.0, 1.0};
  r.feature_bounds = {{}, {0.25, std::nullopt}, {std::nullopt, 0.5}};
  schema.inputs.push_back(r);

  JsonRequest good;
  good.Add("x", "[[0, 0.25, 0.5], [1, 1, 0]]");
  EXPECT_TRUE(ValidateInputs(schema, good.inputs).ok());

  JsonRequest bad;
  bad.Add("x", "[[-0.5, 0.1, 0.75], [1.5, 1, 0]]");
  EXPECT_THAT(Details(ValidateInputs(schema, bad.inputs).status()),
              ElementsAre("0,0, min >= 0 | -0.5", "0,1, feature_min >= 0.25 (feature 1) | 0.1",
                          "0,2, feature_max <= 0.5 (feature 2) | 0.75", "1,0, max <= 1 | 1.5"));
}

TEST(InputConstraintsTest, IntegerRangesAndAllowedValues) {
  InputSchema schema;
  InputRule r = Rule("ids", util::DType::kInt32, {graph::kUnknownDim, 2});
  r.bounds = {0.0, 100.0};
  r.allowed_values = {1, 2, 3, 50};
  schema.inputs.push_back(r);
  JsonRequest req;
  req.Add("ids", "[[1, 4], [-1, 50]]");
  EXPECT_THAT(Details(ValidateInputs(schema, req.inputs).status()),
              ElementsAre("0,1, allowed_values one of 1, 2, 3, 50 | 4", "1,0, min >= 0 | -1",
                          "1,0, allowed_values one of 1, 2, 3, 50 | -1"));
}

TEST(InputConstraintsTest, FloatAllowedValuesMatchAfterFloat32Conversion) {
  InputSchema schema;
  InputRule r = Rule("x", util::DType::kFloat32, {graph::kUnknownDim});
  r.allowed_values = {static_cast<double>(0.1f), 0.5};
  schema.inputs.push_back(r);
  JsonRequest req;
  req.Add("x", "[0.1, 0.5, 0.30000001]");
  EXPECT_THAT(Rules(ValidateInputs(schema, req.inputs).status()), ElementsAre("x:allowed_values"));
}

TEST(InputConstraintsTest, BoolAllowedValues) {
  InputSchema schema;
  InputRule r = Rule("b", util::DType::kBool, {graph::kUnknownDim, 1});
  r.allowed_values = {1};
  schema.inputs.push_back(r);
  JsonRequest req;
  req.Add("b", "[[true], [false]]");
  EXPECT_THAT(Details(ValidateInputs(schema, req.inputs).status()),
              ElementsAre("1,0, allowed_values one of true | false"));
}

TEST(InputConstraintsTest, MaxBatchRefusesBeforeAnyAllocation) {
  InputSchema schema;
  InputRule r = Rule("x", util::DType::kFloat32, {graph::kUnknownDim, 2});
  r.max_batch = 2;
  schema.inputs.push_back(r);
  JsonRequest ok;
  ok.Add("x", "[[1, 2], [3, 4]]");
  EXPECT_TRUE(ValidateInputs(schema, ok.inputs).ok());
  JsonRequest big;
  big.Add("x", "[[1, 2], [3, 4], [5, 6]]");
  EXPECT_THAT(Details(ValidateInputs(schema, big.inputs).status()),
              ElementsAre(" max_batch batch at most 2 | batch 3"));
  // A binary request claiming a huge batch is refused by the cap, not by an allocation.
  const std::string bytes(8, '\0');
  EXPECT_THAT(Rules(ValidateInputs(schema, {RawFloat32("x", {int64_t{1} << 40, 2}, bytes)}).status()),
              ElementsAre("x:max_batch"));
}

TEST(InputConstraintsTest, FiniteFalseAdmitsNanButInfinityStillMeetsTheRange) {
  InputSchema schema;
  InputRule r = Rule("x", util::DType::kFloat32, {graph::kUnknownDim, 3});
  r.require_finite = false;
  r.bounds = {std::nullopt, 10.0};
  schema.inputs.push_back(r);
  const float values[] = {std::numeric_limits<float>::quiet_NaN(), -std::numeric_limits<float>::infinity(),
                          std::numeric_limits<float>::infinity()};
  std::string bytes(sizeof(values), '\0');
  std::memcpy(bytes.data(), values, sizeof(values));
  EXPECT_THAT(Details(ValidateInputs(schema, {RawFloat32("x", {1, 3}, bytes)}).status()),
              ElementsAre("0,2, max <= 10 | inf"));
}

TEST(InputConstraintsTest, StringRulesOnASyntheticStringInput) {
  InputRule r = Rule("text", util::DType::kString, {graph::kUnknownDim});
  r.strings.min_length = 1;
  r.strings.max_length = 4;
  std::vector<std::string_view> values = {"ok", "", "toolong", "\xC3\x28", "\xE2\x82\xAC"};
  schema::Violations violations;
  CheckStringRules(r, values, {5}, &violations);
  std::vector<std::string> got;
  for (const schema::Violation& v : violations.list()) {
    got.push_back(std::to_string(v.index[0]) + " " + v.rule + " " + v.expected + " | " + v.actual);
  }
  EXPECT_THAT(got, ElementsAre("1 min_length at least 1 bytes | 0 bytes", "2 max_length at most 4 bytes | 7 bytes",
                               "3 utf8 valid UTF-8 | invalid UTF-8 bytes"));
  r.strings.require_utf8 = false;
  schema::Violations loose;
  CheckStringRules(r, {"\xC3\x28"}, {1}, &loose);
  EXPECT_TRUE(loose.empty());
}

TEST(InputConstraintsTest, StringInputsAreNotServedYet) {
  InputSchema schema;
  schema.inputs.push_back(Rule("text", util::DType::kString, {graph::kUnknownDim}));
  JsonRequest req;
  req.Add("text", "[\"a\"]");
  EXPECT_THAT(Rules(ValidateInputs(schema, req.inputs).status()), ElementsAre("text:dtype"));
}

TEST(InputConstraintsTest, ViolationsStopAtTheCap) {
  InputSchema schema;
  InputRule r = Rule("x", util::DType::kFloat32, {graph::kUnknownDim, 100});
  r.bounds = {std::nullopt, 0.0};
  schema.inputs.push_back(r);
  std::string row = "[";
  for (int i = 0; i < 100; ++i) row += std::string(i ? "," : "") + "1";
  JsonRequest req;
  req.Add("x", "[" + row + "]]");
  ValidationOptions options;
  options.max_violations = 5;
  const absl::Status s = ValidateInputs(schema, req.inputs, options).status();
  EXPECT_EQ(Rules(s).size(), 5u);
  EXPECT_THAT(std::string(s.message()), ::testing::HasSubstr("6 violation(s)"));
}

}  // namespace
}  // namespace kgate::serve
