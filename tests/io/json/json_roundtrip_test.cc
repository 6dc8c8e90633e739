// Serialize, AppendQuoted and PointerToken, round trips, and corruption of a
// realistic document: every truncation and every single-byte change must end
// in a clean accept or a clean, well-formed refusal.

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <memory>
#include <limits>
#include <iterator>
#include <string>
#include <vector>

#include "io/json/json.h"
#include "json_test_util.h"
#include "sweep_sampling.h"
#include "util/rules.h"
#include "util/strings.h"

namespace kgate::io::json {
namespace {

using namespace std::string_view_literals;
using testing::HasErrorShape;
using testing::Reserialize;

// A Keras-like config.json in miniature, with the awkward parts: escapes,
// non-ASCII, big integers, exponents, nesting, empty containers.
constexpr std::string_view kConfig = R"({
  "module": "keras", "class_name": "Functional",
  "config": {"name": "m\u00e9t\u00e9o/\"v2\"", "trainable": true, "dtype": null,
    "layers": [
      {"class_name": "InputLayer", "config": {"batch_shape": [null, 28, 28, 1], "sparse": false}},
      {"class_name": "Dense", "config": {"units": 10, "seed": 139630106013264,
        "l2": 1e-4, "scale": -2.5E+3, "tag": "\ud83d\ude00 \t tab", "empty": {}, "none": []}}
    ]},
  "build_config": {"input_shape": [null, 784]}
})";

TEST(SerializeTest, CompactForm) {
  EXPECT_EQ(Reserialize(kConfig),
            "{\"module\":\"keras\",\"class_name\":\"Functional\",\"config\":{\"name\":\"m\xC3\xA9t\xC3\xA9o/\\\"v2\\\"\","
            "\"trainable\":true,\"dtype\":null,\"layers\":[{\"class_name\":\"InputLayer\",\"config\":{\"batch_shape\":"
            "[null,28,28,1],\"sparse\":false}},{\"class_name\":\"Dense\",\"config\":{\"units\":10,\"seed\":"
            "139630106013264,\"l2\":1e-04,\"scale\":-2500,\"tag\":\"\xF0\x9F\x98\x80 \\t tab\",\"empty\":{},"
            "\"none\":[]}}]},\"build_config\":{\"input_shape\":[null,784]}}");
}

TEST(SerializeTest, RoundTripIsAFixedPoint) {
  std::string once = Reserialize(kConfig);
  EXPECT_EQ(Reserialize(once), once);
}

TEST(SerializeTest, Scalars) {
  EXPECT_EQ(Serialize(Value()), "null");
  EXPECT_EQ(Serialize(Value::Null()), "null");
  EXPECT_EQ(Serialize(Value::Bool(true)), "true");
  EXPECT_EQ(Serialize(Value::Bool(false)), "false");
  EXPECT_EQ(Serialize(Value::Int(std::numeric_limits<int64_t>::min())), "-9223372036854775808");
  EXPECT_EQ(Serialize(Value::Int(139630106013264)), "139630106013264");
  EXPECT_EQ(Serialize(Value::Double(0.1)), "0.1");
  EXPECT_EQ(Serialize(Value::Double(1.0 / 3)), "0.3333333333333333");
  EXPECT_EQ(Serialize(Value::Double(1e-7)), "1e-07");
  EXPECT_EQ(Serialize(Value::Double(1e100)), "1e+100");
  EXPECT_EQ(Serialize(Value::Double(5e-324)), "5e-324");
  EXPECT_EQ(Serialize(Value::Double(std::numeric_limits<double>::max())), "1.7976931348623157e+308");
  EXPECT_EQ(Serialize(Value::Double(-0.0)), "-0.0");
  EXPECT_EQ(Serialize(Value::Double(2.0)), "2");
  // JSON cannot express these; they become null rather than invalid output.
  EXPECT_EQ(Serialize(Value::Double(std::nan(""))), "null");
  EXPECT_EQ(Serialize(Value::Double(-std::numeric_limits<double>::infinity())), "null");
  EXPECT_EQ(Serialize(Value::String("a\"b\\c\x01\x1F\x7F/")), "\"a\\\"b\\\\c\\u0001\\u001f\\u007f/\"");
}

TEST(SerializeTest, ShortestDoublesReadBackExactly) {
  const double values[] = {0.1, 0.2 + 0.1, 1e23, 9007199254740993.0, 2.2250738585072014e-308, 4.9406564584124654e-324,
                           -123.456e-200, 6.02214076e23, 1.7976931348623157e308, 0.30000000000000004};
  for (double d : values) {
    std::string s = Serialize(Value::Double(d));
    auto back = Parse(s);
    ASSERT_TRUE(back.ok()) << s;
    EXPECT_EQ(back->number().value, d) << s;
  }
}

TEST(SerializeTest, BuiltValues) {
  Object o;
  o.emplace_back("z", Value::Int(1));
  o.emplace_back("a", Value::MakeArray({Value::String("x"), Value::Null(), Value::MakeObject({})}));
  EXPECT_EQ(Serialize(Value::MakeObject(std::move(o))), "{\"z\":1,\"a\":[\"x\",null,{}]}");
}

