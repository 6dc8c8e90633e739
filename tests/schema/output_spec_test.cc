// The `outputs:` section of kgate.yaml: parsing (every error names the file,
// the key path and what was expected), the check against the model's
// outputs, and each rule's verdict on tensors, including the edges (NaN, a
// sum exactly at the tolerance, a tie for the top class).
#include "schema/output_spec.h"

#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "io/json/json.h"

namespace kgate::schema {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

constexpr char kWhere[] = "models/m/kgate.yaml";

io::json::Value Json(const std::string& text) {
  absl::StatusOr<io::json::Value> v = io::json::Parse(text);
  EXPECT_TRUE(v.ok()) << v.status();
  return v.ok() ? *std::move(v) : io::json::Value();
}

absl::StatusOr<OutputSpec> Parse(const std::string& text) { return ParseOutputSpec(Json(text), kWhere); }

std::string ParseError(const std::string& text) {
  absl::StatusOr<OutputSpec> spec = Parse(text);
  EXPECT_FALSE(spec.ok()) << text;
  if (spec.ok()) return "";
  EXPECT_EQ(spec.status().code(), absl::StatusCode::kInvalidArgument);
  return std::string(spec.status().message());
}

TEST(OutputSpecParse, EveryRuleWithItsParametersAndAction) {
  absl::StatusOr<OutputSpec> spec = Parse(R"({"probs": {
      "finite": {},
      "range": {"min": 0, "max": 1, "action": "reject"},
      "simplex": {"tolerance": 0.001, "action": "flag"},
      "allowed_classes": {"classes": [7, 0, 3], "action": "flag"},
      "min_confidence": {"min": 0.6, "action": "log"}},
    "score": {"range": {"max": 10}}})");
  ASSERT_TRUE(spec.ok()) << spec.status();
  ASSERT_EQ(spec->outputs.size(), 2u);
  const OutputRules& probs = spec->outputs[0];
  EXPECT_EQ(probs.output, "probs");
  ASSERT_EQ(probs.rules.size(), 5u);
  EXPECT_EQ(probs.rules[0].kind, OutputRuleKind::kFinite);
  EXPECT_EQ(probs.rules[0].action, OutputAction::kReject);  // the default
  EXPECT_EQ(probs.rules[1].min, 0.0);
  EXPECT_EQ(probs.rules[1].max, 1.0);
  EXPECT_EQ(probs.rules[2].kind, OutputRuleKind::kSimplex);
  EXPECT_EQ(probs.rules[2].tolerance, 0.001);
  EXPECT_EQ(probs.rules[2].action, OutputAction::kFlag);
  EXPECT_THAT(probs.rules[3].classes, ElementsAre(0, 3, 7));  // sorted for lookup
  EXPECT_EQ(probs.rules[4].action, OutputAction::kLog);
  EXPECT_EQ(probs.rules[4].min, 0.6);
  EXPECT_FALSE(spec->outputs[1].rules[0].min.has_value());
  EXPECT_EQ(spec->outputs[1].rules[0].max, 10.0);
}

