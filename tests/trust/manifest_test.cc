#include "trust/manifest.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace kgate::trust {
namespace {

using ::testing::ElementsAre;

Resource R(std::string name, std::string_view content) { return {std::move(name), HashBytes(content)}; }

std::vector<std::string> Names(const std::vector<Resource>& rs) {
  std::vector<std::string> out;
  for (const Resource& r : rs) out.push_back(r.name);
  return out;
}

TEST(ManifestTest, FilesSortByPathComponents) {
  // Python's PurePosixPath order: "a/b" < "a.txt" because ["a", "b"] < ["a.txt"],
  // while plain string order would put "a.txt" first ('.' < '/').
  std::vector<Resource> rs = {R("a.txt", "1"), R("a/b", "2"), R("B", "3"), R("a", "4"), R("a/b/c", "5")};
  SortResources(SerializationMethod::kFiles, &rs);
  EXPECT_THAT(Names(rs), ElementsAre("B", "a", "a/b", "a/b/c", "a.txt"));
}

TEST(ManifestTest, ShardsSortByPathThenNumericOffsets) {
  std::vector<Resource> rs = {R("w:10:20", ""), R("w:2:10", ""), R("v:0:5", ""), R("w:0:2", "")};
  SortResources(SerializationMethod::kShards, &rs);
  EXPECT_THAT(Names(rs), ElementsAre("v:0:5", "w:0:2", "w:2:10", "w:10:20"));
}

TEST(ManifestTest, ParseShardName) {
  std::string path;
  uint64_t start = 0, end = 0;
  EXPECT_TRUE(ParseShardName("dir/w.bin:0:1000", &path, &start, &end));
  EXPECT_EQ(path, "dir/w.bin");
  EXPECT_EQ(start, 0u);
  EXPECT_EQ(end, 1000u);
  EXPECT_FALSE(ParseShardName("w:5:5", &path, &start, &end));   // empty
  EXPECT_FALSE(ParseShardName("w:01:5", &path, &start, &end));  // leading zero
  EXPECT_FALSE(ParseShardName("w:1", &path, &start, &end));
  EXPECT_FALSE(ParseShardName("a:b:1:2", &path, &start, &end));
  EXPECT_FALSE(ParseShardName("w:-1:2", &path, &start, &end));
}

TEST(ManifestTest, RootDigestIsHashOfConcatenatedDigests) {
  const std::vector<Resource> rs = {R("a", "1"), R("b", "2")};
  std::string concat;
  for (const Resource& r : rs) concat.append(reinterpret_cast<const char*>(r.digest.data()), 32);
  EXPECT_EQ(RootDigest(rs), HashBytes(concat));
  EXPECT_NE(RootDigest(rs), RootDigest({rs[1], rs[0]}));  // order matters
}

TEST(ManifestTest, DiffReportsChangedMissingExtraAndRenamed) {
  const std::vector<Resource> signed_rs = {R("config.json", "c"), R("weights.bin", "w"), R("old.txt", "o"),
                                           R("gone", "g")};
  const std::vector<Resource> actual = {R("config.json", "c2"), R("weights.bin", "w"), R("new.txt", "o"),
                                        R("evil.py", "e")};
  const ManifestDiff diff = CompareManifests(signed_rs, actual);
  ASSERT_EQ(diff.changed.size(), 1u);
  EXPECT_EQ(diff.changed[0].name, "config.json");
  EXPECT_EQ(diff.changed[0].signed_digest, HashBytes(std::string_view("c")));
  EXPECT_EQ(diff.changed[0].actual_digest, HashBytes(std::string_view("c2")));
  EXPECT_THAT(diff.missing, ElementsAre("gone"));
  EXPECT_THAT(diff.extra, ElementsAre("evil.py"));
  ASSERT_EQ(diff.renamed.size(), 1u);
  EXPECT_EQ(diff.renamed[0].from, "old.txt");
  EXPECT_EQ(diff.renamed[0].to, "new.txt");
  EXPECT_THAT(diff.Describe(),
              ElementsAre(::testing::StartsWith("changed: config.json (signed sha256 "), "renamed: old.txt -> new.txt",
                          "missing: gone (signed, not on disk)", "extra: evil.py (on disk, not signed)"));
  EXPECT_TRUE(CompareManifests(signed_rs, signed_rs).empty());
}

}  // namespace
}  // namespace kgate::trust
