// Documents the YAML reader refuses: each with the status code, the place
// ("t.yaml:LINE:COLUMN") and the fragment of the message that explains it.

#include <gtest/gtest.h>

#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "io/yaml/yaml.h"
#include "util/strings.h"

namespace kgate::io::yaml {
namespace {

using namespace std::string_view_literals;

struct RejectCase {
  std::string_view name;
  std::string_view yaml;
  std::string_view place;     // "t.yaml:L:C"
  std::string_view fragment;  // part of the message
};

constexpr RejectCase kReject[] = {
    {"anchor", "a: &x 1\nb: 2\n", "t.yaml:1:4", "anchors (&name) are not accepted"},
    {"alias", "a: 1\nb: *x\n", "t.yaml:2:4", "aliases"},  // libyaml reports the unknown alias as an event
    {"billion_laughs", "a: &a [x, x]\nb: &b [*a, *a]\nc: [*b, *b]\n", "t.yaml:1:4", "anchors"},
    {"anchor_on_mapping", "a: &m\n  x: 1\n", "t.yaml:1:4", "anchors"},
    {"custom_tag", "a: !python/object x\n", "t.yaml:1:4", "tag \"!python/object\" is not accepted"},
    {"python_tag", "a: !!python/name:os.system x\n", "t.yaml:1:4", "is not accepted"},
    {"non_specific_tag", "a: ! x\n", "t.yaml:1:4", "tag \"!\" is not accepted"},
    {"yaml11_tag", "a: !!binary aGVsbG8=\n", "t.yaml:1:4", "is not accepted"},
    {"wrong_collection_tag", "a: !!seq {x: 1}\n", "t.yaml:1:4", "!!seq is not accepted on a mapping"},
    {"scalar_map_tag", "a: !!map x\n", "t.yaml:1:4", "cannot carry the !!map tag"},
    {"tag_mismatch_int", "a: !!int x\n", "t.yaml:1:4", "!!int scalar 'x' is not an integer"},
    {"tag_mismatch_bool", "a: !!bool yes\n", "t.yaml:1:4", "is not true or false"},
    {"tag_directive", "%TAG !e! tag:example.com,2000:\n---\na: !e!x 1\n", "t.yaml:", "directives are not accepted"},
    {"yaml_directive", "%YAML 1.1\n---\na: 1\n", "t.yaml:", "directives are not accepted"},
    {"two_documents", "a: 1\n---\nb: 2\n", "t.yaml:2:1", "a second document"},
    {"duplicate_key", "a: 1\nb: 2\na: 3\n", "t.yaml:3:1", "duplicate key \"a\" (first at 1:1)"},
    {"duplicate_flow_key", "{x: 1, x: 2}", "t.yaml:1:8", "duplicate key \"x\""},
    {"duplicate_nested_key", "a:\n  m: 1\n  m: 2\n", "t.yaml:3:3", "duplicate key \"m\""},
    {"duplicate_integer_keys", "{1: a, 01: b}", "t.yaml:1:8", "duplicate key \"1\""},
    {"quoted_and_integer_key", "{\"1\": a, 1: b}", "t.yaml:1:10", "duplicate key"},
    {"bool_key", "true: 1\n", "t.yaml:1:1", "a key must be a string"},
    {"null_key", "~: 1\n", "t.yaml:1:1", "a key must be a string"},
    {"float_key", "1.5: 1\n", "t.yaml:1:1", "a key must be a string"},
    {"mapping_key", "? {a: 1}\n: 2\n", "t.yaml:1:3", "a key must be a string, found a mapping"},
    {"sequence_key", "[1, 2]: x\n", "t.yaml:1:1", "a key must be a string, found a sequence"},
    {"inf", "max: .inf\n", "t.yaml:1:6", "non-finite number '.inf'"},
    {"negative_inf", "min: -.Inf\n", "t.yaml:1:6", "non-finite"},
    {"nan", "x: .nan\n", "t.yaml:1:4", "non-finite"},
    {"float_tag_nan", "x: !!float .NaN\n", "t.yaml:1:4", "non-finite"},
    {"float_overflow", "x: 1e400\n", "t.yaml:1:4", "too large for a double"},
    {"tagged_int_overflow", "x: !!int 9223372036854775808\n", "t.yaml:1:4", "does not fit in a signed 64-bit integer"},
    {"hex_overflow", "x: 0x10000000000000000\n", "t.yaml:1:4", "does not fit"},
    {"invalid_utf8", "a: \"\xC3\x28\"\n", "t.yaml:1:", "UTF-8"},
    {"utf16_bom", "\xFF\xFE" "a\0:\0", "t.yaml:1:", ""},
    {"nul_byte", "a: b\0c\n"sv, "t.yaml:1:", "control characters"},
    {"bad_indentation", "a:\n  b: 1\n c: 2\n", "t.yaml:3:", ""},
    {"unclosed_flow", "a: [1, 2\n", "t.yaml:", ""},
    {"tab_indentation", "a:\n\tb: 1\n", "t.yaml:2:", ""},
};

class YamlReject : public ::testing::TestWithParam<RejectCase> {};

TEST_P(YamlReject, RefusesWithPlaceAndReason) {
  const RejectCase& c = GetParam();
  auto v = Parse(c.yaml, "t.yaml");
  ASSERT_FALSE(v.ok()) << c.name << " parsed";
  EXPECT_EQ(v.status().code(), absl::StatusCode::kInvalidArgument) << v.status();
  std::string message(util::ToStd(v.status().message()));
  EXPECT_EQ(message.rfind(c.place, 0), 0u) << message;
  EXPECT_NE(message.find(c.fragment), std::string::npos) << message;
}

INSTANTIATE_TEST_SUITE_P(Cases, YamlReject, ::testing::ValuesIn(kReject),
                         [](const auto& info) { return std::string(info.param.name); });

absl::Status ParseStatus(std::string_view text, const Limits& limits) {
  return Parse(text, "t.yaml", limits).status();
}

TEST(YamlLimits, InputSize) {
  Limits limits;
  limits.max_input_bytes = 8;
  absl::Status s = ParseStatus("a: 12345\n", limits);
  EXPECT_EQ(s.code(), absl::StatusCode::kResourceExhausted) << s;
  EXPECT_NE(s.message().find("9 bytes is over the cap of 8"), absl::string_view::npos) << s;
}

TEST(YamlLimits, Depth) {
  Limits limits;
  limits.max_depth = 3;
  absl::Status s = ParseStatus("a: [[[1]]]\n", limits);
  EXPECT_EQ(s.code(), absl::StatusCode::kResourceExhausted) << s;
  EXPECT_NE(s.message().find("t.yaml:1:6: nesting deeper than 3 levels"), absl::string_view::npos) << s;
}

TEST(YamlLimits, DepthCeilingHoldsWhateverLimitsSay) {
  Limits limits;
  limits.max_depth = 100000;
  std::string deep(200, '[');
  deep += std::string(200, ']');
  absl::Status s = ParseStatus(deep, limits);
  EXPECT_EQ(s.code(), absl::StatusCode::kResourceExhausted) << s;
  EXPECT_NE(s.message().find("nesting deeper than 128 levels"), absl::string_view::npos) << s;
}

TEST(YamlLimits, DeepFlowNestingIsRefusedEarly) {
  // A megabyte of '[' must stop at the depth cap, not build anything big.
  std::string deep(1 << 20, '[');
  absl::Status s = ParseStatus(deep, Limits{});
  EXPECT_EQ(s.code(), absl::StatusCode::kResourceExhausted) << s;
}

TEST(YamlLimits, NodeCount) {
  Limits limits;
  limits.max_nodes = 4;
  absl::Status s = ParseStatus("[1, 2, 3, 4]\n", limits);
  EXPECT_EQ(s.code(), absl::StatusCode::kResourceExhausted) << s;
  EXPECT_NE(s.message().find("t.yaml:1:11: more than 4 nodes"), absl::string_view::npos) << s;
}

TEST(YamlLimits, KeysCountAsNodes) {
  Limits limits;
  limits.max_nodes = 4;
  EXPECT_EQ(ParseStatus("{a: 1, b: 2}", limits).code(), absl::StatusCode::kResourceExhausted);
}

TEST(YamlLimits, ScalarSize) {
  Limits limits;
  limits.max_scalar_bytes = 4;
  absl::Status s = ParseStatus("a: 'hello'\n", limits);
  EXPECT_EQ(s.code(), absl::StatusCode::kResourceExhausted) << s;
  EXPECT_NE(s.message().find("a scalar of 5 bytes is over the cap of 4"), absl::string_view::npos) << s;
}

}  // namespace
}  // namespace kgate::io::yaml