TEST(OutputSpecParse, ErrorsNameFileKeyPathAndExpectation) {
  EXPECT_EQ(ParseError(R"([1])"),
            "models/m/kgate.yaml: outputs: expected a mapping of output names to rules, got array");
  EXPECT_THAT(ParseError(R"({"p": {}})"), HasSubstr("models/m/kgate.yaml: outputs.p: expected a mapping of rules"));
  EXPECT_THAT(ParseError(R"({"p": {"finite": true}})"),
              HasSubstr("models/m/kgate.yaml: outputs.p.finite: expected a mapping, got true"));
  EXPECT_THAT(ParseError(R"({"p": {"simplx": {}}})"),
              HasSubstr("outputs.p.simplx: unknown rule; expected one of finite, range, simplex"));
  EXPECT_THAT(ParseError(R"({"p": {"range": {"min": 0, "maxx": 1}}})"),
              HasSubstr("outputs.p.range.maxx: unknown key; expected one of min, max, action"));
  EXPECT_EQ(ParseError(R"({"p": {"range": {"min": "0"}}})"),
            "models/m/kgate.yaml: outputs.p.range.min: expected a number, got string \"0\"");
  EXPECT_THAT(ParseError(R"({"p": {"range": {"action": "flag"}}})"),
              HasSubstr("outputs.p.range: expected min, max or both"));
  EXPECT_THAT(ParseError(R"({"p": {"range": {"min": 2, "max": 1}}})"),
              HasSubstr("outputs.p.range: min 2 is above max 1"));
  EXPECT_THAT(ParseError(R"({"p": {"simplex": {"tolerance": 1}}})"),
              HasSubstr("outputs.p.simplex.tolerance: expected a number in [0, 1), got 1"));
  EXPECT_THAT(ParseError(R"({"p": {"simplex": {"tolerance": -0.1}}})"), HasSubstr("in [0, 1)"));
  EXPECT_THAT(ParseError(R"({"p": {"finite": {"action": "warn"}}})"),
              HasSubstr("outputs.p.finite.action: expected reject, flag or log, got 'warn'"));
  EXPECT_THAT(ParseError(R"({"p": {"allowed_classes": {}}})"),
              HasSubstr("outputs.p.allowed_classes.classes: missing; expected a list of class indexes"));
  EXPECT_THAT(ParseError(R"({"p": {"allowed_classes": {"classes": []}}})"),
              HasSubstr("outputs.p.allowed_classes.classes: expected a non-empty list"));
  EXPECT_THAT(ParseError(R"({"p": {"allowed_classes": {"classes": [1, 1.5]}}})"),
              HasSubstr("outputs.p.allowed_classes.classes[1]: expected an integer, got number 1.5"));
  EXPECT_THAT(ParseError(R"({"p": {"allowed_classes": {"classes": [-1]}}})"),
              HasSubstr("classes[0]: expected a class index >= 0, got -1"));
  EXPECT_THAT(ParseError(R"({"p": {"allowed_classes": {"classes": [2, 1, 2]}}})"), HasSubstr("lists a class twice"));
  EXPECT_THAT(ParseError(R"({"p": {"min_confidence": {"action": "flag"}}})"),
              HasSubstr("outputs.p.min_confidence.min: missing"));
}

TEST(OutputSpecParse, ClassListIsCappedAtTheLimitAndOnePast) {
  auto classes = [](size_t n) {
    std::string text = R"({"p": {"allowed_classes": {"classes": [)";
    for (size_t i = 0; i < n; ++i) text += (i ? "," : "") + std::to_string(i);
    return text + "]}}}";
  };
  EXPECT_TRUE(Parse(classes(kMaxAllowedClasses)).ok());
  EXPECT_THAT(ParseError(classes(kMaxAllowedClasses + 1)), HasSubstr("lists 65537 classes; at most 65536"));
}

TEST(OutputSpecCheck, NamesMustExistAndVectorRulesNeedAFixedLastDimension) {
  const std::vector<std::string> names = {"probs", "score", "ids"};
  const std::vector<graph::TensorSpec> specs = {{util::DType::kFloat32, {graph::kUnknownDim, 4}},
                                                {util::DType::kFloat32, {graph::kUnknownDim}},
                                                {util::DType::kInt32, {graph::kUnknownDim, 4}}};
  auto check = [&](const std::string& text) {
    absl::StatusOr<OutputSpec> spec = Parse(text);
    EXPECT_TRUE(spec.ok()) << spec.status();
    return spec.ok() ? CheckOutputSpec(*spec, names, specs, kWhere) : spec.status();
  };
  EXPECT_TRUE(check(R"({"probs": {"simplex": {}, "allowed_classes": {"classes": [3]}}, "score": {"range": {"max": 1}}})")
                  .ok());
  EXPECT_THAT(check(R"({"prob": {"finite": {}}})").message(),
              HasSubstr("outputs.prob: the model has no output of that name; its outputs are probs, score, ids"));
  EXPECT_THAT(check(R"({"probs": {"allowed_classes": {"classes": [4]}}})").message(),
              HasSubstr("outputs.probs.allowed_classes.classes: class 4 is not below the output's last dimension 4"));
  EXPECT_THAT(check(R"({"score": {"simplex": {}}})").message(),
              HasSubstr("outputs.score.simplex: needs a floating output of rank >= 2 with a fixed last dimension; "
                        "'score' is float32 [None]"));
  EXPECT_THAT(check(R"({"ids": {"min_confidence": {"min": 1}}})").message(), HasSubstr("'ids' is int32"));
}

// Breaks of the single rule in `text` on `values` of `shape`.
std::vector<RuleBreak> Evaluate(const std::string& text, const std::vector<float>& values, const graph::Dims& shape,
                                OutputSpec* keep) {
  absl::StatusOr<OutputSpec> spec = Parse(text);
  EXPECT_TRUE(spec.ok()) << spec.status();
  if (!spec.ok()) return {};
  *keep = *std::move(spec);
  return EvaluateOutputRules(keep->outputs[0], values, shape);
}

