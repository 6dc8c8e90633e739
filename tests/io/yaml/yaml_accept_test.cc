// Documents the YAML reader accepts, compared through io::json's Serialize so
// the expected tree is written as JSON text (where doubles print shortest:
// 1.0 reads "1"; IntegersAndFloatsKeepTheirKind checks the kinds): core-schema resolution of plain
// scalars, strings for quoted and block scalars, block and flow collections,
// integer keys, core tags, and JSON text (YAML is a superset of JSON).

#include <gtest/gtest.h>

#include <string>
#include <string_view>

#include "io/json/json.h"
#include "io/yaml/yaml.h"
#include "util/strings.h"

namespace kgate::io::yaml {
namespace {

std::string ParsedAsJson(std::string_view text) {
  auto v = Parse(text, "t.yaml");
  if (!v.ok()) return util::StrCat("ERROR ", util::ToStd(v.status().message()));
  return json::Serialize(*v);
}

struct AcceptCase {
  std::string_view name;
  std::string_view yaml;
  std::string_view json;
};

constexpr AcceptCase kAccept[] = {
    {"empty_stream", "", "null"},
    {"comment_only", "# nothing\n", "null"},
    {"empty_document", "---\n", "null"},
    {"explicit_end", "---\na: 1\n...\n", R"({"a":1})"},
    {"null_forms", "[~, null, Null, NULL, ]", "[null,null,null,null]"},
    {"empty_value_is_null", "a:\nb: 1\n", R"({"a":null,"b":1})"},
    {"bool_forms", "[true, True, TRUE, false, False, FALSE]", "[true,true,true,false,false,false]"},
    {"yaml11_words_are_strings", "[yes, no, on, off, y, n]", R"(["yes","no","on","off","y","n"])"},
    {"ints", "[0, -0, 7, +7, -12, 007, 0o17, 0x1F, 0xff]", "[0,0,7,7,-12,7,15,31,255]"},
    {"int64_edges", "[9223372036854775807, -9223372036854775808]", "[9223372036854775807,-9223372036854775808]"},
    {"floats", "[1.5, -0.25, .5, 1., 1e3, 2.5E-1, +3.0, -0.0]", "[1.5,-0.25,0.5,1,1000,0.25,3,-0.0]"},
    {"big_decimal_integer_is_a_double", "[9223372036854775808, -3881210522493577592832]",
     "[9223372036854775808,-3881210522493577592832]"},
    {"float_underflow_is_zero", "[1e-400, -1e-400]", "[0,-0.0]"},
    {"not_numbers_are_strings", "[1_000, 0b101, 1e, 0x, 0o8, +0x1, 1.2.3, 12abc]",
     R"(["1_000","0b101","1e","0x","0o8","+0x1","1.2.3","12abc"])"},
    {"quoted_are_strings", "['1', \"true\", 'null', \"\", '.inf']", R"(["1","true","null","",".inf"])"},
    {"block_scalars", "a: |\n  x\n  y\nb: >\n  x\n  y\n", R"({"a":"x\ny\n","b":"x y\n"})"},
    {"double_quoted_escapes", R"(["a\tb", "\u00e9", "\x41"])", R"(["a\tb","é","A"])"},
    {"nested_block", "inputs:\n  image:\n    min: 0\n    max: 1.0\n    features:\n      - {min: 0}\n      - max: 2\n",
     R"({"inputs":{"image":{"min":0,"max":1,"features":[{"min":0},{"max":2}]}}})"},
    {"keys_keep_order", "b: 1\na: 2\nc: 3\n", R"({"b":1,"a":2,"c":3})"},
    {"integer_keys_become_text", "{0: a, 10: b, 0x10: c}", R"({"0":"a","10":"b","16":"c"})"},
    {"json_text", R"({"a": [1, 2.5, "x", true, null], "b": {}})", R"({"a":[1,2.5,"x",true,null],"b":{}})"},
    {"core_tags", "[!!str 12, !!int '12', !!float 1, !!bool 'true', !!null '', !!str true]",
     R"(["12",12,1,true,null,"true"])"},
    {"collection_tags", "a: !!map {x: 1}\nb: !!seq [1]\n", R"({"a":{"x":1},"b":[1]})"},
    {"utf8_text", "name: \"日本\"\nplain: café\n", R"({"name":"日本","plain":"café"})"},
    {"scalar_root", "hello\n", R"("hello")"},
};

class YamlAccept : public ::testing::TestWithParam<AcceptCase> {};

TEST_P(YamlAccept, ParsesToTheExpectedTree) { EXPECT_EQ(ParsedAsJson(GetParam().yaml), GetParam().json); }

INSTANTIATE_TEST_SUITE_P(Cases, YamlAccept, ::testing::ValuesIn(kAccept),
                         [](const auto& info) { return std::string(info.param.name); });

TEST(YamlAccept, ExactIntegersStayExact) {
  auto v = Parse("n: 9007199254740993\n", "t.yaml");
  ASSERT_TRUE(v.ok()) << v.status();
  const json::Value* n = v->Find("n");
  ASSERT_NE(n, nullptr);
  ASSERT_TRUE(n->number().integer.has_value());
  EXPECT_EQ(*n->number().integer, int64_t{9007199254740993});
}

TEST(YamlAccept, IntegersAndFloatsKeepTheirKind) {
  auto v = Parse("[1, 1.0, !!float 2, 1e0]", "t.yaml");
  ASSERT_TRUE(v.ok()) << v.status();
  const json::Array& a = v->array();
  EXPECT_TRUE(a[0].number().integer.has_value());
  EXPECT_FALSE(a[1].number().integer.has_value());
  EXPECT_FALSE(a[2].number().integer.has_value());
  EXPECT_FALSE(a[3].number().integer.has_value());
}

TEST(YamlAccept, LimitsAtTheirValueAreAccepted) {
  Limits limits;
  limits.max_depth = 3;
  limits.max_nodes = 5;  // two collections and three scalars (keys count)
  limits.max_scalar_bytes = 3;
  auto v = Parse("a: [[abc]]\n", "t.yaml", limits);
  EXPECT_TRUE(v.ok()) << v.status();
}

}  // namespace
}  // namespace kgate::io::yaml
