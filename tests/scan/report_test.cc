#include "scan/report.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <vector>

#include "io/json/json.h"

namespace kgate::scan {
namespace {

using ::testing::HasSubstr;

std::vector<FileResult> SampleResults() {
  std::vector<FileResult> results(3);
  results[0].path = "good.keras";
  results[0].verdict = Verdict::kAccept;
  results[0].report.format = keras::Format::kKerasV3;
  results[0].report.keras_version = "3.15.1";
  results[0].report.findings.Add(util::rules::kIgnoredTrainingState, "compile_config ignored",
                                 "config.json:/compile_config");
  results[1].path = "bad \"quoted\".keras";
  results[1].verdict = Verdict::kReject;
  results[1].report.format = keras::Format::kKerasV3;
  results[1].report.findings.Add(util::rules::kLambda, "Lambda layer 'evil' carries bytecode",
                                 "config.json:/config/layers/1");
  results[1].report.findings.Add(util::rules::kHdf5ExternalLink, "external link to /etc/passwd",
                                 "model.weights.h5:/layers/dense");
  results[2].path = "missing.h5";
  results[2].verdict = Verdict::kError;
  results[2].error = "no such file or directory";
  return results;
}

TEST(ReportTest, JsonHasTheDesignShape) {
  auto results = SampleResults();
  absl::StatusOr<io::json::Value> doc = io::json::Parse(RenderJson(results));
  ASSERT_TRUE(doc.ok()) << doc.status();
  const io::json::Value* files = doc->Find("files");
  ASSERT_NE(files, nullptr);
  ASSERT_EQ(files->array().size(), 3u);
  const io::json::Value& bad = files->array()[1];
  EXPECT_EQ(bad.Find("path")->string(), "bad \"quoted\".keras");
  EXPECT_EQ(bad.Find("verdict")->string(), "reject");
  const auto& findings = bad.Find("findings")->array();
  ASSERT_EQ(findings.size(), 2u);
  EXPECT_EQ(findings[0].Find("rule")->string(), "KG-K001");
  EXPECT_EQ(findings[0].Find("severity")->string(), "critical");
  EXPECT_EQ(findings[0].Find("location")->string(), "config.json:/config/layers/1");
  EXPECT_EQ(files->array()[2].Find("verdict")->string(), "error");
  EXPECT_EQ(files->array()[0].Find("keras_version")->string(), "3.15.1");
}

TEST(ReportTest, SarifListsRulesAndResults) {
  auto results = SampleResults();
  absl::StatusOr<io::json::Value> doc = io::json::Parse(RenderSarif(results));
  ASSERT_TRUE(doc.ok()) << doc.status();
  EXPECT_EQ(doc->Find("version")->string(), "2.1.0");
  const io::json::Value& run = doc->Find("runs")->array()[0];
  const auto& rules = run.Find("tool")->Find("driver")->Find("rules")->array();
  EXPECT_EQ(rules.size(), util::AllRules().size());
  const auto& res = run.Find("results")->array();
  ASSERT_EQ(res.size(), 4u);  // info finding, two findings, one unreadable file
  EXPECT_EQ(res[0].Find("level")->string(), "note");
  EXPECT_EQ(res[1].Find("ruleId")->string(), "KG-K001");
  EXPECT_EQ(res[1].Find("level")->string(), "error");
  EXPECT_EQ(res[3].Find("ruleId")->string(), "KG-F002");
  EXPECT_EQ(res[1].Find("locations")->array()[0].Find("logicalLocations")->array()[0].Find("fullyQualifiedName")->string(),
            "config.json:/config/layers/1");
}

TEST(ReportTest, TextNamesEveryFindingAndSummarises) {
  auto results = SampleResults();
  const std::string text = RenderText(results);
  EXPECT_THAT(text, HasSubstr("good.keras: ACCEPT"));
  EXPECT_THAT(text, HasSubstr("REJECT"));
  EXPECT_THAT(text, HasSubstr("[critical] KG-K001 config.json:/config/layers/1"));
  EXPECT_THAT(text, HasSubstr("external link to /etc/passwd"));
  EXPECT_THAT(text, HasSubstr("missing.h5: ERROR: no such file"));
  EXPECT_THAT(text, HasSubstr("3 files scanned: 1 accepted, 1 rejected, 1 could not be read"));
}

TEST(ReportTest, ExitCodes) {
  auto results = SampleResults();
  EXPECT_EQ(ExitCodeFor(results), 2);
  results.pop_back();
  EXPECT_EQ(ExitCodeFor(results), 1);
  results.pop_back();
  EXPECT_EQ(ExitCodeFor(results), 0);
}

}  // namespace
}  // namespace kgate::scan