std::vector<int64_t> BrokenRows(const std::string& rule, const std::vector<float>& values, const graph::Dims& shape) {
  OutputSpec keep;
  std::vector<RuleBreak> breaks = Evaluate(R"({"p": {)" + rule + "}}", values, shape, &keep);
  EXPECT_LE(breaks.size(), 1u);
  if (breaks.empty()) return {};
  EXPECT_EQ(breaks[0].count, static_cast<int64_t>(breaks[0].rows.size()));
  return breaks[0].rows;
}

constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();
constexpr float kInf = std::numeric_limits<float>::infinity();

TEST(OutputRules, FiniteAndRangeJudgeEveryElementAndReportTheBatchRow) {
  const std::vector<float> v = {0.5f, 0.5f, kNaN, 0.1f, 0.2f, -kInf, 1.0f, 0.0f};
  EXPECT_THAT(BrokenRows(R"("finite": {})", v, {4, 2}), ElementsAre(1, 2));
  EXPECT_THAT(BrokenRows(R"("range": {"min": 0, "max": 1})", v, {4, 2}), ElementsAre(1, 2));  // NaN is out of range
  EXPECT_THAT(BrokenRows(R"("range": {"max": 0.4})", v, {4, 2}), ElementsAre(0, 1, 3));
  EXPECT_THAT(BrokenRows(R"("range": {"min": 0.0})", v, {4, 2}), ElementsAre(1, 2));
  EXPECT_THAT(BrokenRows(R"("range": {"min": 0.5, "max": 0.5})", {0.5f, 0.5f}, {1, 2}), ElementsAre());  // inclusive
}

TEST(OutputRules, SimplexNeedsNonNegativeRowsSummingToOneWithinTolerance) {
  const std::vector<float> v = {0.25f, 0.75f,  // exact
                                0.5f,  0.5625f,  // sums to 1.0625
                                -0.25f, 1.25f,   // sums to 1 but negative
                                kNaN,  1.0f};
  EXPECT_THAT(BrokenRows(R"("simplex": {"tolerance": 0.001})", v, {4, 2}), ElementsAre(1, 2, 3));
  EXPECT_THAT(BrokenRows(R"("simplex": {"tolerance": 0.0625})", v, {4, 2}), ElementsAre(2, 3));  // at the tolerance
  EXPECT_THAT(BrokenRows(R"("simplex": {"tolerance": 0.0624})", v, {4, 2}), ElementsAre(1, 2, 3));
  // Rank 3: every vector along the last axis of a batch row must be a simplex.
  EXPECT_THAT(BrokenRows(R"("simplex": {})", {1, 0, 0, 1, /**/ 1, 0, 0.5f, 0.25f}, {2, 2, 2}), ElementsAre(1));
}

TEST(OutputRules, AllowedClassesAndConfidenceUseTheArgmaxOfTheLastAxis) {
  const std::vector<float> v = {0.1f, 0.7f, 0.2f,    // class 1, 0.7
                                0.4f, 0.2f, 0.4f,    // tie: class 0 (first maximum, as numpy.argmax)
                                0.1f, 0.1f, 0.8f,    // class 2
                                kNaN, 0.9f, 0.1f};   // no class wins
  EXPECT_THAT(BrokenRows(R"("allowed_classes": {"classes": [0, 1]})", v, {4, 3}), ElementsAre(2, 3));
  EXPECT_THAT(BrokenRows(R"("allowed_classes": {"classes": [2]})", v, {4, 3}), ElementsAre(0, 1, 3));
  EXPECT_THAT(BrokenRows(R"("min_confidence": {"min": 0.7})", v, {4, 3}), ElementsAre(1, 3));
  EXPECT_THAT(BrokenRows(R"("min_confidence": {"min": 0.71})", v, {4, 3}), ElementsAre(0, 1, 3));
}

TEST(OutputRules, ReportsTheFirstRowsAndCountsAll) {
  std::vector<float> v(100, 2.0f);
  OutputSpec keep;
  std::vector<RuleBreak> breaks = Evaluate(R"({"p": {"finite": {}, "range": {"max": 1}}})", v, {100}, &keep);
  ASSERT_EQ(breaks.size(), 1u);  // only broken rules come back
  EXPECT_EQ(breaks[0].rule->kind, OutputRuleKind::kRange);
  EXPECT_EQ(breaks[0].count, 100);
  ASSERT_EQ(breaks[0].rows.size(), kMaxReportedRows);
  EXPECT_EQ(breaks[0].rows.back(), static_cast<int64_t>(kMaxReportedRows) - 1);
}

}  // namespace
}  // namespace kgate::schema
