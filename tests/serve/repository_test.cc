// The model repository layout: versions, names, refusals, symlinks.
#include <filesystem>
#include <fstream>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "serve/model_repository.h"
#include "serve/repository_loader.h"
#include "test_model.h"

namespace kgate::serve {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

class RepositoryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() /
            ("kgate_serve_repo_" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) + "_" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(root_);
    fs::create_directories(root_);
  }
  void TearDown() override { fs::remove_all(root_); }

  void Put(const std::string& model, const std::string& version, const std::string& file = "model.keras") {
    fs::create_directories(root_ / model / version);
    fs::copy_file(testing::FixturePath("tests/fixtures/models/multi_io.keras"), root_ / model / version / file);
  }

  absl::StatusOr<std::shared_ptr<const ModelRepository>> Load(VersionPolicy policy = {}) {
    RepositoryOptions options;
    options.loader = testing::ScanAndLoad;
    options.default_versions = policy;
    return RepositoryLoader(root_.string(), options).LoadAll();
  }

  fs::path root_;
};

TEST_F(RepositoryTest, LoadsEveryVersionAndServesTheNewest) {
  Put("a", "1");
  Put("a", "10");
  Put("b.v2", "3");
  std::ofstream(root_ / "README") << "not a model";
  VersionPolicy all;
  all.kind = VersionPolicy::Kind::kAll;
  absl::StatusOr<std::shared_ptr<const ModelRepository>> loaded = Load(all);
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  const ModelRepository* repo = loaded->get();
  EXPECT_EQ(repo->Versions("a"), (std::vector<int64_t>{1, 10}));
  EXPECT_EQ((*repo->Find("a", std::nullopt))->version, 10);
  EXPECT_EQ((*repo->Find("a", 1))->version, 1);
  EXPECT_EQ(repo->Find("a", 2).status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(std::string(repo->Find("a", 2).status().message()), HasSubstr("has no version 2 (served: 1, 10)"));
  EXPECT_EQ(repo->Find("c", std::nullopt).status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ((*repo->Find("b.v2", std::nullopt))->schema.inputs.size(), 2u);
}

TEST_F(RepositoryTest, BadLayoutsAreRefusedNamingThePath) {
  Put("a", "01");
  EXPECT_THAT(std::string(Load().status().message()), HasSubstr("positive integer"));
  fs::remove_all(root_ / "a");
  Put("-bad", "1");
  EXPECT_THAT(std::string(Load().status().message()), HasSubstr("model folder name"));
  fs::remove_all(root_ / "-bad");
  Put("a", "1");
  Put("a", "1", "model.h5");
  EXPECT_THAT(std::string(Load().status().message()), HasSubstr("exactly one of model.keras or model.h5"));
  fs::remove_all(root_ / "a");
  fs::create_directories(root_ / "a");
  EXPECT_THAT(std::string(Load().status().message()), HasSubstr("no version folder"));
  fs::remove_all(root_ / "a");
  EXPECT_THAT(std::string(Load().status().message()), HasSubstr("no model folders"));
}

TEST_F(RepositoryTest, SymlinksAreRefused) {
  Put("a", "1");
  fs::create_directory_symlink(root_ / "a", root_ / "link");
  EXPECT_THAT(std::string(Load().status().message()), HasSubstr("symlinks are refused"));
  fs::remove(root_ / "link");
  fs::create_directories(root_ / "b" / "1");
  fs::create_symlink(root_ / "a" / "1" / "model.keras", root_ / "b" / "1" / "model.keras");
  EXPECT_THAT(std::string(Load().status().message()), HasSubstr("model.keras: symlinks are refused"));
}

TEST_F(RepositoryTest, TheDefaultPolicyLoadsOnlyTheLatestVersion) {
  Put("a", "1");
  Put("a", "2");
  absl::StatusOr<std::shared_ptr<const ModelRepository>> repo = Load();
  ASSERT_TRUE(repo.ok()) << repo.status();
  EXPECT_EQ((*repo)->Versions("a"), (std::vector<int64_t>{2}));
}

TEST_F(RepositoryTest, NamedModelsAreVersionOne) {
  const std::string path = testing::FixturePath("tests/fixtures/models/multi_io.keras");
  RepositoryOptions options;
  options.loader = testing::ScanAndLoad;
  absl::StatusOr<std::shared_ptr<const ModelRepository>> repo = LoadNamedModels({"x=" + path}, options);
  ASSERT_TRUE(repo.ok()) << repo.status();
  EXPECT_EQ((*repo)->Versions("x"), (std::vector<int64_t>{1}));
  EXPECT_FALSE(LoadNamedModels({"=" + path}, options).ok());
  EXPECT_FALSE(LoadNamedModels({"a/b=" + path}, options).ok());
  EXPECT_EQ(LoadNamedModels({"x=" + path, "x=" + path}, options).status().code(), absl::StatusCode::kAlreadyExists);
}

TEST(ParseVersionTest, PositiveDecimalOnly) {
  EXPECT_EQ(ParseVersion("1"), 1);
  EXPECT_EQ(ParseVersion("123456789012345678"), 123456789012345678);
  for (const char* bad : {"", "0", "01", "-1", "+1", "1.0", "1 ", "1234567890123456789", "x"}) {
    EXPECT_EQ(ParseVersion(bad), std::nullopt) << bad;
  }
  EXPECT_TRUE(IsValidModelName("digits_cnn"));
  for (const char* bad : {"", ".", "..", "_a", "a/b", "a b", "a%2F"}) EXPECT_FALSE(IsValidModelName(bad)) << bad;
}

}  // namespace
}  // namespace kgate::serve
