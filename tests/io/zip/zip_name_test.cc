// Member names (KG-Z004) and duplicates (KG-Z005).
#include <gtest/gtest.h>

#include "io/zip/zip_reader.h"
#include "util/rules.h"
#include "zip_test_util.h"
#include "zip_test_writer.h"

namespace kgate::io::zip::testing {
namespace {

namespace rules = util::rules;

absl::Status OpenNamed(const std::string& name, uint16_t flags = 0, std::string data = "x") {
  TestArchive a;
  a.entries.push_back({.name = name, .data = std::move(data), .flags = flags});
  return OpenStatus(Build(a));
}

struct NameCase {
  std::string name;
  std::string message;
  uint16_t flags = 0;
};

TEST(ZipNameTest, UnsafeNames) {
  const std::vector<NameCase> cases = {
      {"", "the name is empty"},
      {"/etc/passwd", "absolute path (leading '/')"},
      {"C:/Windows/system.ini", "drive letter 'C:'"},
      {"c:evil", "drive letter 'c:'"},
      {"assets\\..\\x", "backslash at byte 6"},
      {"..", "'..' path component (path traversal)"},
      {"../config.json", "'..' path component"},
      {"assets/../../x", "'..' path component"},
      {"assets/..", "'..' path component"},
      {"assets/../", "'..' path component"},
      {"a/./b", "'.' path component (only a single leading './' is allowed)"},
      {"././a", "'.' path component"},
      {".", "denotes the archive root"},
      {"./", "denotes the archive root"},
      {"/", "absolute path"},
      {"a//b", "empty path component ('//') at byte 2"},
      {"a/b//", "empty path component"},
      {std::string("conf\0ig.json", 12), "control character 0x00 at byte 4"},
      {"config.json\n", "control character 0x0a at byte 11"},
      {"a\x7f", "control character 0x7f at byte 1"},
      {"caf\xc3\xa9", "non-ASCII byte 0xc3 at byte 3 without the UTF-8 flag (bit 11)"},
      {"caf\xc3", "invalid UTF-8 at byte 3", 0x0800},
      {"caf\xc0\xa9", "invalid UTF-8 at byte 3", 0x0800},          // overlong
      {"\xed\xa0\x80", "invalid UTF-8 at byte 0", 0x0800},         // surrogate
      {"\xf4\x90\x80\x80", "invalid UTF-8 at byte 0", 0x0800},     // > U+10FFFF
      {"\xff", "invalid UTF-8 at byte 0", 0x0800},
      {"a\xc2\x85", "C1 control character U+0085 at byte 1", 0x0800},
  };
  for (const NameCase& c : cases) {
    absl::Status s = OpenNamed(c.name, c.flags);
    EXPECT_TRUE(HasRule(s, rules::kZipUnsafeName, c.message)) << "name: " << c.name;
    EXPECT_TRUE(HasRule(s, rules::kZipUnsafeName, "unsafe member name")) << "name: " << c.name;
  }
}

TEST(ZipNameTest, SafeNames) {
  for (const NameCase& c : std::vector<NameCase>{{"config.json", ""},
                                                  {"./config.json", ""},
                                                  {"assets/layers/string_lookup/vocabulary.txt", ""},
                                                  {"a..b/c.d", ""},
                                                  {"...", ""},
                                                  {".hidden/x", ""},
                                                  {"with space and ~!@#$%^&()", ""},
                                                  {"\xe6\x97\xa5\xe6\x9c\xac.txt", "", 0x0800},
                                                  {"\xf0\x9f\x98\x80", "", 0x0800}}) {
    absl::Status s = OpenNamed(c.name, c.flags);
    EXPECT_TRUE(s.ok()) << c.name << ": " << s;
  }
}

TEST(ZipNameTest, DirectoryEntriesMustBeEmpty) {
  EXPECT_TRUE(OpenNamed("assets/", 0, "").ok());
  EXPECT_TRUE(HasRule(OpenNamed("assets/", 0, "payload"), rules::kZipUnsafeName,
                      "directory entry (trailing '/') declares 7 bytes of content"));
}

TEST(ZipNameTest, NameLengthCapAtNAndNPlusOne) {
  TestArchive a;
  a.entries.push_back({.name = std::string(100, 'n'), .data = "x"});
  const std::vector<uint8_t> bytes = Build(a);
  Limits limits;
  limits.max_name_bytes = 100;
  EXPECT_TRUE(OpenStatus(bytes, limits).ok());
  limits.max_name_bytes = 99;
  absl::Status s = OpenStatus(bytes, limits);
  EXPECT_TRUE(HasRule(s, rules::kZipUnsafeName, "member name is 100 bytes, over the cap of 99"));
  EXPECT_EQ(s.code(), absl::StatusCode::kResourceExhausted);
}

TEST(ZipNameTest, MessagesEscapeHostileNames) {
  absl::Status s = OpenNamed("evil\x1b[2Jname");
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(std::string(s.message()).find('\x1b'), std::string::npos) << s;
  EXPECT_NE(std::string(s.message()).find("'evil\\x1b[2Jname'"), std::string::npos) << s;
  const std::string long_name(500, 'L');
  absl::Status long_status = OpenNamed(long_name + "/../x");
  EXPECT_LT(long_status.message().size(), 300u) << "names are shortened in messages";
}

absl::Status OpenNames(const std::vector<std::string>& names) {
  TestArchive a;
  for (const std::string& n : names) {
    a.entries.push_back({.name = n, .data = n.back() == '/' ? "" : "x"});
  }
  return OpenStatus(Build(a));
}

TEST(ZipNameTest, Duplicates) {
  EXPECT_TRUE(HasRule(OpenNames({"config.json", "model.weights.h5", "config.json"}), rules::kZipDuplicateName,
                      "entry 0 'config.json' and entry 2 'config.json' have the same name"));
  EXPECT_TRUE(HasRule(OpenNames({"config.json", "Config.JSON"}), rules::kZipDuplicateName,
                      "differ only in letter case"));
  EXPECT_TRUE(HasRule(OpenNames({"config.json", "./config.json"}), rules::kZipDuplicateName,
                      "equal after removing './'"));
  EXPECT_TRUE(HasRule(OpenNames({"./CONFIG.json", "config.json"}), rules::kZipDuplicateName,
                      "differ only in letter case"));
  EXPECT_TRUE(HasRule(OpenNames({"assets", "assets/"}), rules::kZipDuplicateName,
                      "once as a file and once as a directory"));
  EXPECT_TRUE(HasRule(OpenNames({"assets/", "assets/"}), rules::kZipDuplicateName, "the same name"));
}

TEST(ZipNameTest, FileUsedAsADirectory) {
  EXPECT_TRUE(HasRule(OpenNames({"assets", "assets/vocab.txt"}), rules::kZipDuplicateName,
                      "entry 0 'assets' is a file, but entry 1 'assets/vocab.txt' uses it as a directory"));
  EXPECT_TRUE(HasRule(OpenNames({"a/b/c", "A/B"}), rules::kZipDuplicateName, "uses it as a directory"));
  EXPECT_TRUE(HasRule(OpenNames({"a", "a-b", "a/b"}), rules::kZipDuplicateName, "uses it as a directory"));
  EXPECT_TRUE(OpenNames({"a/", "a/b", "a/c/", "a/c/d", "ab", "a-b"}).ok());
  EXPECT_TRUE(OpenNames({"a/b", "a/c"}).ok());
}

TEST(ZipNameTest, ManyEntriesOpenQuickly) {
  // 4096 entries with long shared prefixes: Open sorts once instead of
  // comparing every pair.
  TestArchive a;
  const std::string prefix = std::string(400, 'p') + "/";
  for (int i = 0; i < 4096; ++i) a.entries.push_back({.name = prefix + std::to_string(i), .data = ""});
  const std::vector<uint8_t> bytes = Build(a);
  absl::StatusOr<ZipArchive> archive = ZipArchive::Open(bytes);
  ASSERT_TRUE(archive.ok()) << archive.status();
  EXPECT_EQ(archive->entries().size(), 4096u);
  a.entries.push_back({.name = prefix + "7", .data = ""});
  Limits limits;
  limits.max_entries = 4097;
  EXPECT_TRUE(HasRule(OpenStatus(Build(a), limits), rules::kZipDuplicateName, "have the same name"));
}

}  // namespace
}  // namespace kgate::io::zip::testing
