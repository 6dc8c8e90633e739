// The YAML writer's scalars read back through the reader as exactly what was
// written: every ASCII character, C1 controls, line separators, the BOM,
// non-ASCII text, and doubles across the whole finite range.
#include "io/yaml/yaml_writer.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <string>

#include "io/json/json.h"
#include "io/yaml/yaml.h"

namespace kgate::io::yaml {
namespace {

absl::StatusOr<json::Value> ReadBack(const std::string& scalar) { return Parse("v: " + scalar + "\n", "w.yaml"); }

void ExpectStringRoundTrip(const std::string& s) {
  std::string quoted;
  AppendQuoted(s, &quoted);
  absl::StatusOr<json::Value> v = ReadBack(quoted);
  ASSERT_TRUE(v.ok()) << v.status() << " for " << quoted;
  ASSERT_TRUE(v->Find("v")->is_string()) << quoted;
  EXPECT_EQ(v->Find("v")->string(), s) << quoted;
}

TEST(YamlWriter, EveryAsciiCharacterRoundTrips) {
  for (int c = 0; c < 0x80; ++c) ExpectStringRoundTrip(std::string(1, static_cast<char>(c)) + "x");
  std::string all;
  for (int c = 0; c < 0x80; ++c) all.push_back(static_cast<char>(c));
  ExpectStringRoundTrip(all);
}

TEST(YamlWriter, TextThatLooksLikeOtherTypesStaysAString) {
  for (const char* s : {"", "true", "null", "~", "1", "0x1F", ".inf", "- a", "a: b", "#c", "&x", "*x", "!t", "'q'",
                        "\"", "\\", "  padded  ", "line\nbreak", "tab\there"}) {
    ExpectStringRoundTrip(s);
  }
}

TEST(YamlWriter, NonAsciiAndCharactersYamlDoesNotAllowRaw) {
  ExpectStringRoundTrip("caf\xC3\xA9 \xE6\x97\xA5\xE6\x9C\xAC \xF0\x9F\x98\x80");  // café 日本 😀
  ExpectStringRoundTrip("\xC2\x80\xC2\x85\xC2\x9F");                               // C1 controls incl. NEL
  ExpectStringRoundTrip("a\xE2\x80\xA8" "b\xE2\x80\xA9" "c");                       // U+2028, U+2029
  ExpectStringRoundTrip("\xEF\xBB\xBF" "bom");                                      // U+FEFF
  ExpectStringRoundTrip("\xEF\xBF\xBE\xEF\xBF\xBF");                                // U+FFFE, U+FFFF
}

TEST(YamlWriter, InvalidUtf8BecomesReplacementCharacters) {
  std::string quoted;
  AppendQuoted("a\xFF" "b\xC3", &quoted);
  absl::StatusOr<json::Value> v = ReadBack(quoted);
  ASSERT_TRUE(v.ok()) << v.status();
  EXPECT_EQ(v->Find("v")->string(), "a\xEF\xBF\xBD" "b\xEF\xBF\xBD");
}

void ExpectNumberRoundTrip(double d) {
  std::string text;
  AppendNumber(d, &text);
  absl::StatusOr<json::Value> v = ReadBack(text);
  ASSERT_TRUE(v.ok()) << v.status() << " for " << text;
  ASSERT_TRUE(v->Find("v")->is_number()) << text;
  const double back = v->Find("v")->number().value;
  EXPECT_EQ(std::memcmp(&back, &d, sizeof(d)), 0) << text;  // bit for bit, sign of zero included
}

TEST(YamlWriter, DoublesRoundTripBitForBit) {
  for (double d : {0.0, -0.0, 1.0, -1.0, 0.1, 1e-7, 1.5e300, -2.5e-300, 3.4028234663852886e38,
                   std::numeric_limits<double>::max(), std::numeric_limits<double>::lowest(),
                   std::numeric_limits<double>::denorm_min(), std::numeric_limits<double>::min(), 123456789.0}) {
    ExpectNumberRoundTrip(d);
  }
  // Bit patterns from a fixed LCG, so the run is the same every time.
  uint64_t x = 0x9E3779B97F4A7C15u;
  for (int i = 0; i < 2000; ++i) {
    x = x * 6364136223846793005u + 1442695040888963407u;
    double d;
    std::memcpy(&d, &x, sizeof(d));
    if (std::isfinite(d)) ExpectNumberRoundTrip(d);
  }
}

TEST(YamlWriter, IntegersRoundTripExactly) {
  for (int64_t i : {int64_t{0}, int64_t{-1}, int64_t{42}, std::numeric_limits<int64_t>::max(),
                    std::numeric_limits<int64_t>::min()}) {
    std::string text;
    AppendInteger(i, &text);
    absl::StatusOr<json::Value> v = ReadBack(text);
    ASSERT_TRUE(v.ok()) << v.status();
    EXPECT_EQ(v->Find("v")->number().integer, i);
  }
}

}  // namespace
}  // namespace kgate::io::yaml
