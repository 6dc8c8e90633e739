#include "util/mapped_file.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "util/rules.h"

namespace kgate::util {
namespace {

std::string TempPath(const char* name) {
  return (std::filesystem::temp_directory_path() / (std::string(name) + std::to_string(::getpid()))).string();
}

TEST(MappedFileTest, MapsContentAndMoves) {
  const std::string path = TempPath("kgate_mapped_");
  std::ofstream(path, std::ios::binary) << "hello";
  absl::StatusOr<MappedFile> f = MappedFile::Open(path);
  ASSERT_TRUE(f.ok()) << f.status();
  MappedFile moved = std::move(*f);
  ASSERT_EQ(moved.data().size(), 5u);
  EXPECT_EQ(std::string(reinterpret_cast<const char*>(moved.data().data()), 5), "hello");
  std::remove(path.c_str());
}

TEST(MappedFileTest, RefusesMissingDirectoriesDevicesAndOversize) {
  EXPECT_EQ(RuleOf(MappedFile::Open("/nonexistent/kgate").status()), "KG-F002");
  absl::Status dir = MappedFile::Open("/tmp").status();
  EXPECT_NE(std::string(dir.message()).find("not a regular file"), std::string::npos);
  EXPECT_FALSE(MappedFile::Open("/dev/zero").ok()) << "a device could be read forever";
  const std::string path = TempPath("kgate_big_");
  std::ofstream(path, std::ios::binary) << std::string(100, 'x');
  absl::Status big = MappedFile::Open(path, 99).status();
  EXPECT_EQ(big.code(), absl::StatusCode::kResourceExhausted);
  EXPECT_TRUE(MappedFile::Open(path, 100).ok());
  std::remove(path.c_str());
}

TEST(MappedFileTest, EmptyFileIsAnEmptySpan) {
  const std::string path = TempPath("kgate_empty_");
  std::ofstream(path, std::ios::binary).close();
  absl::StatusOr<MappedFile> f = MappedFile::Open(path);
  ASSERT_TRUE(f.ok());
  EXPECT_TRUE(f->data().empty());
  std::remove(path.c_str());
}

}  // namespace
}  // namespace kgate::util
