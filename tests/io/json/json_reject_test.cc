// Documents a strict reader must refuse (JSONTestSuite's n_ cases and the
// ambiguous i_ cases kgate decides to refuse), each with its rule, the
// message fragment that explains it, and where it points.

#include <gtest/gtest.h>

#include <string>
#include <string_view>

#include "io/json/json.h"
#include "json_test_util.h"
#include "util/rules.h"

namespace kgate::io::json {
namespace {

using namespace std::string_view_literals;
using testing::IsJsonError;

constexpr std::string_view kMalformed = util::rules::kJsonMalformed;
constexpr std::string_view kDuplicate = util::rules::kJsonDuplicateKey;
constexpr std::string_view kNonFinite = util::rules::kJsonNonFinite;

struct RejectCase {
  std::string_view name;
  std::string_view input;
  std::string_view rule;
  std::string_view fragment;  // part of the message
};

constexpr RejectCase kReject[] = {
    // Structure.
    {"n_structure_no_data", "", kMalformed, "empty input at byte 0 (line 1, column 1): expected a JSON value"},
    {"n_single_space", " ", kMalformed, "empty input"},
    {"n_only_whitespace_lines", "\n\r\n\t ", kMalformed, "empty input at byte 5 (line 3, column 3)"},
    {"n_structure_UTF8_BOM_no_data", "\xEF\xBB\xBF", kMalformed, "byte order mark"},
    {"n_structure_UTF8_BOM_then_object", "\xEF\xBB\xBF{}", kMalformed, "byte order mark at byte 0"},
    {"n_structure_angle_bracket", "<.>", kMalformed, "unexpected '<' at byte 0"},
    {"n_structure_array_trailing_garbage", "[1]x", kMalformed, "trailing 'x' after the document at byte 3"},
    {"n_structure_array_with_extra_array_close", "[1]]", kMalformed, "trailing ']'"},
    {"n_structure_capitalized_True", "[True]", kMalformed, "unexpected 'T' at byte 1"},
    {"n_structure_close_unopened_array", "1]", kMalformed, "trailing ']'"},
    {"n_structure_comma_instead_of_closing_brace", "{\"x\": true,", kMalformed,
     "unexpected end of input at byte 11 (line 1, column 12): expected a string key"},
    {"n_structure_double_array", "[][]", kMalformed, "trailing '['"},
    {"n_structure_end_array", "]", kMalformed, "unexpected ']' at byte 0"},
    {"n_structure_lone-open-bracket", "[", kMalformed, "unexpected end of input at byte 1"},
    {"n_structure_null-byte-outside-string", "[\0]"sv, kMalformed, "unexpected byte 0x00 at byte 1"},
    {"n_structure_number_with_trailing_garbage", "2@", kMalformed, "trailing '@'"},
    {"n_structure_object_followed_by_closing_object", "{}}", kMalformed, "trailing '}'"},
    {"n_structure_object_unclosed_no_value", "{\"\":", kMalformed, "expected a value"},
    {"n_structure_object_with_comment", "{\"a\":/*comment*/\"b\"}", kMalformed, "unexpected '/'"},
    {"n_structure_open_array_apostrophe", "['", kMalformed, "unexpected '''"},
    {"n_structure_trailing_hash", "{\"a\":\"b\"}#{}", kMalformed, "trailing '#'"},
    {"n_structure_whitespace_formfeed", "[\f]", kMalformed, "unexpected byte 0x0C"},
    {"n_structure_U+2060_word_joiner", "[\xE2\x81\xA0]", kMalformed, "unexpected byte 0xE2"},
    {"n_structure_ascii-unicode-identifier", "a\xC3\xA5", kMalformed, "unexpected 'a'"},
    {"n_structure_multiline_position", "{\n  \"a\": 1,\n  \"b\": x\n}", kMalformed,
     "unexpected 'x' at byte 19 (line 3, column 8): expected a value"},
    {"n_structure_column_counts_characters", "[\"\xC3\xA9\xC3\xA9\" x]", kMalformed,
     "at byte 8 (line 1, column 7)"},
    // Arrays.
    {"n_array_1_true_without_comma", "[1 true]", kMalformed, "expected ',' or ']'"},
    {"n_array_colon_instead_of_comma", "[\"\": 1]", kMalformed, "unexpected ':' at byte 3"},
    {"n_array_comma_after_close", "[\"\"],", kMalformed, "trailing ','"},
    {"n_array_comma_and_number", "[,1]", kMalformed, "unexpected ',' at byte 1 (line 1, column 2): expected a value"},
    {"n_array_double_comma", "[1,,2]", kMalformed, "unexpected ',' at byte 3"},
    {"n_array_double_extra_comma", "[\"x\",,]", kMalformed, "unexpected ','"},
    {"n_array_extra_close", "[\"x\"]]", kMalformed, "trailing ']'"},
    {"n_array_extra_comma", "[\"\",]", kMalformed, "unexpected ']' at byte 4"},
    {"n_array_incomplete", "[\"x\"", kMalformed, "unexpected end of input at byte 4 (line 1, column 5): expected ',' or ']'"},
    {"n_array_incomplete_invalid_value", "[x", kMalformed, "unexpected 'x'"},
    {"n_array_inner_array_no_comma", "[3[4]]", kMalformed, "unexpected '['"},
    {"n_array_invalid_utf8", "[\xFF]", kMalformed, "unexpected byte 0xFF"},
    {"n_array_items_separated_by_semicolon", "[1:2]", kMalformed, "unexpected ':'"},
    {"n_array_just_comma", "[,]", kMalformed, "unexpected ','"},
    {"n_array_just_minus", "[-]", kMalformed, "unexpected ']' after '-'"},
    {"n_array_missing_value", "[   , \"\"]", kMalformed, "unexpected ','"},
    {"n_array_newlines_unclosed", "[\"a\",\n4\n,1,", kMalformed, "unexpected end of input at byte 11 (line 3, column 4)"},
    {"n_array_number_and_comma", "[1,]", kMalformed, "unexpected ']'"},
    {"n_array_number_and_several_commas", "[1,,]", kMalformed, "unexpected ','"},
    {"n_array_spaces_vertical_tab_formfeed", "[\"\va\"\\f]", kMalformed, "unescaped control character byte 0x0B"},
    {"n_array_star_inside", "[*]", kMalformed, "unexpected '*'"},
    {"n_array_unclosed", "[\"\"", kMalformed, "unexpected end of input"},
    {"n_array_unclosed_trailing_comma", "[1,", kMalformed, "expected a value"},
    {"n_array_unclosed_with_object_inside", "[{}", kMalformed, "expected ',' or ']'"},
    {"n_incomplete_false", "[fals]", kMalformed, "invalid literal at byte 1 (line 1, column 2): expected 'false'"},
    {"n_incomplete_null", "[nul]", kMalformed, "expected 'null'"},
    {"n_incomplete_true", "[tru]", kMalformed, "expected 'true'"},
    {"n_literal_truncated_at_end", "tr", kMalformed, "invalid literal"},
    {"n_literal_with_suffix", "[truex]", kMalformed, "unexpected 'x'"},
    // Numbers.
    {"n_multidigit_number_then_00", "123\0"sv, kMalformed, "trailing byte 0x00"},
    {"n_number_++", "[++1234]", kMalformed, "'+' before a number"},
    {"n_number_+1", "[+1]", kMalformed, "'+' before a number at byte 1"},
    {"n_number_-01", "[-01]", kMalformed, "number with a leading zero at byte 1"},
    {"n_number_-1.0.", "[-1.0.]", kMalformed, "unexpected '.'"},
    {"n_number_-2.", "[-2.]", kMalformed, "no digit after the decimal point"},
    {"n_number_.-1", "[.-1]", kMalformed, "unexpected '.'"},
    {"n_number_.2e-3", "[.2e-3]", kMalformed, "unexpected '.'"},
    {"n_number_0.1.2", "[0.1.2]", kMalformed, "unexpected '.'"},
    {"n_number_0.3e+", "[0.3e+]", kMalformed, "no digit in its exponent"},
    {"n_number_0.3e", "[0.3e]", kMalformed, "no digit in its exponent"},
    {"n_number_0.e1", "[0.e1]", kMalformed, "no digit after the decimal point"},
    {"n_number_0_capital_E+", "[0E+]", kMalformed, "no digit in its exponent"},
    {"n_number_0e", "[0e]", kMalformed, "no digit in its exponent"},
    {"n_number_1_000", "[1 000.0]", kMalformed, "unexpected '0'"},
    {"n_number_1eE2", "[1eE2]", kMalformed, "no digit in its exponent"},
    {"n_number_2.e+3", "[2.e+3]", kMalformed, "no digit after the decimal point"},
    {"n_number_U+FF11_fullwidth_digit_one", "[\xEF\xBC\x91]", kMalformed, "unexpected byte 0xEF"},
    {"n_number_expression", "[1+2]", kMalformed, "unexpected '+'"},
    {"n_number_hex_1_digit", "[0x1]", kMalformed, "unexpected 'x'"},
    {"n_number_hex_2_digits", "[0x42]", kMalformed, "unexpected 'x'"},
    {"n_number_invalid+-", "[0e+-1]", kMalformed, "no digit in its exponent"},
    {"n_number_invalid-negative-real", "[-123.123foo]", kMalformed, "unexpected 'f'"},
    {"n_number_minus_sign_with_trailing_garbage", "[-foo]", kMalformed, "unexpected 'f' after '-'"},
    {"n_number_minus_space_1", "[- 1]", kMalformed, "after '-'"},
    {"n_number_minus_at_end", "-", kMalformed, "unexpected end of input in a number"},
    {"n_number_neg_int_starting_with_zero", "[-012]", kMalformed, "leading zero"},
    {"n_number_neg_real_without_int_part", "[-.123]", kMalformed, "unexpected '.' after '-'"},
    {"n_number_neg_with_garbage_at_end", "[-1x]", kMalformed, "unexpected 'x'"},
    {"n_number_real_garbage_after_e", "[1ea]", kMalformed, "no digit in its exponent"},
    {"n_number_real_without_fractional_part", "[1.]", kMalformed, "no digit after the decimal point"},
    {"n_number_starting_with_dot", "[.123]", kMalformed, "unexpected '.'"},
    {"n_number_with_leading_zero", "[012]", kMalformed, "leading zero"},
    {"n_number_with_leading_zeros_top_level", "00", kMalformed, "leading zero"},
    // NaN, Infinity and numbers that would become infinite.
    {"n_number_NaN", "[NaN]", kNonFinite, "\"NaN\" is not a JSON number at byte 1"},
    {"n_number_-NaN", "[-NaN]", kNonFinite, "\"-NaN\" is not a JSON number"},
    {"n_number_+NaN", "[+NaN]", kNonFinite, "\"+NaN\" is not a JSON number"},
    {"n_number_nan_lower", "[nan]", kNonFinite, "\"nan\" is not a JSON number"},
    {"n_number_infinity", "[Infinity]", kNonFinite, "\"Infinity\" is not a JSON number"},
    {"n_number_minus_infinity", "[-Infinity]", kNonFinite, "\"-Infinity\" is not a JSON number"},
    {"n_number_+Inf", "[+Inf]", kNonFinite, "\"+Inf\""},
    {"n_number_Inf", "[Inf]", kNonFinite, "\"Inf\""},
    {"n_number_infinity_lower", "[-infinity]", kNonFinite, "\"-infinity\""},
    {"n_number_infinity_value", "{\"a\": Infinity}", kNonFinite, "expected a finite number"},
    {"n_number_nan_top_level", "NaN", kNonFinite, "at byte 0"},
    {"n_number_1e400", "[1e400]", kNonFinite, "number \"1e400\" is too large for a double"},
    {"n_number_-1e400", "[-1e400]", kNonFinite, "too large for a double"},
    {"n_number_1.8e308", "[1.8e308]", kNonFinite, "too large for a double"},
    {"n_number_huge_exponent", "[1e99999999999999999999]", kNonFinite, "too large"},
    {"n_number_long_int_overflow", "[0.0000001e316]", kNonFinite, "too large"},
    // Objects.
    {"n_object_bad_value", "[\"x\", truth]", kMalformed, "invalid literal at byte 6 (line 1, column 7): expected 'true'"},
    {"n_object_bracket_key", "{[: \"x\"}\n", kMalformed, "unexpected '[' at byte 1 (line 1, column 2): expected a string key or '}'"},
    {"n_object_comma_instead_of_colon", "{\"x\", null}", kMalformed, "expected ':' after the key"},
    {"n_object_double_colon", "{\"x\"::\"b\"}", kMalformed, "unexpected ':' at byte 5"},
    {"n_object_garbage_at_end", "{\"a\":\"a\" 123}", kMalformed, "expected ',' or '}'"},
    {"n_object_key_with_single_quotes", "{key: 'value'}", kMalformed, "unexpected 'k'"},
    {"n_object_missing_colon", "{\"a\" b}", kMalformed, "expected ':' after the key"},
    {"n_object_missing_key", "{:\"b\"}", kMalformed, "unexpected ':'"},
    {"n_object_missing_value", "{\"a\":", kMalformed, "unexpected end of input at byte 5"},
    {"n_object_no-colon", "{\"a\"", kMalformed, "expected ':' after the key"},
    {"n_object_non_string_key", "{1:1}", kMalformed, "unexpected '1'"},
    {"n_object_repeated_null_null", "{null:null,null:null}", kMalformed, "unexpected 'n'"},
    {"n_object_single_quote", "{'a':0}", kMalformed, "unexpected '''"},
    {"n_object_trailing_comma", "{\"id\":0,}", kMalformed, "unexpected '}' at byte 8 (line 1, column 9): expected a string key"},
    {"n_object_trailing_comment", "{\"a\":\"b\"}/**/", kMalformed, "trailing '/'"},
    {"n_object_two_commas_in_a_row", "{\"a\":\"b\",,\"c\":\"d\"}", kMalformed, "unexpected ','"},
    {"n_object_unquoted_key", "{a: \"b\"}", kMalformed, "unexpected 'a'"},
    {"n_object_unterminated-value", "{\"a\":\"a", kMalformed, "in the string opened at byte 5"},
    {"n_object_with_trailing_garbage", "{\"a\": true} \"x\"", kMalformed, "trailing '\"'"},
    // Duplicate keys (Python keeps the last one: a parser differential).
    {"n_object_duplicated_key", "{\"a\":\"b\",\"a\":\"c\"}", kDuplicate,
     "duplicate key \"a\" in the root object (first at byte 1) at byte 9"},
    {"n_object_duplicated_key_and_value", "{\"a\":\"b\",\"a\":\"b\"}", kDuplicate, "duplicate key \"a\""},
    {"n_object_duplicate_via_escape", "{\"a\":1,\"\\u0061\":2}", kDuplicate, "duplicate key \"a\""},
    {"n_object_duplicate_empty_key", "{\"\":1,\"\":2}", kDuplicate, "duplicate key \"\""},
    {"n_object_duplicate_nested", "{\"x\":[{\"b\":1},{\"k\":0,\"k\":1}]}", kDuplicate,
     "duplicate key \"k\" in the object at \"/x/1\""},
    {"n_object_duplicate_pointer_escaped", "{\"a/b\":{\"m~n\":{\"z\":1,\"z\":2}}}", kDuplicate,
     "in the object at \"/a~1b/m~0n\""},
    {"n_object_duplicate_reported_at_first_repeat", "{\"a\":1,\"b\":2,\"b\":3,\"a\":4}", kDuplicate,
     "duplicate key \"b\""},
    {"n_object_duplicate_key_with_nul", "{\"a\\u0000\":1,\"a\\u0000\":2}", kDuplicate, "duplicate key \"a\\u0000\""},
    // Strings: escapes.
    {"n_string_1_surrogate_then_escape", "[\"\\uD800\\\"]", kMalformed, "lone high surrogate"},
    {"n_string_1_surrogate_then_escape_u", "[\"\\uD800\\u\"]", kMalformed, "lone high surrogate"},
    {"n_string_1_surrogate_then_escape_u1", "[\"\\uD800\\u1\"]", kMalformed, "lone high surrogate"},
    {"n_string_1_surrogate_then_escape_u1x", "[\"\\uD800\\u1x\"]", kMalformed, "lone high surrogate"},
    {"n_string_lone_high_surrogate", "[\"\\uD800\"]", kMalformed,
     "lone high surrogate \"\\\\uD800\" in a string at byte 2 (line 1, column 3): expected a low surrogate"},
    {"n_string_lone_high_surrogate_at_end", "\"\\uDBFF", kMalformed, "lone high surrogate"},
    {"n_string_lone_low_surrogate", "[\"\\uDC00\"]", kMalformed, "lone low surrogate"},
    {"n_string_high_then_high", "[\"\\uD800\\uD800\"]", kMalformed, "lone high surrogate"},
    {"n_string_high_then_bmp", "[\"\\uD83D\\u0041\"]", kMalformed, "lone high surrogate"},
    {"n_string_reversed_pair", "[\"\\uDE00\\uD83D\"]", kMalformed, "lone low surrogate"},
    {"n_string_accentuated_char_no_quotes", "[\xC3\xA9]", kMalformed, "unexpected byte 0xC3"},
    {"n_string_backslash_00", "[\"\\\0\"]"sv, kMalformed, "invalid escape"},
    {"n_string_escape_x", "[\"\\x00\"]", kMalformed, "invalid escape \"\\\\x\" at byte 2"},
    {"n_string_escaped_backslash_bad", "[\"\\\\\\\"]", kMalformed, "unexpected end of input in the string opened at byte 1"},
    {"n_string_escaped_ctrl_char_tab", "[\"\\\t\"]", kMalformed, "invalid escape"},
    {"n_string_escaped_emoji", "[\"\\\xF0\x9F\x8C\x80\"]", kMalformed, "invalid escape"},
    {"n_string_incomplete_escape", "[\"\\\"]", kMalformed, "unexpected end of input"},
    {"n_string_incomplete_escaped_character", "[\"\\u00A\"]", kMalformed, "four hex digits after \\u"},
    {"n_string_incomplete_surrogate", "[\"\\uD834\\uDd\"]", kMalformed, "lone high surrogate"},
    {"n_string_incomplete_surrogate_escape_invalid", "[\"\\uD800\\uD800\\x\"]", kMalformed, "lone high surrogate"},
    {"n_string_invalid_backslash_esc", "[\"\\a\"]", kMalformed, "invalid escape"},
    {"n_string_invalid_unicode_escape", "[\"\\uqqqq\"]", kMalformed, "four hex digits"},
    {"n_string_invalid_utf8_after_escape", "[\"\\\xE5\"]", kMalformed, "invalid escape"},
    {"n_string_invalid-utf-8-in-escape", "[\"\\u\xE5\"]", kMalformed, "four hex digits"},
    {"n_string_u_escape_at_end", "\"\\u12", kMalformed, "four hex digits"},
    {"n_string_leading_uescaped_thinspace", "[\\u0020\"asd\"]", kMalformed, "unexpected '\\'"},
    {"n_string_no_quotes_with_bad_escape", "[\\n]", kMalformed, "unexpected '\\'"},
    {"n_string_single_doublequote", "\"", kMalformed, "unexpected end of input in the string opened at byte 0"},
    {"n_string_single_quote", "['single quote']", kMalformed, "unexpected '''"},
    {"n_string_single_string_no_double_quotes", "abc", kMalformed, "unexpected 'a'"},
    {"n_string_start_escape_unclosed", "[\"\\", kMalformed, "unexpected end of input"},
    {"n_string_unicode_CapitalU", "\"\\UA66D\"", kMalformed, "invalid escape"},
    {"n_string_with_trailing_garbage", "\"\"x", kMalformed, "trailing 'x'"},
    // Strings: raw control characters.
    {"n_string_unescaped_ctrl_char", "[\"a\0a\"]"sv, kMalformed, "unescaped control character byte 0x00 in a string at byte 3"},
    {"n_string_unescaped_newline", "[\"new\nline\"]", kMalformed, "unescaped control character byte 0x0A"},
    {"n_string_unescaped_tab", "[\"\t\"]", kMalformed, "expected it escaped (\\u0009)"},
    {"n_string_unescaped_us", "[\"\x1F\"]", kMalformed, "byte 0x1F"},
    // Strings: invalid UTF-8.
    {"n_string_overlong_2_byte_C0", "[\"\xC0\xAF\"]", kMalformed, "overlong UTF-8 encoding (byte 0xC0) in a string at byte 2"},
    {"n_string_overlong_2_byte_C1", "[\"\xC1\xBF\"]", kMalformed, "overlong UTF-8 encoding"},
    {"n_string_overlong_3_byte", "[\"\xE0\x80\xAF\"]", kMalformed, "overlong UTF-8 encoding"},
    {"n_string_overlong_3_byte_max", "[\"\xE0\x9F\xBF\"]", kMalformed, "overlong UTF-8 encoding"},
    {"n_string_overlong_4_byte", "[\"\xF0\x80\x80\xAF\"]", kMalformed, "overlong UTF-8 encoding"},
    {"n_string_overlong_4_byte_max", "[\"\xF0\x8F\xBF\xBF\"]", kMalformed, "overlong UTF-8 encoding"},
    {"n_string_utf8_surrogate_D800", "[\"\xED\xA0\x80\"]", kMalformed, "UTF-16 surrogate encoded in UTF-8"},
    {"n_string_utf8_surrogate_DFFF", "[\"\xED\xBF\xBF\"]", kMalformed, "UTF-16 surrogate encoded in UTF-8"},
    {"n_string_utf8_surrogate_pair_CESU", "[\"\xED\xA0\xBD\xED\xB2\xA9\"]", kMalformed, "surrogate"},
    {"n_string_utf8_above_10FFFF", "[\"\xF4\x90\x80\x80\"]", kMalformed, "UTF-8 sequence above U+10FFFF"},
    {"n_string_utf8_F5", "[\"\xF5\x80\x80\x80\"]", kMalformed, "above U+10FFFF"},
    {"n_string_utf8_F7", "[\"\xF7\xBF\xBF\xBF\"]", kMalformed, "above U+10FFFF"},
    {"n_string_utf8_F8_5_byte", "[\"\xF8\x88\x80\x80\x80\"]", kMalformed, "byte that never occurs in UTF-8"},
    {"n_string_utf8_FE", "[\"\xFE\"]", kMalformed, "never occurs"},
    {"n_string_utf8_FF", "[\"\xFF\"]", kMalformed, "never occurs"},
    {"n_string_lone_continuation", "[\"\x80\"]", kMalformed, "continuation byte without a lead byte"},
    {"n_string_lone_continuation_after_ascii", "[\"ab\xBF\"]", kMalformed, "at byte 4"},
    {"n_string_truncated_2_byte", "[\"\xC3\"]", kMalformed, "truncated UTF-8 sequence"},
    {"n_string_truncated_3_byte", "[\"\xE2\x82\"]", kMalformed, "truncated UTF-8 sequence"},
    {"n_string_truncated_4_byte", "[\"\xF0\x9F\x98\"]", kMalformed, "truncated UTF-8 sequence"},
    {"n_string_truncated_at_end_of_input", "\"\xF0\x9F\x98", kMalformed, "truncated UTF-8 sequence"},
    {"n_string_ascii_in_sequence", "[\"\xE2\x41\x82\"]", kMalformed, "truncated UTF-8 sequence"},
    {"n_string_iso_latin_1", "[\"\xE9\"]", kMalformed, "truncated UTF-8 sequence"},
};

class RejectTest : public ::testing::TestWithParam<RejectCase> {};

TEST_P(RejectTest, RefusesWithRuleAndMessage) {
  const RejectCase& c = GetParam();
  auto v = Parse(c.input);
  EXPECT_TRUE(IsJsonError(v.status(), c.rule, c.fragment)) << "input: " << Serialize(Value::String(std::string(c.input)));
}

INSTANTIATE_TEST_SUITE_P(JsonTestSuite, RejectTest, ::testing::ValuesIn(kReject),
                         [](const ::testing::TestParamInfo<RejectCase>& info) { return testing::CaseName(info.param.name); });

TEST(RejectTest, DuplicateKeyInLargeObjectIsFoundAndNamed) {
  // Past the pairwise threshold the check sorts; it must still report the
  // first member that repeats a key, and its offset.
  std::string doc = "{";
  for (int i = 0; i < 1000; ++i) doc += util::StrCat("\"k", i, "\":", i, ",");
  const size_t dup_at = doc.size();
  doc += "\"k500\":0,\"k7\":1}";
  auto v = Parse(doc);
  EXPECT_TRUE(IsJsonError(v.status(), kDuplicate,
                          util::StrCat("duplicate key \"k500\" in the root object (first at byte ",
                                       doc.find("\"k500\""), ") at byte ", dup_at)));
}

TEST(RejectTest, DuplicateKeysInManyKeyObjectAreFoundFast) {
  // 200k distinct keys then one repeat: O(n log n), not O(n^2).
  constexpr int kKeys = 200000;
  std::string doc = "{\"cfg\":{";
  for (int i = 0; i < kKeys; ++i) doc += util::StrCat("\"key_", i, "\":", i, ",");
  std::string ok_doc = doc + "\"last\":0}}";
  auto ok = Parse(ok_doc);
  ASSERT_TRUE(ok.ok()) << ok.status();
  EXPECT_EQ(ok->Find("cfg")->object().size(), static_cast<size_t>(kKeys) + 1);
  doc += "\"key_123456\":0}}";
  EXPECT_TRUE(IsJsonError(Parse(doc).status(), kDuplicate, "duplicate key \"key_123456\" in the object at \"/cfg\""));
}

TEST(RejectTest, LongDuplicateKeyIsCutInTheMessage) {
  std::string key(5000, 'q');
  std::string doc = util::StrCat("{\"", key, "\":1,\"", key, "\":2}");
  auto v = Parse(doc);
  ASSERT_TRUE(IsJsonError(v.status(), kDuplicate, "qqq\"... in the root object"));
  EXPECT_LT(v.status().message().size(), 300u);
}

TEST(RejectTest, NullViewIsEmptyInput) {
  EXPECT_TRUE(IsJsonError(Parse(std::string_view()).status(), kMalformed, "empty input at byte 0"));
}

TEST(RejectTest, ControlCharactersInMessagesAreEscaped) {
  auto v = Parse("{\"a\\nb\":1,\"a\\nb\":2}");
  EXPECT_TRUE(IsJsonError(v.status(), kDuplicate, "duplicate key \"a\\nb\""));
}

}  // namespace
}  // namespace kgate::io::json
