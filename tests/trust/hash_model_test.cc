#include "trust/hash_model.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "test_support.h"

namespace kgate::trust {
namespace {

using ::testing::HasSubstr;
using testing::MakeDirs;
using testing::TempDir;
using testing::WriteFile;

TEST(HashModelTest, ThreadCountDoesNotChangeTheManifest) {
  TempDir dir;
  MakeDirs(dir.Sub("m/a/b"));
  for (int i = 0; i < 40; ++i) {
    const std::string name = dir.Sub("m/" + std::string(i % 3 == 0 ? "a/b/" : i % 3 == 1 ? "a/" : "") + "f" + std::to_string(i));
    WriteFile(name, std::string(static_cast<size_t>(i) * 1000 + 1, static_cast<char>('a' + i % 26)));
  }
  absl::StatusOr<Manifest> one = HashModel(dir.Sub("m"), {}, {.threads = 1});
  absl::StatusOr<Manifest> many = HashModel(dir.Sub("m"), {}, {.threads = 6});
  ASSERT_TRUE(one.ok()) << one.status();
  ASSERT_TRUE(many.ok()) << many.status();
  ASSERT_EQ(one->resources.size(), 40u);
  for (size_t i = 0; i < one->resources.size(); ++i) {
    EXPECT_EQ(one->resources[i].name, many->resources[i].name);
    EXPECT_EQ(one->resources[i].digest, many->resources[i].digest);
  }
  // Each digest is the file's own SHA-256, in canonical order.
  EXPECT_EQ(one->resources[0].name, "a/b/f0");
  EXPECT_EQ(one->resources[0].digest, HashBytes(std::string_view("a")));
}

TEST(HashModelTest, ShardSerializationNeedsASize) {
  TempDir dir;
  WriteFile(dir.Sub("f"), "x");
  Serialization s;
  s.method = SerializationMethod::kShards;
  EXPECT_THAT(HashModel(dir.Sub("f"), s).status().message(), HasSubstr("shard_size above 0"));
}

}  // namespace
}  // namespace kgate::trust
