#include "deps/pep440.h"

#include <algorithm>

#include "test_util.h"
#include "gtest/gtest.h"
#include "io/json/json.h"

namespace kgate::deps {
namespace {

Version V(std::string_view s) {
  absl::StatusOr<Version> v = Version::Parse(s);
  EXPECT_TRUE(v.ok()) << s << ": " << v.status();
  return v.ok() ? *v : Version();
}

TEST(Pep440Test, OrderWithinOneRelease) {
  const char* ordered[] = {"1.0.dev0", "1.0a0.dev0", "1.0a0",          "1.0a1",     "1.0b1",
                           "1.0rc1",   "1.0",        "1.0+abc",        "1.0+abc.1", "1.0+1",
                           "1.0+1.0",  "1.0+2",      "1.0.post0.dev0", "1.0.post0", "1.0.post1", "1.0.1"};
  for (size_t i = 0; i + 1 < std::size(ordered); ++i) {
    EXPECT_LT(V(ordered[i]), V(ordered[i + 1])) << ordered[i] << " < " << ordered[i + 1];
    EXPECT_GT(V(ordered[i + 1]), V(ordered[i]));
  }
}

TEST(Pep440Test, AlternateSpellingsNormalise) {
  EXPECT_EQ(V("1.0ALPHA").ToString(), "1.0a0");
  EXPECT_EQ(V("v1.0-preview-2").ToString(), "1.0rc2");
  EXPECT_EQ(V("1.0-1").ToString(), "1.0.post1");
  EXPECT_EQ(V("1.0.r").ToString(), "1.0.post0");
  EXPECT_EQ(V("1.0_dev").ToString(), "1.0.dev0");
  EXPECT_EQ(V(" 0!01.02+Ubuntu-1 ").ToString(), "1.2+ubuntu.1");
  EXPECT_EQ(V("2.8.0-rc0"), V("2.8.0rc0"));
  EXPECT_EQ(V("2.12"), V("2.12.0"));
}

TEST(Pep440Test, EpochAndBigIntegers) {
  EXPECT_GT(V("1!1.0"), V("2025.1"));
  EXPECT_EQ(V("0!9.0.0"), V("9.0.0"));
  EXPECT_LT(V("1.0.99999999999999999999"), V("1.0.100000000000000000000"));
  EXPECT_EQ(V("1.0.0099"), V("1.0.99"));
}

TEST(Pep440Test, RefusesInvalidWithOffset) {
  absl::StatusOr<Version> v = Version::Parse("2.6.0-NA");
  ASSERT_FALSE(v.ok());
  EXPECT_NE(v.status().message().find("'2.6.0-NA' is not a PEP 440 version: at offset 5"), std::string::npos)
      << v.status();
  EXPECT_FALSE(Version::Parse("").ok());
  EXPECT_FALSE(Version::Parse(std::string(kMaxVersionBytes + 1, '1')).ok());
}

TEST(Pep440Test, LeadingVersionOfInvalidEvents) {
  EXPECT_EQ(LeadingVersion("2.6.0-NA")->ToString(), "2.6.0");
  EXPECT_EQ(LeadingVersion("2.6.0-cu124")->ToString(), "2.6.0");
  EXPECT_EQ(LeadingVersion("2.6.0+cu124 build")->ToString(), "2.6.0+cu124");
  EXPECT_FALSE(LeadingVersion("latest").has_value());
}

// Ground truth from the pinned `packaging` library over every version string
// in the OSV snapshot plus edge spellings (tools/deps/gen_pep440_oracle.py).
TEST(Pep440Test, AgreesWithPackagingOracle) {
  const std::string text = testing::ReadFile(testing::SourceDir() + "/tests/deps/testdata/pep440_oracle.json");
  absl::StatusOr<io::json::Value> doc = io::json::Parse(text);
  ASSERT_TRUE(doc.ok()) << doc.status();
  const io::json::Array& valid = doc->Find("valid")->array();
  const io::json::Array& invalid = doc->Find("invalid")->array();
  ASSERT_GT(valid.size(), 1000u);  // the snapshot alone has well over a thousand versions
  ASSERT_GT(invalid.size(), 10u);
  for (const io::json::Value& s : invalid) {
    EXPECT_FALSE(Version::Parse(s.string()).ok()) << "packaging refuses '" << s.string() << "'";
  }
  struct Item {
    Version version;
    int64_t rank;
    std::string text;
  };
  std::vector<Item> items;
  for (const io::json::Value& e : valid) {
    const std::string& t = e.Find("text")->string();
    absl::StatusOr<Version> v = Version::Parse(t);
    ASSERT_TRUE(v.ok()) << "packaging accepts '" << t << "': " << v.status();
    EXPECT_EQ(v->ToString(), e.Find("normalized")->string()) << t;
    items.push_back({*v, *e.Find("rank")->number().integer, t});
  }
  // Sorting with kgate's order must give packaging's ranks in order, and
  // neighbours compare equal exactly when packaging says they are equal.
  std::stable_sort(items.begin(), items.end(), [](const Item& a, const Item& b) { return a.version < b.version; });
  for (size_t i = 0; i + 1 < items.size(); ++i) {
    ASSERT_LE(items[i].rank, items[i + 1].rank) << items[i].text << " vs " << items[i + 1].text;
    EXPECT_EQ(items[i].version == items[i + 1].version, items[i].rank == items[i + 1].rank)
        << items[i].text << " vs " << items[i + 1].text;
  }
  // And every pair among the first 300 (edge spellings come first).
  const size_t n = std::min<size_t>(items.size(), 300);
  for (size_t i = 0; i < n; ++i) {
    for (size_t j = 0; j < n; ++j) {
      EXPECT_EQ(items[i].version < items[j].version, items[i].rank < items[j].rank);
    }
  }
}

}  // namespace
}  // namespace kgate::deps