TEST(AppendQuotedTest, EscapesAndKeepsUtf8) {
  std::string out = "prefix:";
  AppendQuoted("tab\there \"q\" \xE2\x82\xAC\n", &out);
  EXPECT_EQ(out, "prefix:\"tab\\there \\\"q\\\" \xE2\x82\xAC\\n\"");
  out.clear();
  AppendQuoted("\b\f\r\0"sv, &out);
  EXPECT_EQ(out, "\"\\b\\f\\r\\u0000\"");
}

TEST(AppendQuotedTest, InvalidUtf8BecomesReplacementCharacters) {
  // Writers must never emit invalid JSON, whatever bytes a caller passes.
  std::string out;
  AppendQuoted("a\xFF" "b\xC0\xAF" "c\xED\xA0\x80" "d\xE2\x82", &out);
  EXPECT_EQ(out, "\"a\xEF\xBF\xBD" "b\xEF\xBF\xBD\xEF\xBF\xBD" "c\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD"
                 "d\xEF\xBF\xBD\xEF\xBF\xBD\"");
  EXPECT_TRUE(Parse(out).ok());
}

TEST(PointerTokenTest, EscapesTildeAndSlash) {
  EXPECT_EQ(PointerToken(""), "");
  EXPECT_EQ(PointerToken("layers"), "layers");
  EXPECT_EQ(PointerToken("a/b"), "a~1b");
  EXPECT_EQ(PointerToken("m~n"), "m~0n");
  EXPECT_EQ(PointerToken("~/~1"), "~0~1~01");  // "~1" in a key is not an escape
  EXPECT_EQ(PointerToken("\xC3\xA9/"), "\xC3\xA9~1");
}

TEST(CorruptionTest, EveryTruncationIsRefusedCleanly) {
  ASSERT_TRUE(Parse(kConfig).ok());
  const std::string_view doc = kConfig;
  for (size_t len = 0; len < doc.size(); ++len) {
    auto v = Parse(doc.substr(0, len));
    ASSERT_FALSE(v.ok()) << "prefix of " << len << " bytes parsed";
    auto rule = util::RuleOf(v.status());
    ASSERT_TRUE(rule.has_value());
    EXPECT_EQ(*rule, util::rules::kJsonMalformed) << v.status();
    EXPECT_TRUE(HasErrorShape(util::ToStd(v.status().message()))) << v.status();
  }
}

// Replacement bytes that matter to the grammar, UTF-8 and escapes; every
// offset also gets its eight single-bit flips.
constexpr unsigned char kInterestingBytes[] = {
    0x00, 0x01, 0x09, 0x0A, 0x1F, ' ', '"', '\\', '/', ',', ':', '[', ']', '{', '}', '-', '+', '.',
    '0', '1', '9', 'e', 'E', 'u', 'n', 't', 'f', 'N', 'I', 'x', 0x7F, 0x80, 0xBF, 0xC0, 0xC1, 0xC3,
    0xE0, 0xE2, 0xED, 0xEF, 0xF0, 0xF4, 0xF5, 0xFF};

TEST(CorruptionTest, ChangedBytesAtEveryOffsetAreHandled) {
  // Each result is a clean accept whose serialization is a fixed point, or
  // a refusal with a JSON rule and the standard message shape. Each input
  // is copied to a buffer of exactly its size, so ASan sees any overread.
  const std::string_view doc = kConfig;
  size_t accepted = 0;
  size_t tried = 0;
  for (size_t i = 0; i < doc.size(); i += ::kgate::testing::kSweepThinning) {
    std::vector<unsigned char> replacements(std::begin(kInterestingBytes), std::end(kInterestingBytes));
    for (int bit = 0; bit < 8; ++bit) replacements.push_back(static_cast<unsigned char>(doc[i]) ^ (1u << bit));
    for (unsigned char b : replacements) {
      std::unique_ptr<char[]> exact(new char[doc.size()]);
      std::memcpy(exact.get(), doc.data(), doc.size());
      exact[i] = static_cast<char>(b);
      auto v = Parse(std::string_view(exact.get(), doc.size()));
      ++tried;
      if (v.ok()) {
        ++accepted;
        std::string s = Serialize(*v);
        ASSERT_EQ(Reserialize(s), s);
        continue;
      }
      auto rule = util::RuleOf(v.status());
      ASSERT_TRUE(rule.has_value()) << v.status();
      EXPECT_TRUE(*rule == util::rules::kJsonMalformed || *rule == util::rules::kJsonDuplicateKey ||
                  *rule == util::rules::kJsonNonFinite)
          << v.status();
      ASSERT_TRUE(HasErrorShape(util::ToStd(v.status().message()))) << v.status();
    }
  }
  EXPECT_GT(accepted, 0u);
  EXPECT_LT(accepted, tried);
}

TEST(CorruptionTest, ErrorsPointInsideTheInput) {
  // The reported byte offset never exceeds the input length.
  const std::string_view doc = kConfig;
  for (size_t len = 0; len < doc.size(); len += 7) {
    auto v = Parse(doc.substr(0, len));
    ASSERT_FALSE(v.ok());
    std::string m(util::ToStd(v.status().message()));
    size_t at = m.find(" at byte ");
    ASSERT_NE(at, std::string::npos) << m;
    EXPECT_LE(std::stoull(m.substr(at + 9)), len) << m;
  }
}

}  // namespace
}  // namespace kgate::io::json
