// The OSV evaluation algorithm on hand-made records (each rule and boundary)
// and on real records of the bundled snapshot.
#include "deps/matcher.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "test_util.h"

namespace kgate::deps {
namespace {

using ::testing::HasSubstr;

OsvRecord Record(const std::string& id, const std::string& affected_json, const std::string& extra = "") {
  std::string text = "{\"id\": \"" + id + "\", " + extra + "\"affected\": [" + affected_json + "]}";
  absl::StatusOr<OsvRecord> r = ParseOsvRecord(text, id + ".json");
  EXPECT_TRUE(r.ok()) << r.status();
  return r.ok() ? *r : OsvRecord{};
}

std::string Ranged(const std::string& events) {
  return R"({"package": {"ecosystem": "PyPI", "name": "Demo_Pkg"}, "ranges": [{"type": "ECOSYSTEM", "events": [)" +
         events + "]}]}";
}

bool Affected(const OsvDatabase& db, const std::string& version) {
  return !MatchPackage(db, "demo-pkg", version).matches.empty();
}

TEST(MatcherTest, FixedIsExclusiveIntroducedInclusive) {
  OsvDatabase db = OsvDatabase::FromRecords({Record("T-1", Ranged(R"({"introduced": "1.0"}, {"fixed": "2.0"})"))}, "t", "");
  EXPECT_FALSE(Affected(db, "0.9"));
  EXPECT_FALSE(Affected(db, "1.0rc1"));  // a pre-release of `introduced` is before it
  EXPECT_TRUE(Affected(db, "1.0"));
  EXPECT_TRUE(Affected(db, "1.0.0"));
  EXPECT_TRUE(Affected(db, "1.9.9"));
  EXPECT_TRUE(Affected(db, "2.0rc1"));  // a pre-release of the fix is still affected
  EXPECT_TRUE(Affected(db, "2.0.dev0"));
  EXPECT_FALSE(Affected(db, "2.0"));
  EXPECT_FALSE(Affected(db, "2.0.0"));
  EXPECT_FALSE(Affected(db, "2.0+local"));
  EXPECT_FALSE(Affected(db, "1!0.5"));  // epochs compare first
  EXPECT_FALSE(Affected(db, "1!1.5"));
}

TEST(MatcherTest, LastAffectedIsInclusive) {
  OsvDatabase db = OsvDatabase::FromRecords({Record("T-2", Ranged(R"({"introduced": "0"}, {"last_affected": "3.7.0"})"))}, "t", "");
  EXPECT_TRUE(Affected(db, "0.0.1"));
  EXPECT_TRUE(Affected(db, "3.7.0"));
  EXPECT_TRUE(Affected(db, "3.7"));
  EXPECT_FALSE(Affected(db, "3.7.0.post1"));
  EXPECT_FALSE(Affected(db, "3.7.1"));
  EXPECT_TRUE(Affected(db, "3.7.0+cu124"));  // a local build of 3.7.0 is 3.7.0 to an unlabelled event
}

TEST(MatcherTest, UnsortedPairsAndLimit) {
  OsvDatabase db = OsvDatabase::FromRecords(
      {Record("T-3", Ranged(R"({"introduced": "2.3.0"}, {"fixed": "2.3.1"}, {"introduced": "2.2.0"}, {"fixed": "2.2.1"})")),
       Record("T-4", R"({"package": {"ecosystem": "PyPI", "name": "demo-pkg"}, "ranges": [{"type": "ECOSYSTEM",
                        "events": [{"introduced": "0"}, {"limit": "5.0"}]}]})")},
      "t", "");
  PackageMatches m = MatchPackage(db, "demo-pkg", "2.2.0");
  ASSERT_EQ(m.matches.size(), 2u);
  EXPECT_EQ(m.matches[0].reason, "ECOSYSTEM range: introduced 2.2.0, fixed 2.2.1");
  EXPECT_EQ(MatchPackage(db, "demo-pkg", "2.2.5").matches.size(), 1u);  // only the limit record
  EXPECT_EQ(MatchPackage(db, "demo-pkg", "2.3.0").matches.size(), 2u);
  EXPECT_TRUE(MatchPackage(db, "demo-pkg", "5.0").matches.empty());    // limit is exclusive
}

