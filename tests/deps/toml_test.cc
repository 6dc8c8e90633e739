#include "deps/toml.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "io/json/json.h"

namespace kgate::deps {
namespace {

using ::testing::HasSubstr;

std::string ToJson(std::string_view toml) {
  absl::StatusOr<io::json::Value> v = ParseToml(toml, "t.toml");
  if (!v.ok()) return "ERROR: " + std::string(v.status().message());
  return io::json::Serialize(*v);
}

TEST(TomlTest, LockfileSubset) {
  EXPECT_EQ(ToJson("version = 1\n[[package]]\nname = \"a\"\ndeps = [\n  { name = \"b\" },  # c\n  { name = 'c' },\n]\n"
                   "[package.extra]\nx.y = true\n[[package]]\nname = \"d\"\n"),
            R"({"version":1,"package":[{"name":"a","deps":[{"name":"b"},{"name":"c"}],"extra":{"x":{"y":true}}},)"
            R"({"name":"d"}]})");
  EXPECT_EQ(ToJson("t = 2023-10-02T17:22:30Z\nd = 2026-12-31\nl = 07:32:00\nf = 1.5e3\nh = 0xff\nn = -1_000\n"),
            R"({"t":"2023-10-02T17:22:30Z","d":"2026-12-31","l":"07:32:00","f":1500,"h":255,"n":-1000})");
  EXPECT_EQ(ToJson("s = \"\"\"\nline1\\\n   line2 \\u00e9\"\"\"\nr = '''a\\b'''\nq = \"tab\\there\""),
            R"({"s":"line1line2 é","r":"a\\b","q":"tab\there"})");
  EXPECT_EQ(ToJson("\"quoted key\".sub = 1\n[a.\"b.c\"]\n"), R"({"quoted key":{"sub":1},"a":{"b.c":{}}})");
}

TEST(TomlTest, ErrorsNameLineAndColumn) {
  struct Case {
    const char* text;
    const char* message;
  } cases[] = {
      {"a = 1\na = 2\n", "t.toml:2:5: key 'a' is defined twice"},
      {"[x]\n[x]\n", "t.toml:2:4: table 'x' is defined twice"},
      {"a = \"open\n", "t.toml:1:10: newline in a single-line string"},
      {"a = [1, 2\n", "expected ',' or ']'"},
      {"a = { b = 1,\n c = 2 }\n", "expected a key"},
      {"a = 01\n", "'01' is not a TOML number"},
      {"a = 1 b = 2\n", "expected the end of the line"},
      {"a = \"\\q\"\n", "unknown escape"},
      {"a = 9223372036854775808\n", "is not a TOML number"},
      {"a = 1\n[a]\n", "table 'a' is defined twice"},
      {"a.b = 1\n[a]\n", "table 'a' is defined twice"},
      {"[[a]]\n[a]\n", "table 'a' is defined twice"},
      {"a = \"\xff\"\n", "t.toml:1:6: invalid UTF-8"},
      {"a = 2026-13\n", "malformed date"},
  };
  for (const Case& c : cases) {
    absl::StatusOr<io::json::Value> v = ParseToml(c.text, "t.toml");
    ASSERT_FALSE(v.ok()) << c.text;
    EXPECT_THAT(std::string(v.status().message()), HasSubstr(c.message)) << c.text;
  }
}

TEST(TomlTest, NestingIsCapped) {
  std::string deep = "a = " + std::string(200, '[') + std::string(200, ']') + "\n";
  absl::StatusOr<io::json::Value> v = ParseToml(deep, "t.toml");
  ASSERT_FALSE(v.ok());
  EXPECT_THAT(std::string(v.status().message()), HasSubstr("nesting deeper than"));
  std::string at_cap = "a = " + std::string(kMaxTomlDepth, '[') + std::string(kMaxTomlDepth, ']') + "\n";
  EXPECT_TRUE(ParseToml(at_cap, "t.toml").ok());
}

}  // namespace
}  // namespace kgate::deps
