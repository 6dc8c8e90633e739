// Archives the reader must accept, built by the test writer.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "io/zip/zip_reader.h"
#include "zip_test_util.h"
#include "zip_test_writer.h"

namespace kgate::io::zip::testing {
namespace {

TEST(ZipAcceptTest, StoredMembersAreViewsIntoTheArchive) {
  const std::vector<uint8_t> bytes = Simple({{"metadata.json", "{}"}, {"config.json", "{\"a\": 1}"}});
  absl::StatusOr<ZipArchive> archive = ZipArchive::Open(bytes);
  ASSERT_TRUE(archive.ok()) << archive.status();
  ASSERT_EQ(archive->entries().size(), 2u);
  const Entry& config = archive->entries()[1];
  EXPECT_EQ(config.name, "config.json");
  EXPECT_EQ(config.method, 0);
  EXPECT_EQ(config.uncompressed_size, 8u);
  EXPECT_EQ(config.local_header_offset, 30u + 13 + 2);
  EXPECT_EQ(config.data_offset, config.local_header_offset + 30 + 11);
  EXPECT_EQ(config.external_attributes, 0100644u << 16);
  absl::StatusOr<MemberData> data = archive->Read(config);
  ASSERT_TRUE(data.ok()) << data.status();
  EXPECT_EQ(Text(*data), "{\"a\": 1}");
  EXPECT_EQ(data->bytes().data(), bytes.data() + config.data_offset) << "STORED must not copy";
}

TEST(ZipAcceptTest, DeflateMembersInflate) {
  std::string big;
  for (int i = 0; i < 5000; ++i) big += "line " + std::to_string(i) + "\n";
  const std::vector<uint8_t> bytes = Simple({{"a.txt", big}, {"empty", ""}, {"b", "x"}}, 8);
  absl::StatusOr<ZipArchive> archive = ZipArchive::Open(bytes);
  ASSERT_TRUE(archive.ok()) << archive.status();
  const Entry* a = archive->Find("a.txt");
  ASSERT_NE(a, nullptr);
  EXPECT_EQ(a->method, 8);
  EXPECT_LT(a->compressed_size, a->uncompressed_size);
  absl::StatusOr<MemberData> data = archive->Read(*a);
  ASSERT_TRUE(data.ok()) << data.status();
  EXPECT_EQ(Text(*data), big);
  absl::StatusOr<MemberData> empty = archive->Read(*archive->Find("empty"));
  ASSERT_TRUE(empty.ok()) << empty.status();
  EXPECT_TRUE(empty->bytes().empty());
  EXPECT_EQ(Text(*archive->Read(*archive->Find("b"))), "x");
}

TEST(ZipAcceptTest, FindIsExact) {
  const std::vector<uint8_t> bytes = Simple({{"config.json", "{}"}, {"./assets/x", "y"}});
  absl::StatusOr<ZipArchive> archive = ZipArchive::Open(bytes);
  ASSERT_TRUE(archive.ok()) << archive.status();
  EXPECT_NE(archive->Find("config.json"), nullptr);
  EXPECT_EQ(archive->Find("Config.json"), nullptr);
  EXPECT_EQ(archive->Find("assets/x"), nullptr);
  EXPECT_NE(archive->Find("./assets/x"), nullptr);
  EXPECT_EQ(archive->Find(""), nullptr);
}

TEST(ZipAcceptTest, EmptyArchive) {
  const std::vector<uint8_t> bytes = Build({});
  absl::StatusOr<ZipArchive> archive = ZipArchive::Open(bytes);
  ASSERT_TRUE(archive.ok()) << archive.status();
  EXPECT_TRUE(archive->entries().empty());
}

TEST(ZipAcceptTest, DataDescriptorsWithAndWithoutSignature) {
  for (bool signature : {true, false}) {
    for (uint16_t method : {0, 8}) {
      TestArchive a;
      for (const char* name : {"one", "two"}) {
        TestEntry e;
        e.name = name;
        e.data = std::string(300, name[0]);
        e.method = method;
        e.data_descriptor = true;
        e.descriptor_signature = signature;
        a.entries.push_back(e);
      }
      const std::vector<uint8_t> bytes = Build(a);
      absl::StatusOr<ZipArchive> archive = ZipArchive::Open(bytes);
      ASSERT_TRUE(archive.ok()) << archive.status() << " signature=" << signature << " method=" << method;
      EXPECT_EQ(archive->entries()[1].flags, 0x0008);
      EXPECT_EQ(Text(*archive->Read(archive->entries()[1])), std::string(300, 't'));
    }
  }
}

TEST(ZipAcceptTest, DescriptorWithLocalValuesFilledIn) {
  TestArchive a;
  TestEntry e;
  e.name = "x";
  e.data = "hello";
  e.data_descriptor = true;
  e.local_crc = Crc("hello");
  e.local_compressed_size = 5;
  e.local_uncompressed_size = 5;
  a.entries.push_back(e);
  EXPECT_TRUE(OpenAndReadAll(Build(a)).ok());
}

TEST(ZipAcceptTest, ArchiveCommentEndingAtEof) {
  TestArchive a;
  a.entries.push_back({.name = "x", .data = "y"});
  a.comment = "a comment";
  EXPECT_TRUE(OpenAndReadAll(Build(a)).ok());
  a.comment = std::string(65535, 'c');
  EXPECT_TRUE(OpenAndReadAll(Build(a)).ok());
}

TEST(ZipAcceptTest, EntryCommentsAndHarmlessExtraFields) {
  TestArchive a;
  TestEntry e{.name = "x", .data = "y"};
  e.comment = "entry comment";
  // Extended timestamp (0x5455) and Unix uid/gid (0x7875), differing between headers.
  e.local_extra = std::string("UT\x05\x00\x01\x00\x00\x00\x00", 9) + std::string("ux\x0b\x00\x01\x04\0\0\0\0\x04\0\0\0\0", 15);
  e.central_extra = std::string("UT\x05\x00\x01\x01\x00\x00\x00", 9);
  a.entries.push_back(e);
  absl::Status s = OpenAndReadAll(Build(a));
  EXPECT_TRUE(s.ok()) << s;
}

TEST(ZipAcceptTest, DirectoryEntriesAndUtf8Names) {
  TestArchive a;
  a.entries.push_back({.name = "assets/", .external_attributes = (0040755u << 16) | 0x10});
  TestEntry utf8{.name = "assets/donn\xc3\xa9\x65s.txt", .data = "d"};
  utf8.flags = 0x0800;
  a.entries.push_back(utf8);
  a.entries.push_back({.name = "./assets/readme", .data = "r"});
  const std::vector<uint8_t> bytes = Build(a);
  absl::StatusOr<ZipArchive> archive = ZipArchive::Open(bytes);
  ASSERT_TRUE(archive.ok()) << archive.status();
  EXPECT_EQ(archive->entries().size(), 3u);
  EXPECT_EQ(Text(*archive->Read(archive->entries()[1])), "d");
}

TEST(ZipAcceptTest, NonUnixHostsIgnoreTheModeBits) {
  TestArchive a;
  // MS-DOS host (0): the high bits are not a mode.
  a.entries.push_back({.name = "x", .data = "y", .version_made_by = 20, .external_attributes = 0xA1FF0020});
  EXPECT_TRUE(OpenAndReadAll(Build(a)).ok());
}

TEST(ZipAcceptTest, ModeTypeZeroIsPythonsDefault) {
  TestArchive a;
  a.entries.push_back({.name = "x", .data = "y", .external_attributes = 0600u << 16});
  EXPECT_TRUE(OpenAndReadAll(Build(a)).ok());
}

TEST(ZipAcceptTest, DeflateCompressionLevelFlagBits) {
  TestArchive a;
  a.entries.push_back({.name = "x", .data = "yyyyyyyyyy", .method = 8, .flags = 0x0002});
  a.entries.push_back({.name = "z", .data = "yyyyyyyyyy", .method = 8, .flags = 0x0006});
  EXPECT_TRUE(OpenAndReadAll(Build(a)).ok());
}

TEST(ZipAcceptTest, LooksLikeZip) {
  EXPECT_TRUE(LooksLikeZip(Simple({{"a", "b"}})));
  const std::vector<uint8_t> hdf5 = {0x89, 'H', 'D', 'F', '\r', '\n', 0x1a, '\n'};
  EXPECT_FALSE(LooksLikeZip(hdf5));
  const std::vector<uint8_t> short_bytes = {'P', 'K', 3};
  EXPECT_FALSE(LooksLikeZip(short_bytes));
  EXPECT_FALSE(LooksLikeZip({}));
}

TEST(ZipAcceptTest, ConcurrentReadsShareOneArchive) {
  std::string big(200000, 'q');
  for (size_t i = 0; i < big.size(); i += 7) big[i] = static_cast<char>('a' + i % 26);
  const std::vector<uint8_t> bytes = Simple({{"a", big}, {"b", big + "b"}}, 8);
  absl::StatusOr<ZipArchive> archive = ZipArchive::Open(bytes);
  ASSERT_TRUE(archive.ok()) << archive.status();
  std::atomic<int> good{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int k = 0; k < 5; ++k) {
        absl::StatusOr<MemberData> d = archive->Read(archive->entries()[(t + k) % 2]);
        if (d.ok() && d->bytes().size() >= big.size()) ++good;
      }
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(good.load(), 20);
}

TEST(ZipAcceptTest, MemberDataMovesKeepTheirBytes) {
  const std::vector<uint8_t> bytes = Simple({{"a", std::string(1000, 'z')}}, 8);
  absl::StatusOr<ZipArchive> archive = ZipArchive::Open(bytes);
  ASSERT_TRUE(archive.ok());
  absl::StatusOr<MemberData> d = archive->Read(archive->entries()[0]);
  ASSERT_TRUE(d.ok());
  MemberData moved = std::move(*d);
  MemberData assigned;
  assigned = std::move(moved);
  EXPECT_EQ(Text(assigned), std::string(1000, 'z'));
}

}  // namespace
}  // namespace kgate::io::zip::testing
