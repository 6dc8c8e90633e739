#include "util/rules.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "util/finding.h"

namespace kgate::util {
namespace {

TEST(RulesTest, CatalogueIsSortedUniqueAndFindable) {
  auto rules = AllRules();
  ASSERT_FALSE(rules.empty());
  for (size_t i = 1; i < rules.size(); ++i) EXPECT_LT(rules[i - 1].id, rules[i].id);
  for (const RuleInfo& r : rules) {
    ASSERT_EQ(FindRule(r.id), &r);
    EXPECT_FALSE(r.title.empty());
    EXPECT_FALSE(r.references.empty());
  }
  EXPECT_EQ(FindRule("KG-X999"), nullptr);
}

TEST(RulesTest, EveryNamedConstantIsInTheCatalogue) {
  for (std::string_view id : {rules::kUnknownFormat, rules::kZipBomb, rules::kJsonLimit, rules::kHdf5UserBlock,
                              rules::kLambda, rules::kUnsafeName, rules::kWeightDtype, rules::kIgnoredTrainingState}) {
    EXPECT_NE(FindRule(id), nullptr) << id;
  }
}

TEST(RulesTest, EveryRuleIsDocumented) {
  std::ifstream in(std::string(KGATE_SOURCE_DIR) + "/docs/scan-rules.md");
  ASSERT_TRUE(in) << "docs/scan-rules.md is missing";
  std::stringstream ss;
  ss << in.rdbuf();
  const std::string doc = ss.str();
  for (const RuleInfo& r : AllRules()) {
    EXPECT_NE(doc.find("### " + std::string(r.id)), std::string::npos) << r.id << " has no section in docs/scan-rules.md";
  }
}

TEST(RulesTest, StatusCarriesRuleThroughAnnotate) {
  absl::Status s = RuleError(rules::kZipBomb, "member too big");
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(RuleOf(s), "KG-Z009");
  absl::Status a = Annotate(s, "m.keras: ");
  EXPECT_EQ(std::string(a.message()), "m.keras: member too big");
  EXPECT_EQ(RuleOf(a), "KG-Z009");
  EXPECT_EQ(RuleLimitError(rules::kZipBomb, "x").code(), absl::StatusCode::kResourceExhausted);
  EXPECT_FALSE(RuleOf(absl::InternalError("x")).has_value());
  EXPECT_TRUE(WithRule(absl::OkStatus(), rules::kLambda).ok());
}

TEST(FindingListTest, RejectsAtMediumAndAbove) {
  FindingList list;
  list.Add(rules::kIgnoredTrainingState, "compile_config ignored", "config.json:/compile_config");
  EXPECT_FALSE(list.Rejects());
  list.AddStatus(RuleError(rules::kLambda, "Lambda layer"), rules::kConfigInvalid, "config.json:/config/layers/1");
  EXPECT_TRUE(list.Rejects());
  ASSERT_EQ(list.findings().size(), 2u);
  EXPECT_EQ(list.findings()[1].rule, "KG-K001");
  EXPECT_EQ(list.findings()[1].severity, Severity::kCritical);
  list.AddStatus(absl::InternalError("no rule"), rules::kConfigInvalid, "x");
  EXPECT_EQ(list.findings()[2].rule, "KG-K010") << "a status without a rule falls back";
}

TEST(FindingListTest, CapsTheCountAndStillRejects) {
  FindingList list;
  for (size_t i = 0; i < FindingList::kMaxFindings + 5; ++i) list.Add(rules::kIgnoredTrainingState, "x", "y");
  EXPECT_EQ(list.findings().size(), FindingList::kMaxFindings);
  EXPECT_EQ(list.dropped(), 5u);
  EXPECT_TRUE(list.Rejects()) << "an overflowing finding list must fail closed";
}

}  // namespace
}  // namespace kgate::util
