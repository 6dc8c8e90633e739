// Reading members: CRC-32, bounded inflation, streams that lie about sizes.
#include <gtest/gtest.h>

#include "io/zip/zip_reader.h"
#include "util/rules.h"
#include "zip_test_util.h"
#include "zip_test_writer.h"

namespace kgate::io::zip::testing {
namespace {

namespace rules = util::rules;

// Opens an archive holding `e` alone, which must succeed, and reads it.
absl::StatusOr<std::string> ReadOnly(const TestEntry& e, const Limits& limits = {}) {
  TestArchive a;
  a.entries.push_back(e);
  const std::vector<uint8_t> bytes = Build(a);
  absl::StatusOr<ZipArchive> archive = ZipArchive::Open(bytes, limits);
  if (!archive.ok()) return absl::InternalError("Open failed: " + std::string(archive.status().message()));
  absl::StatusOr<MemberData> data = archive->Read(archive->entries()[0]);
  if (!data.ok()) return data.status();
  return Text(*data);
}

std::string Pattern(size_t n) {
  std::string s(n, '\0');
  for (size_t i = 0; i < n; ++i) s[i] = static_cast<char>("abcdefgh"[(i * 7 + i / 13) % 8]);
  return s;
}

TEST(ZipReadTest, CrcMismatch) {
  for (uint16_t method : {0, 8}) {
    TestEntry e{.name = "config.json", .data = "{\"tampered\": true}", .method = method};
    e.crc = 0x12345678;
    absl::StatusOr<std::string> r = ReadOnly(e);
    EXPECT_TRUE(HasRule(r, rules::kZipCrcMismatch,
                        "entry 0 'config.json' at offset 0: CRC-32 of the content is 0x"))
        << method;
    EXPECT_TRUE(HasRule(r, rules::kZipCrcMismatch, "but the header says 0x12345678 (tampered or corrupt)"));
  }
}

TEST(ZipReadTest, StreamInflatesPastTheDeclaredSize) {
  TestEntry e{.name = "w", .data = Pattern(10000), .method = 8};
  e.uncompressed_size = 5000;
  absl::StatusOr<std::string> r = ReadOnly(e);
  EXPECT_TRUE(HasRule(r, rules::kZipBomb, "inflates past its declared size of 5000 bytes (stopped there)"));
  EXPECT_EQ(r.status().code(), absl::StatusCode::kResourceExhausted);
  e.uncompressed_size = 0;
  EXPECT_TRUE(HasRule(ReadOnly(e), rules::kZipBomb, "declared size of 0 bytes"));
}

TEST(ZipReadTest, LyingBombStopsAtTheDeclaredSize) {
  // 64 MiB of zeros (~64 KiB compressed) declared as 1 MiB, with the ratio
  // cap relaxed so that Open lets it through: Read stops after 1 MiB.
  TestEntry e{.name = "bomb", .data = std::string(64 << 20, '\0'), .method = 8};
  e.uncompressed_size = 1 << 20;
  Limits limits;
  limits.max_ratio = 1000000;
  EXPECT_TRUE(HasRule(ReadOnly(e, limits), rules::kZipBomb, "inflates past its declared size of 1048576"));
}

TEST(ZipReadTest, StreamEndsBeforeTheDeclaredSize) {
  TestEntry e{.name = "w", .data = Pattern(10000), .method = 8};
  e.uncompressed_size = 10001;
  EXPECT_TRUE(HasRule(ReadOnly(e), rules::kZipHeaderMismatch,
                      "inflates to 10000 bytes but the header declares 10001"));
}

TEST(ZipReadTest, BytesAfterTheEndOfTheStream) {
  TestEntry e{.name = "w", .data = Pattern(1000), .method = 8};
  const std::string deflated = Deflate(e.data);
  e.compressed = deflated + "tail";
  EXPECT_TRUE(HasRule(ReadOnly(e), rules::kZipHeaderMismatch,
                      "DEFLATE stream ends after " + std::to_string(deflated.size()) + " of the " +
                          std::to_string(deflated.size() + 4) + " compressed bytes"));
}

TEST(ZipReadTest, InvalidDeflateData) {
  TestEntry e{.name = "w", .data = "abc", .method = 8};
  e.compressed = "\xff\xff\xff\xff";
  EXPECT_TRUE(HasRule(ReadOnly(e), rules::kZipMalformed, "invalid DEFLATE data after"));
  e.compressed = "";
  EXPECT_TRUE(HasRule(ReadOnly(e), rules::kZipMalformed, "DEFLATE stream is truncated"));
}

TEST(ZipReadTest, DeflateStreamTruncatedAtEveryLength) {
  const std::string data = Pattern(3000);
  const std::string deflated = Deflate(data);
  for (size_t n = 0; n < deflated.size(); ++n) {
    TestEntry e{.name = "w", .data = data, .method = 8};
    e.compressed = deflated.substr(0, n);
    absl::StatusOr<std::string> r = ReadOnly(e);
    ASSERT_FALSE(r.ok()) << n;
    const std::string rule = util::RuleOf(r.status()).value_or("");
    EXPECT_TRUE(rule == rules::kZipMalformed || rule == rules::kZipHeaderMismatch) << n << ": " << r.status();
  }
  TestEntry whole{.name = "w", .data = data, .method = 8};
  EXPECT_EQ(*ReadOnly(whole), data);
}

TEST(ZipReadTest, FlippedDeflateBytesNeverPass) {
  const std::string data = Pattern(3000);
  const std::string deflated = Deflate(data);
  for (size_t i = 0; i < deflated.size(); ++i) {
    TestEntry e{.name = "w", .data = data, .method = 8};
    e.compressed = deflated;
    (*e.compressed)[i] ^= 0x10;
    absl::StatusOr<std::string> r = ReadOnly(e);
    if (r.ok()) {
      // Only padding bits after the final block can flip unnoticed.
      EXPECT_EQ(i, deflated.size() - 1);
      EXPECT_EQ(*r, data);
      continue;
    }
    const std::string rule = util::RuleOf(r.status()).value_or("");
    EXPECT_TRUE(rule == rules::kZipMalformed || rule == rules::kZipHeaderMismatch ||
                rule == rules::kZipCrcMismatch || rule == rules::kZipBomb)
        << i << ": " << r.status();
  }
}

TEST(ZipReadTest, EntriesFromElsewhereAreRefused) {
  const std::vector<uint8_t> one = Simple({{"a", "aaaa"}, {"b", "bbbb"}});
  absl::StatusOr<ZipArchive> archive = ZipArchive::Open(one);
  ASSERT_TRUE(archive.ok());
  Entry forged = archive->entries()[0];
  forged.compressed_size = forged.uncompressed_size = 10000;
  absl::StatusOr<MemberData> r = archive->Read(forged);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(std::string(r.status().message()).find("is not an entry of this archive"), std::string::npos);
  Entry moved = archive->entries()[1];
  moved.data_offset = 0;
  EXPECT_FALSE(archive->Read(moved).ok());
  Entry copy = archive->entries()[1];
  EXPECT_EQ(Text(*archive->Read(copy)), "bbbb");
}

}  // namespace
}  // namespace kgate::io::zip::testing
