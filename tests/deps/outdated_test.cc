#include "deps/outdated.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "test_util.h"

namespace kgate::deps {
namespace {

using ::testing::HasSubstr;

Inventory Packages(std::vector<std::pair<std::string, std::string>> pins) {
  Inventory inv;
  for (auto& [n, v] : pins) inv.packages.push_back({n, n, v, "r.txt:1", {}});
  return inv;
}

TEST(OutdatedTest, StatesFromASnapshot) {
  absl::StatusOr<PackageIndex> index = PackageIndex::ParseSnapshot(
      R"({"source": "test", "snapshot": "2026-11-22", "packages": {
          "keras": ["3.10.0", "3.12.0", "3.13.0rc1"], "Numpy": "2.4.6", "h5py": ["3.16.0"], "jax": ["0.5.0rc1", "0.4.0"]}})",
      "index.json");
  ASSERT_TRUE(index.ok()) << index.status();
  Inventory inv = Packages({{"keras", "3.10.0"}, {"numpy", "2.4.6"}, {"h5py", "4.0.0"}, {"rich", "13.0.0"},
                            {"jax", "0.5.0rc0"}, {"odd", "banana"}});
  OutdatedReport r = CheckOutdated(inv, [&](const std::string& name) -> absl::StatusOr<ReleaseList> {
    if (const ReleaseList* l = index->Find(name)) return *l;
    return absl::NotFoundError("not in the index snapshot");
  });
  std::map<std::string, OutdatedRow> rows;
  for (const OutdatedRow& row : r.rows) rows[row.package] = row;
  EXPECT_EQ(rows["keras"].state, Freshness::kOutdated);
  EXPECT_EQ(rows["keras"].latest, "3.12.0");  // the rc is not offered to a final release
  EXPECT_EQ(rows["numpy"].state, Freshness::kCurrent);
  EXPECT_EQ(rows["h5py"].state, Freshness::kNewer);
  EXPECT_EQ(rows["rich"].state, Freshness::kUnknown);
  EXPECT_EQ(rows["rich"].note, "not in the index snapshot");
  EXPECT_EQ(rows["jax"].latest, "0.5.0rc1");  // installed is a pre-release: pre-releases count
  EXPECT_EQ(rows["odd"].state, Freshness::kUnknown);
  EXPECT_THAT(rows["odd"].note, HasSubstr("not PEP 440"));
  EXPECT_EQ(r.rows.front().state, Freshness::kOutdated);  // what needs action comes first
  EXPECT_THAT(RenderOutdatedTable(r), HasSubstr("unknown (not in the index snapshot)"));
}

TEST(OutdatedTest, PyPiDocumentsSkipYankedReleases) {
  PackageIndex index;
  ASSERT_TRUE(index
                  .AddPyPiDocument(R"({"info": {"name": "Demo"}, "releases": {
          "1.0": [{"yanked": false}], "2.0": [{"yanked": true}], "1.5": [], "1.2": [{"yanked": true}, {"yanked": false}]}})",
                                   "demo.json")
                  .ok());
  const ReleaseList* l = index.Find("demo");
  ASSERT_NE(l, nullptr);
  EXPECT_EQ(LatestVersion(*l, false), std::optional<std::string>("1.2"));
  absl::Status bad = index.AddPyPiDocument(R"({"releases": {}})", "x.json");
  EXPECT_THAT(std::string(bad.message()), HasSubstr("x.json: not a PyPI JSON API document"));
}

}  // namespace
}  // namespace kgate::deps
