#include "trust/model_files.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "test_support.h"

namespace kgate::trust {
namespace {

using ::testing::HasSubstr;
using ::testing::UnorderedElementsAre;
using testing::MakeDirs;
using testing::TempDir;
using testing::WriteFile;

std::vector<std::string> Names(const ModelFiles& files) {
  std::vector<std::string> out;
  for (const ModelFile& f : files.files) out.push_back(f.name);
  return out;
}

TEST(ModelFilesTest, SingleFileIsDot) {
  TempDir dir;
  WriteFile(dir.Sub("model.keras"), "abc");
  absl::StatusOr<ModelFiles> files = ListModelFiles(dir.Sub("model.keras"), {});
  ASSERT_TRUE(files.ok()) << files.status();
  EXPECT_FALSE(files->is_directory);
  EXPECT_EQ(files->model_name, "model.keras");
  ASSERT_EQ(files->files.size(), 1u);
  EXPECT_EQ(files->files[0].name, ".");
  EXPECT_EQ(files->files[0].size, 3u);
}

TEST(ModelFilesTest, DirectoryWithIgnores) {
  TempDir dir;
  MakeDirs(dir.Sub("m/sub/deep"));
  MakeDirs(dir.Sub("m/.git/objects"));
  WriteFile(dir.Sub("m/config.json"), "{}");
  WriteFile(dir.Sub("m/sub/deep/w.bin"), "w");
  WriteFile(dir.Sub("m/.git/objects/x"), "x");
  WriteFile(dir.Sub("m/model.sig"), "sig");
  WriteFile(dir.Sub("m/model.sigs"), "not ignored: only exact path or below");
  ListOptions options;
  options.ignore_paths = {".git", "model.sig"};
  absl::StatusOr<ModelFiles> files = ListModelFiles(dir.Sub("m/"), options);
  ASSERT_TRUE(files.ok()) << files.status();
  EXPECT_TRUE(files->is_directory);
  EXPECT_EQ(files->model_name, "m");
  EXPECT_THAT(Names(*files), UnorderedElementsAre("config.json", "sub/deep/w.bin", "model.sigs"));
}

TEST(ModelFilesTest, SymlinksRefusedUnlessAllowedAndInside) {
  TempDir dir;
  MakeDirs(dir.Sub("m"));
  WriteFile(dir.Sub("m/real"), "r");
  WriteFile(dir.Sub("outside"), "o");
  ASSERT_EQ(::symlink("real", dir.Sub("m/inside_link").c_str()), 0);
  absl::StatusOr<ModelFiles> refused = ListModelFiles(dir.Sub("m"), {});
  EXPECT_THAT(refused.status().message(), HasSubstr("inside_link: is a symlink"));

  absl::StatusOr<ModelFiles> allowed = ListModelFiles(dir.Sub("m"), {.allow_symlinks = true, .ignore_paths = {}});
  ASSERT_TRUE(allowed.ok()) << allowed.status();
  EXPECT_THAT(Names(*allowed), UnorderedElementsAre("real", "inside_link"));

  ASSERT_EQ(::symlink("../outside", dir.Sub("m/escape").c_str()), 0);
  absl::StatusOr<ModelFiles> escape = ListModelFiles(dir.Sub("m"), {.allow_symlinks = true, .ignore_paths = {}});
  EXPECT_THAT(escape.status().message(), HasSubstr("escape: symlink leads out of the model root"));
}

TEST(ModelFilesTest, RefusesSpecialFilesAndBadNames) {
  TempDir dir;
  MakeDirs(dir.Sub("m"));
  ASSERT_EQ(::mkfifo(dir.Sub("m/fifo").c_str(), 0600), 0);
  EXPECT_THAT(ListModelFiles(dir.Sub("m"), {}).status().message(), HasSubstr("fifo: not a regular file"));
  ::unlink(dir.Sub("m/fifo").c_str());
  WriteFile(dir.Sub("m/bad\xff"), "x");
  EXPECT_THAT(ListModelFiles(dir.Sub("m"), {}).status().message(), HasSubstr("not valid UTF-8"));
  EXPECT_EQ(ListModelFiles(dir.Sub("nope"), {}).status().code(), absl::StatusCode::kNotFound);
}

TEST(ModelFilesTest, DepthCap) {
  TempDir dir;
  std::string path = dir.Sub("m");
  for (int i = 0; i <= kMaxModelDepth; ++i) path += "/d";
  MakeDirs(path);
  EXPECT_EQ(ListModelFiles(dir.Sub("m"), {}).status().code(), absl::StatusCode::kResourceExhausted);
}

TEST(ModelFilesTest, IgnoreHelpers) {
  EXPECT_TRUE(IsIgnored(".git", {".git"}));
  EXPECT_TRUE(IsIgnored(".git/objects/x", {".git"}));
  EXPECT_FALSE(IsIgnored(".gitx", {".git"}));
  EXPECT_FALSE(IsIgnored("a", {""}));
  EXPECT_EQ(NormalizeIgnorePath("./a/b/"), "a/b");
  EXPECT_EQ(NormalizeIgnorePath("/etc"), "");
  EXPECT_EQ(NormalizeIgnorePath("../x"), "");
  EXPECT_EQ(NormalizeIgnorePath("."), "");
}

TEST(ModelFilesTest, SignatureIgnorePath) {
  TempDir dir;
  MakeDirs(dir.Sub("m/sigs"));
  EXPECT_EQ(SignatureIgnorePath(dir.Sub("m"), dir.Sub("m/model.sig")), "model.sig");
  EXPECT_EQ(SignatureIgnorePath(dir.Sub("m"), dir.Sub("m/sigs/../sigs/a.sig")), "sigs/a.sig");
  EXPECT_EQ(SignatureIgnorePath(dir.Sub("m"), dir.Sub("elsewhere.sig")), "");
}

}  // namespace
}  // namespace kgate::trust
