// The whole audit on the real site-packages fixture and the bundled
// snapshot: findings, paths, ignores, fixes and every report format.
#include "deps/audit.h"

#include "deps/environment.h"
#include "deps/report.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "io/json/json.h"
#include "test_util.h"

namespace kgate::deps {
namespace {

using ::testing::HasSubstr;

class AuditTest : public ::testing::Test {
 protected:
  AuditReport Run(const IgnorePolicy* ignore = nullptr, std::string today = "2026-06-01") {
    absl::StatusOr<Inventory> inv = ReadEnvironment(testing::Fixture("site-packages"));
    EXPECT_TRUE(inv.ok()) << inv.status();
    return Audit(*inv, testing::SnapshotDatabase(), {today, ignore});
  }

  static const Finding* Find(const std::vector<Finding>& fs, std::string_view id) {
    for (const Finding& f : fs) {
      if (f.id == id) return &f;
    }
    return nullptr;
  }
};

TEST_F(AuditTest, FindingsWithPathsFromKerasDirectFirst) {
  AuditReport r = Run();
  ASSERT_FALSE(r.findings.empty());
  // keras itself first, then its direct dependencies, then deeper ones.
  EXPECT_EQ(r.findings.front().package, "keras");
  const Finding* pygments = Find(r.findings, "PYSEC-2023-117");
  ASSERT_NE(pygments, nullptr);
  EXPECT_THAT(pygments->path, ::testing::ElementsAre("keras 3.10.0", "rich 13.7.1", "Pygments 2.14.0"));
  EXPECT_EQ(pygments->fixed_in, std::vector<std::string>({"2.15.1"}));
  const Finding* mdit = Find(r.findings, "PYSEC-2023-23");
  ASSERT_NE(mdit, nullptr);
  EXPECT_THAT(mdit->path, ::testing::ElementsAre("keras 3.10.0", "rich 13.7.1", "markdown-it-py 2.1.0"));
  // requests/urllib3 are not under any framework: no path, listed last.
  const Finding* urllib3 = Find(r.findings, "PYSEC-2023-212");  // fixed 1.26.18 (PYSEC-2023-192, fixed 1.26.17, is not)
  ASSERT_NE(urllib3, nullptr);
  EXPECT_TRUE(urllib3->path.empty());
  EXPECT_EQ(Find(r.findings, "PYSEC-2023-192"), nullptr);  // version == fixed is not affected
  EXPECT_TRUE(r.findings.back().path.empty());
  size_t last_depth = 0;
  for (const Finding& f : r.findings) {
    size_t depth = f.path.empty() ? SIZE_MAX : f.path.size();
    EXPECT_GE(depth, last_depth) << f.id;
    last_depth = depth;
  }
  // Severity computed from the record's CVSS vector.
  const Finding* keras = Find(r.findings, "PYSEC-2026-1486");
  ASSERT_NE(keras, nullptr);
  ASSERT_TRUE(keras->severity.score.has_value());
  EXPECT_THAT(keras->severity.vector, HasSubstr("CVSS:4.0/"));
  // The rangeless keras records become warnings.
  EXPECT_THAT(r.warnings, ::testing::Contains(HasSubstr("PYSEC-2025-75 (keras)")));
  // Fix suggestions per vulnerable package.
  bool keras_fix = false;
  for (const FixSuggestion& s : r.fixes) keras_fix |= s.package == "keras" && s.fix == "3.14.0";
  EXPECT_TRUE(keras_fix);
}

TEST_F(AuditTest, IgnoresMatchAliasesAndExpire) {
  absl::StatusOr<IgnorePolicy> policy = IgnorePolicy::Parse(
      "[[ignore]]\nid = \"cve-2022-40896\"\nreason = \"pygments never sees untrusted input here\"\nexpires = 2026-12-31\n"
      "[[ignore]]\nid = \"PYSEC-2023-23\"\nreason = \"old\"\nexpires = \"2026-01-01\"\n",
      "ignore.toml");
  ASSERT_TRUE(policy.ok()) << policy.status();
  AuditReport r = Run(&*policy, "2026-06-01");
  // PYSEC-2023-117's alias CVE-2022-40896 matches case-insensitively.
  EXPECT_EQ(Find(r.findings, "PYSEC-2023-117"), nullptr);
  const Finding* ignored = Find(r.ignored, "PYSEC-2023-117");
  ASSERT_NE(ignored, nullptr);
  EXPECT_EQ(ignored->ignored->expires, "2026-12-31");
  // The expired entry hides nothing and is reported.
  EXPECT_NE(Find(r.findings, "PYSEC-2023-23"), nullptr);
  EXPECT_THAT(r.warnings, ::testing::Contains(HasSubstr("the ignore for PYSEC-2023-23 expired on 2026-01-01")));
  // The last day of an ignore still counts.
  AuditReport last_day = Run(&*policy, "2026-12-31");
  EXPECT_EQ(Find(last_day.findings, "PYSEC-2023-117"), nullptr);
  AuditReport after = Run(&*policy, "2027-01-01");
  EXPECT_NE(Find(after.findings, "PYSEC-2023-117"), nullptr);
}

TEST(IgnorePolicyTest, EveryEntryNeedsIdReasonAndDate) {
  struct Case {
    const char* text;
    const char* message;
  } cases[] = {
      {"[[ignore]]\nreason = \"r\"\nexpires = 2026-01-01\n", "'id' is required"},
      {"[[ignore]]\nid = \"X\"\nexpires = 2026-01-01\n", "(X): 'reason' is required"},
      {"[[ignore]]\nid = \"X\"\nreason = \"r\"\n", "(X): 'expires' must be a date YYYY-MM-DD, got ''"},
      {"[[ignore]]\nid = \"X\"\nreason = \"r\"\nexpires = \"soon\"\n", "got 'soon'"},
      {"[[ignore]]\nid = \"X\"\nreason = \"r\"\nexpires = 2026-01-01\nuntil = 1\n", "unknown key 'until'"},
      {"[ignore]\n", "'ignore' must be [[ignore]] tables"},
      {"ignores = 1\n", "unknown key 'ignores'"},
  };
  for (const Case& c : cases) {
    absl::StatusOr<IgnorePolicy> p = IgnorePolicy::Parse(c.text, "i.toml");
    ASSERT_FALSE(p.ok()) << c.text;
    EXPECT_THAT(std::string(p.status().message()), HasSubstr(c.message));
  }
}

TEST_F(AuditTest, JsonReportHasTheDesignShape) {
  AuditReport r = Run();
  absl::StatusOr<io::json::Value> doc = io::json::Parse(RenderJson(r));
  ASSERT_TRUE(doc.ok()) << doc.status();
  const io::json::Value* db = doc->Find("database");
  ASSERT_NE(db, nullptr);
  EXPECT_EQ(*db->Find("advisories")->number().integer, 1513);
  EXPECT_EQ(db->Find("snapshot")->string(), "2026-07-23T14:42:31+00:00");
  ASSERT_EQ(doc->Find("packages")->array().size(), 18u);
  const io::json::Value& f = doc->Find("findings")->array().front();
  for (const char* key : {"package", "version", "id", "aliases", "severity", "fixed_in", "summary", "path"}) {
    EXPECT_NE(f.Find(key), nullptr) << key;
  }
  EXPECT_NE(doc->Find("not_audited"), nullptr);
}

TEST_F(AuditTest, SarifCycloneDxMarkdownAndTable) {
  AuditReport r = Run();
  absl::StatusOr<io::json::Value> sarif = io::json::Parse(RenderSarif(r));
  ASSERT_TRUE(sarif.ok()) << sarif.status();
  EXPECT_EQ(sarif->Find("version")->string(), "2.1.0");
  const io::json::Value& run = sarif->Find("runs")->array().front();
  EXPECT_EQ(run.Find("results")->array().size(), r.findings.size());
  const io::json::Value& loc = run.Find("results")->array().front().Find("locations")->array().front();
  EXPECT_THAT(loc.Find("physicalLocation")->Find("artifactLocation")->Find("uri")->string(), HasSubstr("METADATA"));

  absl::StatusOr<io::json::Value> bom = io::json::Parse(RenderCycloneDx(r));
  ASSERT_TRUE(bom.ok()) << bom.status();
  EXPECT_EQ(bom->Find("specVersion")->string(), "1.5");
  EXPECT_EQ(bom->Find("components")->array().size(), 18u);
  EXPECT_EQ(bom->Find("vulnerabilities")->array().size(), r.findings.size());
  EXPECT_EQ(bom->Find("vulnerabilities")->array().front().Find("affects")->array().front().Find("ref")->string(),
            "pkg:pypi/keras@3.10.0");

  std::string md = RenderMarkdown(r);
  EXPECT_THAT(md, HasSubstr("| package | version | id | severity |"));
  EXPECT_THAT(md, HasSubstr("keras 3.10.0 \u2192 rich 13.7.1 \u2192 Pygments 2.14.0"));
  std::string table = RenderTable(r);
  EXPECT_THAT(table, HasSubstr("database: "));
  EXPECT_THAT(table, HasSubstr("fix suggestions"));
  EXPECT_THAT(table, HasSubstr("keras 3.10.0 \u2192 3.14.0"));
}

TEST(ReportTest, SourceLocationsAndPurls) {
  EXPECT_EQ(SourceFileAndLine("requirements.txt:12 ; python_version>'3'"), std::make_pair(std::string("requirements.txt"), 12));
  EXPECT_EQ(SourceFileAndLine("poetry.lock:package[3] (x)"), std::make_pair(std::string("poetry.lock"), 0));
  EXPECT_EQ(PackageUrl("torch", "2.6.0+cu124"), "pkg:pypi/torch@2.6.0%2Bcu124");
}

}  // namespace
}  // namespace kgate::deps
