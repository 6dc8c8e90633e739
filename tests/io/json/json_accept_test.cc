// Documents a strict RFC 8259 reader must accept (JSONTestSuite's y_ cases,
// plus kgate's number contract), each with its compact re-serialization.

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>
#include <string_view>

#include "io/json/json.h"
#include "json_test_util.h"

namespace kgate::io::json {
namespace {

using namespace std::string_view_literals;
using testing::Reserialize;

struct AcceptCase {
  std::string_view name;
  std::string_view input;
  std::string_view serialized;
};

constexpr AcceptCase kAccept[] = {
    {"y_array_empty", "[]", "[]"},
    {"y_array_arraysWithSpaces", "[[]   ]", "[[]]"},
    {"y_array_empty-string", "[\"\"]", "[\"\"]"},
    {"y_array_false", "[false]", "[false]"},
    {"y_array_heterogeneous", "[null, 1, \"1\", {}]", "[null,1,\"1\",{}]"},
    {"y_array_null", "[null]", "[null]"},
    {"y_array_with_1_and_newline", "[1\n]", "[1]"},
    {"y_array_with_leading_space", " [1]", "[1]"},
    {"y_array_with_several_null", "[1,null,null,null,2]", "[1,null,null,null,2]"},
    {"y_array_with_trailing_space", "[2] ", "[2]"},
    {"y_number_0e+1", "[0e+1]", "[0]"},
    {"y_number_0e1", "[0e1]", "[0]"},
    {"y_number", "[123e65]", "[1.23e+67]"},
    {"y_number_after_space", "[ 4]", "[4]"},
    {"y_number_double_close_to_zero",
     "[-0.000000000000000000000000000000000000000000000000000000000000000000000000000001]", "[-1e-78]"},
    {"y_number_int_with_exp", "[20e1]", "[200]"},
    {"y_number_minus_zero", "[-0]", "[0]"},
    {"y_number_negative_int", "[-123]", "[-123]"},
    {"y_number_negative_one", "[-1]", "[-1]"},
    {"y_number_real_capital_e", "[1E22]", "[1e+22]"},
    {"y_number_real_capital_e_neg_exp", "[1E-2]", "[0.01]"},
    {"y_number_real_capital_e_pos_exp", "[1E+2]", "[100]"},
    {"y_number_real_exponent", "[123e45]", "[1.23e+47]"},
    {"y_number_real_fraction_exponent", "[123.456e78]", "[1.23456e+80]"},
    {"y_number_real_neg_exp", "[1e-2]", "[0.01]"},
    {"y_number_real_pos_exponent", "[1e+2]", "[100]"},
    {"y_number_simple_int", "[123]", "[123]"},
    {"y_number_simple_real", "[123.456789]", "[123.456789]"},
    {"y_number_negative_real_zero", "[-0.0]", "[-0.0]"},
    {"y_number_underflow_to_zero", "[1e-400]", "[0]"},
    {"y_number_negative_underflow", "[-1e-400]", "[-0.0]"},
    {"y_number_huge_negative_exponent", "[1e-99999999999999999999]", "[0]"},
    {"y_number_zero_huge_exponent", "[0e99999999999999999999]", "[0]"},
    {"y_number_smallest_subnormal", "[5e-324]", "[5e-324]"},
    {"y_number_largest_double", "[1.7976931348623157e308]", "[1.7976931348623157e+308]"},
    {"y_number_long_mantissa", "[123456789012345678901234567890e-10]", "[12345678901234567168]"},
    {"y_number_int64_max", "[9223372036854775807]", "[9223372036854775807]"},
    {"y_number_int64_min", "[-9223372036854775808]", "[-9223372036854775808]"},
    {"y_number_beyond_int64", "[9223372036854775808]", "[9223372036854775808]"},
    {"y_number_2_pow_53_plus_1", "[9007199254740993]", "[9007199254740993]"},
    {"y_object", "{\"asd\":\"sdf\", \"dfg\":\"fgh\"}", "{\"asd\":\"sdf\",\"dfg\":\"fgh\"}"},
    {"y_object_basic", "{\"asd\":\"sdf\"}", "{\"asd\":\"sdf\"}"},
    {"y_object_empty", "{}", "{}"},
    {"y_object_empty_key", "{\"\":0}", "{\"\":0}"},
    {"y_object_escaped_null_in_key", "{\"foo\\u0000bar\": 42}", "{\"foo\\u0000bar\":42}"},
    {"y_object_extreme_numbers", "{ \"min\": -1.0e+28, \"max\": 1.0e+28 }", "{\"min\":-1e+28,\"max\":1e+28}"},
    {"y_object_keeps_document_order", "{\"b\":1,\"a\":2,\"c\":3}", "{\"b\":1,\"a\":2,\"c\":3}"},
    {"y_object_same_key_in_sibling_objects", "[{\"a\":1},{\"a\":2}]", "[{\"a\":1},{\"a\":2}]"},
    {"y_object_same_key_at_two_levels", "{\"a\":{\"a\":1}}", "{\"a\":{\"a\":1}}"},
    {"y_object_keys_differ_by_escape_only", "{\"a\":1,\"\\u0061b\":2}", "{\"a\":1,\"ab\":2}"},
    {"y_object_with_newlines", "{\n\"a\": \"b\"\n}", "{\"a\":\"b\"}"},
    {"y_object_crlf_whitespace", "{\r\n\t\"a\" :\r\n [ ]\r\n}", "{\"a\":[]}"},
    {"y_string_1_2_3_bytes_UTF-8_sequences", "[\"\\u0060\\u012a\\u12AB\"]", "[\"`\xC4\xAA\xE1\x8A\xAB\"]"},
    {"y_string_accepted_surrogate_pair", "[\"\\uD801\\udc37\"]", "[\"\xF0\x90\x90\xB7\"]"},
    {"y_string_accepted_surrogate_pairs", "[\"\\ud83d\\ude39\\ud83d\\udc8d\"]",
     "[\"\xF0\x9F\x98\xB9\xF0\x9F\x92\x8D\"]"},
    {"y_string_allowed_escapes", "[\"\\\"\\\\\\/\\b\\f\\n\\r\\t\"]", "[\"\\\"\\\\/\\b\\f\\n\\r\\t\"]"},
    {"y_string_backslash_and_u_escaped_zero", "[\"\\\\u0000\"]", "[\"\\\\u0000\"]"},
    {"y_string_comments", "[\"a/*b*/c/*d//e\"]", "[\"a/*b*/c/*d//e\"]"},
    {"y_string_escaped_control_character", "[\"\\u0012\"]", "[\"\\u0012\"]"},
    {"y_string_escaped_noncharacter", "[\"\\uFFFF\"]", "[\"\\uffff\"]"},
    {"y_string_last_surrogates_1_and_2", "[\"\\uDBFF\\uDFFF\"]", "[\"\xF4\x8F\xBF\xBF\"]"},
    {"y_string_nbsp_uescaped", "[\"new\\u00A0line\"]", "[\"new\xC2\xA0line\"]"},
    {"y_string_nonCharacterInUTF-8_U+10FFFF", "[\"\xF4\x8F\xBF\xBF\"]", "[\"\xF4\x8F\xBF\xBF\"]"},
    {"y_string_nonCharacterInUTF-8_U+FFFF", "[\"\xEF\xBF\xBF\"]", "[\"\\uffff\"]"},
    {"y_string_null_escape", "[\"\\u0000\"]", "[\"\\u0000\"]"},
    {"y_string_one-byte-utf-8", "[\"\\u002c\"]", "[\",\"]"},
    {"y_string_pi", "[\"\xCF\x80\"]", "[\"\xCF\x80\"]"},
    {"y_string_reservedCharacterInUTF-8_U+1BFFF", "[\"\xF0\x9B\xBF\xBF\"]", "[\"\xF0\x9B\xBF\xBF\"]"},
    {"y_string_smallest_4_byte", "[\"\xF0\x90\x80\x80\"]", "[\"\xF0\x90\x80\x80\"]"},
    {"y_string_last_before_surrogates", "[\"\xED\x9F\xBF\"]", "[\"\xED\x9F\xBF\"]"},
    {"y_string_first_after_surrogates", "[\"\xEE\x80\x80\"]", "[\"\xEE\x80\x80\"]"},
    {"y_string_smallest_2_byte", "[\"\xC2\x80\"]", "[\"\\u0080\"]"},
    {"y_string_smallest_3_byte", "[\"\xE0\xA0\x80\"]", "[\"\xE0\xA0\x80\"]"},
    {"y_string_space", "\" \"", "\" \""},
    {"y_string_u+2028_line_sep", "[\"\xE2\x80\xA8\"]", "[\"\\u2028\"]"},
    {"y_string_uEscape", "[\"\\u0061\\u30af\\u30EA\\u30b9\"]", "[\"a\xE3\x82\xAF\xE3\x83\xAA\xE3\x82\xB9\"]"},
    {"y_string_unescaped_char_delete", "[\"\x7F\"]", "[\"\\u007f\"]"},
    {"y_string_unicodeEscapedBackslash", "[\"\\u005C\"]", "[\"\\\\\"]"},
    {"y_string_utf8", "[\"\xE2\x82\xAC\xF0\x9D\x84\x9E\"]", "[\"\xE2\x82\xAC\xF0\x9D\x84\x9E\"]"},
    {"y_structure_lonely_false", "false", "false"},
    {"y_structure_lonely_int", "42", "42"},
    {"y_structure_lonely_negative_real", "-0.1", "-0.1"},
    {"y_structure_lonely_null", "null", "null"},
    {"y_structure_lonely_string", "\"asd\"", "\"asd\""},
    {"y_structure_lonely_true", "true", "true"},
    {"y_structure_string_empty", "\"\"", "\"\""},
    {"y_structure_trailing_newline", "[\"a\"]\n", "[\"a\"]"},
    {"y_structure_true_in_array", "[true]", "[true]"},
    {"y_structure_whitespace_array", " [] ", "[]"},
    {"y_structure_nested_mixed", "{\"a\":[{\"b\":[[],{}]}]}", "{\"a\":[{\"b\":[[],{}]}]}"},
};

class AcceptTest : public ::testing::TestWithParam<AcceptCase> {};

TEST_P(AcceptTest, ParsesAndSerializes) {
  const AcceptCase& c = GetParam();
  EXPECT_EQ(Reserialize(c.input), c.serialized);
  // The compact form is itself accepted and is a fixed point.
  EXPECT_EQ(Reserialize(c.serialized), c.serialized);
}

INSTANTIATE_TEST_SUITE_P(JsonTestSuite, AcceptTest, ::testing::ValuesIn(kAccept),
                         [](const ::testing::TestParamInfo<AcceptCase>& info) { return testing::CaseName(info.param.name); });

TEST(AcceptTest, EmbeddedNulInStringIsKept) {
  auto v = Parse("\"a\\u0000b\"");
  ASSERT_TRUE(v.ok()) << v.status();
  EXPECT_EQ(v->string(), "a\0b"sv);
}

TEST(AcceptTest, BigIntegersAreExact) {
  auto v = Parse("[139630106013264, -9223372036854775808, 9223372036854775807, 9007199254740993, -0]");
  ASSERT_TRUE(v.ok()) << v.status();
  const Array& a = v->array();
  ASSERT_EQ(a.size(), 5u);
  EXPECT_EQ(a[0].number().integer, 139630106013264);
  EXPECT_EQ(a[0].number().value, 139630106013264.0);
  EXPECT_EQ(a[1].number().integer, std::numeric_limits<int64_t>::min());
  EXPECT_EQ(a[2].number().integer, std::numeric_limits<int64_t>::max());
  EXPECT_EQ(a[3].number().integer, 9007199254740993);  // 2^53 + 1: not a double
  EXPECT_EQ(a[3].number().value, 9007199254740992.0);  // nearest double
  EXPECT_EQ(a[4].number().integer, 0);                 // "-0" is the integer 0, as in Python
}

TEST(AcceptTest, NumbersWithFractionOrExponentHaveNoInteger) {
  auto v = Parse("[1.0, 1e2, 9223372036854775808, -9223372036854775809, 1.5]");
  ASSERT_TRUE(v.ok()) << v.status();
  for (const Value& n : v->array()) EXPECT_FALSE(n.number().integer.has_value()) << Serialize(n);
  EXPECT_EQ(v->array()[1].number().value, 100.0);
  EXPECT_EQ(v->array()[2].number().value, 9223372036854775808.0);
  EXPECT_EQ(v->array()[4].number().value, 1.5);
}

TEST(AcceptTest, DoublesAreCorrectlyRounded) {
  struct {
    std::string_view text;
    double value;
  } cases[] = {
      {"0.1", 0.1},
      {"2.2250738585072014e-308", 2.2250738585072014e-308},  // smallest normal
      {"4.9406564584124654e-324", 4.9406564584124654e-324},  // smallest subnormal
      {"2.4703282292062328e-324", 4.9406564584124654e-324},  // just above half of it: rounds up
      {"2e-324", 0.0},                                       // below half: rounds to zero
      {"1.7976931348623158e308", 1.7976931348623157e308},    // rounds down to DBL_MAX
      {"9007199254740993.0", 9007199254740992.0},            // ties to even
      {"-1.5e-10", -1.5e-10},
  };
  for (const auto& c : cases) {
    auto v = Parse(c.text);
    ASSERT_TRUE(v.ok()) << c.text << ": " << v.status();
    EXPECT_EQ(v->number().value, c.value) << c.text;
  }
  auto neg_zero = Parse("-1e-400");
  ASSERT_TRUE(neg_zero.ok());
  EXPECT_TRUE(std::signbit(neg_zero->number().value));
}

TEST(AcceptTest, NumbersIgnoreTheLocale) {
  // A locale with a decimal comma must not change how "1.5" reads. Skipped
  // where no such locale is installed.
  const char* saved = std::setlocale(LC_ALL, nullptr);
  std::string restore = saved ? saved : "C";
  bool switched = false;
  for (const char* name : {"de_DE.UTF-8", "de_DE.utf8", "fr_FR.UTF-8", "fr_FR.utf8"}) {
    if (std::setlocale(LC_ALL, name) != nullptr) {
      switched = true;
      break;
    }
  }
  auto v = Parse("[1.5, 2.25e1]");
  std::string s = v.ok() ? Serialize(*v) : "";
  std::setlocale(LC_ALL, restore.c_str());
  if (!switched) GTEST_SKIP() << "no decimal-comma locale installed";
  ASSERT_TRUE(v.ok()) << v.status();
  EXPECT_EQ(v->array()[0].number().value, 1.5);
  EXPECT_EQ(s, "[1.5,22.5]");
}

TEST(AcceptTest, ValueAccessorsAndFind) {
  auto v = Parse("{\"name\": \"dense\", \"units\": 10, \"bias\": true, \"cfg\": null, \"s\": [1], \"o\": {}}");
  ASSERT_TRUE(v.ok()) << v.status();
  ASSERT_TRUE(v->is_object());
  ASSERT_NE(v->Find("name"), nullptr);
  EXPECT_EQ(v->Find("name")->string(), "dense");
  EXPECT_EQ(v->Find("units")->number().integer, 10);
  EXPECT_TRUE(v->Find("bias")->bool_value());
  EXPECT_TRUE(v->Find("cfg")->is_null());
  EXPECT_TRUE(v->Find("s")->is_array());
  EXPECT_TRUE(v->Find("o")->is_object());
  EXPECT_EQ(v->Find("missing"), nullptr);
  EXPECT_EQ(v->Find("name")->Find("x"), nullptr);  // not an object
  EXPECT_EQ(v->object()[1].first, "units");
  EXPECT_EQ(Value::KindName(Value::Kind::kNull), "null");
  EXPECT_EQ(Value::KindName(Value::Kind::kBool), "boolean");
  EXPECT_EQ(Value::KindName(Value::Kind::kNumber), "number");
  EXPECT_EQ(Value::KindName(Value::Kind::kString), "string");
  EXPECT_EQ(Value::KindName(Value::Kind::kArray), "array");
  EXPECT_EQ(Value::KindName(Value::Kind::kObject), "object");
}

}  // namespace
}  // namespace kgate::io::json