TEST(MatcherTest, VersionsListWithdrawnAndRangeless) {
  OsvDatabase db = OsvDatabase::FromRecords(
      {Record("T-5", R"({"package": {"ecosystem": "PyPI", "name": "demo-pkg"}, "versions": ["1.5", "weird-1"]})"),
       Record("T-6", Ranged(R"({"introduced": "0"})"), "\"withdrawn\": \"2026-01-01T00:00:00Z\", "),
       Record("T-7", R"({"package": {"ecosystem": "PyPI", "name": "demo-pkg"}})"),
       Record("T-8", R"({"package": {"ecosystem": "npm", "name": "demo-pkg"}, "versions": ["1.5"]})")},
      "t", "");
  PackageMatches m = MatchPackage(db, "demo-pkg", "1.5.0");
  ASSERT_EQ(m.matches.size(), 1u);  // T-5 via the list (PEP 440 equality); T-6 withdrawn; T-8 npm
  EXPECT_EQ(db.records()[m.matches[0].record].id, "T-5");
  EXPECT_EQ(MatchPackage(db, "demo-pkg", "weird-1").matches.size(), 1u);  // non-PEP 440: exact string only
  ASSERT_EQ(m.warnings.size(), 1u);
  EXPECT_THAT(m.warnings[0], HasSubstr("T-7 (demo-pkg): the record has no machine-readable range"));
}

TEST(MatcherTest, NonPep440EventsUseTheirLeadingVersion) {
  OsvDatabase db = OsvDatabase::FromRecords(
      {Record("T-9", Ranged(R"({"introduced": "0"}, {"last_affected": "2.6.0-NA"})")),
       Record("T-10", Ranged(R"({"introduced": "0"}, {"fixed": "nightly"})"))},
      "t", "");
  PackageMatches m = MatchPackage(db, "demo-pkg", "2.6.0");
  ASSERT_EQ(m.matches.size(), 1u);
  EXPECT_TRUE(m.matches[0].approximate);
  EXPECT_EQ(m.matches[0].reason, "ECOSYSTEM range: introduced 0, last_affected 2.6.0-NA");
  EXPECT_TRUE(MatchPackage(db, "demo-pkg", "2.6.1").matches.empty());
  ASSERT_EQ(m.warnings.size(), 1u);
  EXPECT_THAT(m.warnings[0], HasSubstr("T-10 (Demo_Pkg): a ECOSYSTEM range has an event that is not a PEP 440 version"));
}

TEST(MatcherTest, MalformedRecordsAreRefusedWithPointer) {
  absl::StatusOr<OsvRecord> r = ParseOsvRecord(
      R"({"id": "X", "affected": [{"package": {"ecosystem": "PyPI", "name": "a"}, "ranges": [{"type": "ECOSYSTEM", "events": [{"fixed": "1"}]}]}]})",
      "X.json");
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(std::string(r.status().message()), HasSubstr("X.json: /affected/0/ranges/0: a range needs at least one 'introduced'"));
  absl::StatusOr<OsvRecord> two = ParseOsvRecord(
      R"({"id": "X", "affected": [{"ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0", "fixed": "1"}]}]}]})", "X.json");
  ASSERT_FALSE(two.ok());
  EXPECT_THAT(std::string(two.status().message()), HasSubstr("/affected/0/ranges/0/events/0: an event must be an object with exactly one key"));
}

class SnapshotTest : public ::testing::Test {
 protected:
  static std::vector<std::string> Ids(const std::string& pkg, const std::string& version) {
    std::vector<std::string> ids;
    const OsvDatabase& db = testing::SnapshotDatabase();
    for (const Match& m : MatchPackage(db, pkg, version).matches) ids.push_back(db.records()[m.record].id);
    std::sort(ids.begin(), ids.end());
    return ids;
  }
  const OsvDatabase* db_ = &testing::SnapshotDatabase();
};

TEST_F(SnapshotTest, LoadsAndNamesTheSnapshot) {
  EXPECT_EQ(db_->records().size(), 1513u);
  EXPECT_EQ(db_->withdrawn_count(), 2u);
  EXPECT_EQ(db_->snapshot(), "2026-07-23T14:42:31+00:00");
  EXPECT_THAT(db_->source(), HasSubstr("advisory-database"));
}

