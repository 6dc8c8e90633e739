#include "trust/digest.h"

#include <sys/stat.h>
#include <unistd.h>

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "test_support.h"

namespace kgate::trust {
namespace {

using ::testing::HasSubstr;
using testing::TempDir;
using testing::WriteFile;

TEST(DigestTest, KnownVectors) {
  // FIPS 180-2 test vectors.
  EXPECT_EQ(ToHex(HashBytes(std::string_view(""))), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(ToHex(HashBytes(std::string_view("abc"))), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(DigestTest, HexRoundTripAndRejects) {
  const Sha256 d = HashBytes(std::string_view("x"));
  EXPECT_EQ(Sha256FromHex(ToHex(d)), d);
  std::string upper = ToHex(d);
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  EXPECT_EQ(Sha256FromHex(upper), d);
  EXPECT_FALSE(Sha256FromHex(ToHex(d).substr(1)));
  EXPECT_FALSE(Sha256FromHex(ToHex(d) + "0"));
  EXPECT_FALSE(Sha256FromHex(std::string(64, 'g')));
}

TEST(DigestTest, FileMatchesMemoryAcrossReadBoundaries) {
  TempDir dir;
  // Just over two read buffers, so the loop runs three times with a partial tail.
  std::string data(2 * kHashReadBytes + 12345, '\0');
  for (size_t i = 0; i < data.size(); ++i) data[i] = static_cast<char>((i * 2654435761u) >> 13);
  WriteFile(dir.Sub("f"), data);
  absl::StatusOr<Sha256> whole = HashFile(dir.Sub("f"));
  ASSERT_TRUE(whole.ok()) << whole.status();
  EXPECT_EQ(*whole, HashBytes(data));
  absl::StatusOr<Sha256> range = HashFile(dir.Sub("f"), {kHashReadBytes - 7, kHashReadBytes + 100});
  ASSERT_TRUE(range.ok()) << range.status();
  EXPECT_EQ(*range, HashBytes(std::string_view(data).substr(kHashReadBytes - 7, kHashReadBytes + 100)));
}

TEST(DigestTest, EmptyFile) {
  TempDir dir;
  WriteFile(dir.Sub("e"), "");
  absl::StatusOr<Sha256> d = HashFile(dir.Sub("e"));
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(*d, HashBytes(std::string_view("")));
}

TEST(DigestTest, RangePastEndIsDataLoss) {
  TempDir dir;
  WriteFile(dir.Sub("f"), "0123456789");
  absl::StatusOr<Sha256> d = HashFile(dir.Sub("f"), {5, 10});
  EXPECT_EQ(d.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(d.status().message(), HasSubstr("file ended at byte 10"));
}

TEST(DigestTest, RefusesSymlinkFifoAndMissing) {
  TempDir dir;
  WriteFile(dir.Sub("real"), "x");
  ASSERT_EQ(::symlink("real", dir.Sub("link").c_str()), 0);
  ASSERT_EQ(::mkfifo(dir.Sub("fifo").c_str(), 0600), 0);
  EXPECT_THAT(HashFile(dir.Sub("link")).status().message(), HasSubstr("is a symlink"));
  EXPECT_THAT(HashFile(dir.Sub("fifo")).status().message(), HasSubstr("not a regular file"));
  EXPECT_EQ(HashFile(dir.Sub("missing")).status().code(), absl::StatusCode::kNotFound);
}

}  // namespace
}  // namespace kgate::trust
