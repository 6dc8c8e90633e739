// Archive-level structure: the end record, the central directory's place and
// size, and entries that must tile the file from offset 0 with nothing hidden.
#include <gtest/gtest.h>

#include <cstring>

#include "io/zip/zip_reader.h"
#include "util/rules.h"
#include "zip_test_util.h"
#include "zip_test_writer.h"

namespace kgate::io::zip::testing {
namespace {

namespace rules = util::rules;

TestArchive TwoMembers() {
  TestArchive a;
  a.entries.push_back({.name = "config.json", .data = "{\"class_name\": \"Sequential\"}"});
  a.entries.push_back({.name = "model.weights.h5", .data = std::string(100, 'w'), .method = 8});
  return a;
}

TEST(ZipStructureTest, TruncatedAtEveryLength) {
  TestArchive a = TwoMembers();
  a.comment = "c";
  const std::vector<uint8_t> bytes = Build(a);
  ASSERT_TRUE(OpenAndReadAll(bytes).ok());
  for (size_t n = 0; n < bytes.size(); ++n) {
    const std::vector<uint8_t> cut(bytes.begin(), bytes.begin() + n);
    absl::Status s = OpenStatus(cut);
    ASSERT_FALSE(s.ok()) << n;
    EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << n << ": " << s;
    EXPECT_EQ(util::RuleOf(s).value_or(""), rules::kZipMalformed) << n << ": " << s;
  }
  // Cutting only the comment is still a short comment, not a valid archive.
  EXPECT_TRUE(HasRule(OpenStatus({bytes.begin(), bytes.end() - 1}), rules::kZipMalformed,
                      "declares a 1-byte comment but only 0 bytes follow"));
}

TEST(ZipStructureTest, TooShortAndNoEndRecord) {
  EXPECT_TRUE(HasRule(OpenStatus({}), rules::kZipMalformed, "too short"));
  EXPECT_TRUE(HasRule(OpenStatus(std::vector<uint8_t>(21, 0)), rules::kZipMalformed, "too short"));
  EXPECT_TRUE(HasRule(OpenStatus(std::vector<uint8_t>(5000, 'x')), rules::kZipMalformed,
                      "no end of central directory record"));
}

TEST(ZipStructureTest, EndRecordSearchIsBoundedToTheMaximumComment) {
  // A valid end record followed by 65536 bytes: too far back to be found.
  std::vector<uint8_t> bytes = Build({});
  bytes.resize(bytes.size() + 65536, 'x');
  EXPECT_TRUE(HasRule(OpenStatus(bytes), rules::kZipMalformed, "in the last 65557 bytes"));
}

TEST(ZipStructureTest, AppendedDataAfterTheArchive) {
  TestArchive a = TwoMembers();
  a.trailing = "appended payload";
  EXPECT_TRUE(HasRule(OpenStatus(Build(a)), rules::kZipHiddenData, "16 bytes after the end of the archive"));
  a.comment = "short";
  EXPECT_TRUE(HasRule(OpenStatus(Build(a)), rules::kZipHiddenData, "appended data"));
}

TEST(ZipStructureTest, CommentLengthMismatch) {
  TestArchive a = TwoMembers();
  a.comment = "12345";
  a.comment_length = 9;
  EXPECT_TRUE(HasRule(OpenStatus(Build(a)), rules::kZipMalformed, "declares a 9-byte comment but only 5"));
  a.comment_length = 2;
  EXPECT_TRUE(HasRule(OpenStatus(Build(a)), rules::kZipHiddenData, "3 bytes after the end of the archive"));
}

TEST(ZipStructureTest, FakeEndRecordInsideTheComment) {
  // Python's zipfile takes the last signature; so do we, and then its comment
  // length must still end at EOF.
  TestArchive a = TwoMembers();
  a.comment = std::string("PK\x05\x06", 4) + std::string(18, '\0');
  EXPECT_FALSE(OpenStatus(Build(a)).ok());
}

TEST(ZipStructureTest, Zip64IsRefused) {
  TestArchive a = TwoMembers();
  a.zip64_locator = true;
  EXPECT_TRUE(HasRule(OpenStatus(Build(a)), rules::kZipUnsupported, "zip64 end of central directory locator"));
  for (int field = 0; field < 4; ++field) {
    TestArchive b = TwoMembers();
    if (field == 0) b.entries_total = 0xFFFF;
    if (field == 1) b.entries_on_disk = 0xFFFF;
    if (field == 2) b.cd_size = 0xFFFFFFFF;
    if (field == 3) b.cd_offset = 0xFFFFFFFF;
    EXPECT_TRUE(HasRule(OpenStatus(Build(b)), rules::kZipUnsupported, "zip64 markers")) << field;
  }
}

TEST(ZipStructureTest, MultiDiskIsRefused) {
  TestArchive a = TwoMembers();
  a.disk = 1;
  EXPECT_TRUE(HasRule(OpenStatus(Build(a)), rules::kZipUnsupported, "multi-disk archive (disk 1"));
  a.disk = 0;
  a.cd_disk = 2;
  EXPECT_TRUE(HasRule(OpenStatus(Build(a)), rules::kZipUnsupported, "central directory on disk 2"));
}

TEST(ZipStructureTest, EntryCountsMustAgree) {
  TestArchive a = TwoMembers();
  a.entries_on_disk = 1;
  EXPECT_TRUE(HasRule(OpenStatus(Build(a)), rules::kZipMalformed, "counts 1 entries on this disk but 2 in total"));
  TestArchive b = TwoMembers();
  b.entries_on_disk = 3;
  b.entries_total = 3;
  EXPECT_TRUE(HasRule(OpenStatus(Build(b)), rules::kZipMalformed, "entry 2 at offset"));
  TestArchive c = TwoMembers();
  c.entries_on_disk = 1;
  c.entries_total = 1;
  EXPECT_TRUE(HasRule(OpenStatus(Build(c)), rules::kZipMalformed, "but its 1 entries take"));
}

TEST(ZipStructureTest, EntryCountCapAtNAndNPlusOne) {
  TestArchive a;
  for (int i = 0; i < 10; ++i) a.entries.push_back({.name = "m" + std::to_string(i), .data = "x"});
  const std::vector<uint8_t> bytes = Build(a);
  Limits limits;
  limits.max_entries = 10;
  EXPECT_TRUE(OpenStatus(bytes, limits).ok());
  limits.max_entries = 9;
  absl::Status s = OpenStatus(bytes, limits);
  EXPECT_TRUE(HasRule(s, rules::kZipBomb, "declares 10 entries, over the cap of 9"));
  EXPECT_EQ(s.code(), absl::StatusCode::kResourceExhausted);
}

TEST(ZipStructureTest, CentralDirectorySizeMustMatch) {
  TestArchive a = TwoMembers();
  const std::vector<uint8_t> good = Build(a);
  // Recorded size too large: the directory would run into the end record.
  a.cd_size = static_cast<uint32_t>(good.size());
  EXPECT_TRUE(HasRule(OpenStatus(Build(a)), rules::kZipMalformed, "runs past the end of central directory record"));
  // Directory with hidden bytes after the records.
  TestArchive b = TwoMembers();
  b.before_end = "HIDDEN";
  EXPECT_TRUE(HasRule(OpenStatus(Build(b)), rules::kZipHiddenData,
                      "6 hidden bytes between the end of the central directory"));
}

TEST(ZipStructureTest, CentralDirectorySizeCoversHiddenBytes) {
  // The size includes 6 extra bytes after the records: they are not entries.
  TestArchive a = TwoMembers();
  a.before_end = "HIDDEN";
  std::vector<uint8_t> with_hidden = Build(a);
  // Patch the recorded size (EOCD offset 12) to include the hidden bytes.
  const size_t eocd = with_hidden.size() - 22;
  uint32_t size;
  std::memcpy(&size, &with_hidden[eocd + 12], 4);
  size += 6;
  std::memcpy(&with_hidden[eocd + 12], &size, 4);
  EXPECT_TRUE(HasRule(OpenStatus(with_hidden), rules::kZipMalformed, "entries take"));
}

TEST(ZipStructureTest, PrependedDataWithUnadjustedOffsets) {
  TestArchive a = TwoMembers();
  a.prefix = "MZ fake executable stub";
  EXPECT_TRUE(HasRule(OpenStatus(Build(a)), rules::kZipHiddenData, "23 bytes were prepended to the archive (polyglot"));
  TestArchive empty;
  empty.prefix = "x";
  EXPECT_TRUE(HasRule(OpenStatus(Build(empty)), rules::kZipHiddenData, "1 bytes were prepended"));
}

TEST(ZipStructureTest, PrependedDataWithAdjustedOffsets) {
  TestArchive a = TwoMembers();
  a.prefix = "%PDF-1.7 polyglot";
  a.prefix_adjusts_offsets = true;
  EXPECT_TRUE(HasRule(OpenStatus(Build(a)), rules::kZipHiddenData,
                      "17 bytes before the first local header (entry 0 'config.json' at offset 17)"));
}

TEST(ZipStructureTest, GapBetweenEntries) {
  TestArchive a = TwoMembers();
  a.entries[1].before = "smuggled";
  EXPECT_TRUE(HasRule(OpenStatus(Build(a)), rules::kZipHiddenData,
                      "entry 1 'model.weights.h5': 8 hidden bytes between the end of the previous entry"));
}

TEST(ZipStructureTest, GapBeforeTheCentralDirectory) {
  TestArchive a = TwoMembers();
  a.before_central = "smuggled!";
  EXPECT_TRUE(HasRule(OpenStatus(Build(a)), rules::kZipHiddenData,
                      "9 hidden bytes between the end of the last entry"));
}

TEST(ZipStructureTest, OverlappingEntries) {
  // Entry 1's central record points into entry 0's data.
  TestArchive a = TwoMembers();
  a.entries[1].local_header_offset = 40;
  EXPECT_TRUE(HasRule(OpenStatus(Build(a)), rules::kZipHiddenData, "overlaps the previous entry"));
  // Two central records for one local header.
  TestArchive b = TwoMembers();
  b.entries[1].local_header_offset = 0;
  EXPECT_TRUE(HasRule(OpenStatus(Build(b)), rules::kZipHiddenData,
                      "central directory order differs from file order"));
}

TEST(ZipStructureTest, CentralOrderMustEqualFileOrder) {
  TestArchive a = TwoMembers();
  a.central_order = {1, 0};
  EXPECT_TRUE(HasRule(OpenStatus(Build(a)), rules::kZipHiddenData, "bytes before the first local header"));
  TestArchive b = TwoMembers();
  b.entries.push_back({.name = "third", .data = "3"});
  b.central_order = {0, 2, 1};
  EXPECT_TRUE(HasRule(OpenStatus(Build(b)), rules::kZipHiddenData, "hidden bytes between"));
}

TEST(ZipStructureTest, LastEntryRunsIntoTheCentralDirectory) {
  TestArchive a = TwoMembers();
  a.entries[1].method = 0;
  a.entries[1].compressed_size = 130;
  a.entries[1].uncompressed_size = 130;
  EXPECT_TRUE(HasRule(OpenStatus(Build(a)), rules::kZipHiddenData, "inside the central directory"));
  a.entries[1].compressed_size = 100000;
  a.entries[1].uncompressed_size = 100000;
  EXPECT_TRUE(HasRule(OpenStatus(Build(a)), rules::kZipMalformed, "run past the end of the file"));
}

TEST(ZipStructureTest, CentralRecordSignatureAndBounds) {
  TestArchive a = TwoMembers();
  std::vector<uint8_t> bytes = Build(a);
  // Corrupt the signature of the second central record.
  const size_t eocd = bytes.size() - 22;
  uint32_t cd_offset;
  std::memcpy(&cd_offset, &bytes[eocd + 16], 4);
  const size_t second = cd_offset + 46 + a.entries[0].name.size();
  bytes[second] = 'X';
  EXPECT_TRUE(HasRule(OpenStatus(bytes), rules::kZipMalformed, "no central directory header signature"));
  // A name length that runs past the directory.
  std::vector<uint8_t> long_name = Build(a);
  long_name[cd_offset + 28] = 0xFF;
  long_name[cd_offset + 29] = 0x7F;
  EXPECT_TRUE(HasRule(OpenStatus(long_name), rules::kZipMalformed, "run past the end of the central directory"));
}

TEST(ZipStructureTest, LocalHeaderSignature) {
  TestArchive a = TwoMembers();
  std::vector<uint8_t> bytes = Build(a);
  bytes[0] = 'Q';
  EXPECT_TRUE(HasRule(OpenStatus(bytes), rules::kZipMalformed, "no local header signature (PK\\3\\4) at offset 0"));
}

TEST(ZipStructureTest, EveryByteFlipIsHandled) {
  // No flip may crash; each result is either a clean error with a KG-Z rule
  // or an archive whose members read (or fail to read) with a rule.
  TestArchive a = TwoMembers();
  a.entries.push_back({.name = "d", .data = "dd", .data_descriptor = true});
  const std::vector<uint8_t> bytes = Build(a);
  int opened = 0;
  for (size_t i = 0; i < bytes.size(); ++i) {
    for (uint8_t mask : {0x01, 0x80, 0xFF}) {
      std::vector<uint8_t> flipped = bytes;
      flipped[i] ^= mask;
      absl::Status s = OpenAndReadAll(flipped);
      if (s.ok()) {
        ++opened;
        continue;
      }
      const std::string rule = util::RuleOf(s).value_or("");
      EXPECT_EQ(rule.substr(0, 4), "KG-Z") << i << ": " << s;
    }
  }
  // Flips in dates, version fields and the like are harmless.
  EXPECT_GT(opened, 0);
}

}  // namespace
}  // namespace kgate::io::zip::testing