TEST_F(SnapshotTest, RealBoundaries) {
  // keras: [3.0.0, 3.8.0) PYSEC-2025-122; last_affected 3.7.0 PYSEC-2025-121.
  EXPECT_THAT(Ids("keras", "3.7.0"), ::testing::Contains("PYSEC-2025-121"));
  EXPECT_THAT(Ids("keras", "3.7.1"), ::testing::Not(::testing::Contains("PYSEC-2025-121")));
  EXPECT_THAT(Ids("keras", "3.8.0rc0"), ::testing::Contains("PYSEC-2025-122"));
  EXPECT_THAT(Ids("keras", "3.8.0"), ::testing::Not(::testing::Contains("PYSEC-2025-122")));
  // fixed 2.13.1rc0: 2.13.1rc0 itself is fixed, 2.13.1.dev0 is not.
  EXPECT_THAT(Ids("keras", "2.13.1.dev0"), ::testing::Contains("PYSEC-2026-369"));
  EXPECT_THAT(Ids("keras", "2.13.1rc0"), ::testing::Not(::testing::Contains("PYSEC-2026-369")));
  // fixed '2.12' == 2.12.0 (intel-tensorflow).
  EXPECT_FALSE(Ids("intel-tensorflow", "2.11.9").empty());
  EXPECT_THAT(Ids("intel-tensorflow", "2.12.0"), ::testing::IsEmpty());
  // Withdrawn PYSEC-2017-150 never reported; the live duplicate is.
  EXPECT_THAT(Ids("protobuf", "3.0.0"), ::testing::Contains("PYSEC-2017-65"));
  EXPECT_THAT(Ids("protobuf", "3.0.0"), ::testing::Not(::testing::Contains("PYSEC-2017-150")));
  // introduced 6.30.0rc1: rc0 is before it.
  EXPECT_THAT(Ids("protobuf", "6.30.0rc0"), ::testing::Not(::testing::Contains("PYSEC-2026-1805")));
  EXPECT_THAT(Ids("protobuf", "6.30.0rc1"), ::testing::Contains("PYSEC-2026-1805"));
  // The rangeless keras records are warned about, never matched.
  PackageMatches k = MatchPackage(*db_, "keras", "3.10.0");
  EXPECT_THAT(Ids("keras", "3.10.0"), ::testing::Not(::testing::Contains("PYSEC-2025-75")));
  EXPECT_THAT(k.warnings, ::testing::Contains(HasSubstr("PYSEC-2025-75 (keras): the record has no machine-readable range")));
  // torch last_affected 2.6.0+cu124 is a local label: 2.6.0 < 2.6.0+cu124, so 2.6.0 matches exactly.
  EXPECT_THAT(Ids("torch", "2.6.0"), ::testing::Contains("PYSEC-2025-191"));
  EXPECT_THAT(Ids("torch", "2.6.0+cu126"), ::testing::Not(::testing::Contains("PYSEC-2025-191")));
  // torch last_affected '2.6.0-NA' is read as 2.6.0 (approximate).
  EXPECT_THAT(Ids("torch", "2.6.0"), ::testing::Contains("PYSEC-2025-192"));
  EXPECT_THAT(Ids("torch", "2.6.1"), ::testing::Not(::testing::Contains("PYSEC-2025-192")));
  // Two last_affected in one range (2.5.0-NA, 2.7.1-NA): the algorithm closes the
  // range at the first one, so only <= 2.5.0 matches (docs/audit.md explains it).
  EXPECT_THAT(Ids("torch", "2.5.0"), ::testing::Contains("PYSEC-2025-210"));
  EXPECT_THAT(Ids("torch", "2.5.1"), ::testing::Not(::testing::Contains("PYSEC-2025-210")));
}

TEST_F(SnapshotTest, FixSuggestionIsTheSmallestCleanVersion) {
  // keras 3.10.0: fixes at 3.11.3, 3.12.0, 3.12.1, 3.13.1, 3.13.2, 3.14.0 -> 3.14.0 clears them all.
  EXPECT_EQ(SuggestFix(*db_, "keras", "3.10.0"), std::optional<std::string>("3.14.0"));
  // urllib3 1.26.17: several fixes inside the 1.26 line and later ones in 2.x.
  std::optional<std::string> fix = SuggestFix(*db_, "urllib3", "1.26.17");
  ASSERT_TRUE(fix.has_value());
  EXPECT_TRUE(MatchPackage(*db_, "urllib3", *fix).matches.empty());
  // torch: PYSEC-2026-139 has last_affected 2.10.0 and no fix: no clean version is known.
  EXPECT_EQ(SuggestFix(*db_, "torch", "2.0.0"), std::nullopt);
}

}  // namespace
}  // namespace kgate::deps
