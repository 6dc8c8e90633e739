#include "trust/bundle.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "trust/base64.h"
#include "trust/dsse.h"

namespace kgate::trust {
namespace {

using ::testing::HasSubstr;

std::string Make(std::string_view material, std::string_view envelope,
                 std::string_view media = "\"application/vnd.dev.sigstore.bundle.v0.3+json\"") {
  return std::string("{\"mediaType\":") + std::string(media) + ",\"verificationMaterial\":" + std::string(material) +
         ",\"dsseEnvelope\":" + std::string(envelope) + "}";
}

constexpr std::string_view kMaterial = R"({"publicKey":{"hint":"abcd"},"tlogEntries":[]})";
constexpr std::string_view kEnvelope =
    R"({"payload":"e30=","payloadType":"application/vnd.in-toto+json","signatures":[{"sig":"AAE=","keyid":""}]})";

TEST(BundleTest, ParsesAndRoundTrips) {
  absl::StatusOr<Bundle> b = ParseBundle(Make(kMaterial, kEnvelope));
  ASSERT_TRUE(b.ok()) << b.status();
  EXPECT_EQ(b->public_key_hint, "abcd");
  EXPECT_EQ(b->payload, "{}");
  ASSERT_EQ(b->signatures.size(), 1u);
  EXPECT_EQ(b->signatures[0].sig, std::string("\x00\x01", 2));
  absl::StatusOr<Bundle> again = ParseBundle(SerializeBundle(*b));
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(again->payload, b->payload);
  EXPECT_EQ(again->public_key_hint, b->public_key_hint);
  EXPECT_EQ(again->signatures[0].sig, b->signatures[0].sig);
}

TEST(BundleTest, MissingHintMeansTryEveryKey) {
  absl::StatusOr<Bundle> b = ParseBundle(Make(R"({"publicKey":{}})", kEnvelope));
  ASSERT_TRUE(b.ok()) << b.status();
  EXPECT_FALSE(b->public_key_hint.has_value());
}

struct BadCase {
  std::string json;
  std::string message;
};

TEST(BundleTest, ErrorsNameTheField) {
  const std::string kOtherType =
      R"({"payload":"e30=","payloadType":"text/plain","signatures":[{"sig":"AAE="}]})";
  const BadCase cases[] = {
      {"", "not valid JSON"},
      {"[]", "expected a JSON object"},
      {Make(kMaterial, kEnvelope).substr(0, 100), "not valid JSON"},
      {Make(kMaterial, kEnvelope, "\"application/vnd.dev.sigstore.bundle.v0.1+json\""), "/mediaType: is 'application/vnd.dev.sigstore.bundle.v0.1+json'"},
      {Make(kMaterial, kEnvelope, "3"), "/mediaType: is a number; expected a string"},
      {Make(kMaterial, kOtherType), "/dsseEnvelope/payloadType: is 'text/plain'; expected 'application/vnd.in-toto+json'"},
      {Make(R"({"certificate":{"rawBytes":"AA=="}})", kEnvelope), "/verificationMaterial/certificate"},
      {Make(R"({"tlogEntries":[]})", kEnvelope), "/verificationMaterial/publicKey: missing"},
      {Make(kMaterial, R"({"payload":"e30","payloadType":"application/vnd.in-toto+json","signatures":[{"sig":"AAE="}]})"),
       "/dsseEnvelope/payload: base64"},
      {Make(kMaterial, R"({"payload":"e30=","payloadType":"application/vnd.in-toto+json","signatures":[]})"),
       "/dsseEnvelope/signatures: has 0 entries"},
      {Make(kMaterial, R"({"payload":"e30=","payloadType":"application/vnd.in-toto+json","signatures":[{"sig":""}]})"),
       "/dsseEnvelope/signatures/0/sig: is empty"},
      {Make(kMaterial, R"({"payload":"e30=","payloadType":"application/vnd.in-toto+json","signatures":[{"keyid":"k"}]})"),
       "/dsseEnvelope/signatures/0/sig: missing"},
      {R"({"mediaType":"application/vnd.dev.sigstore.bundle.v0.3+json","mediaType":"x"})", "duplicate"},
  };
  for (const BadCase& c : cases) {
    absl::StatusOr<Bundle> b = ParseBundle(c.json);
    EXPECT_FALSE(b.ok()) << c.json;
    EXPECT_THAT(b.status().message(), HasSubstr(c.message)) << c.json;
  }
}

TEST(BundleTest, TooManySignaturesAndTooLarge) {
  std::string sigs = "[";
  for (size_t i = 0; i <= kMaxEnvelopeSignatures; ++i) sigs += std::string(i ? "," : "") + R"({"sig":"AAE="})";
  sigs += "]";
  const std::string envelope =
      std::string(R"({"payload":"e30=","payloadType":"application/vnd.in-toto+json","signatures":)") + sigs + "}";
  EXPECT_THAT(ParseBundle(Make(kMaterial, envelope)).status().message(), HasSubstr("has 17 entries; expected 1 to 16"));
  EXPECT_EQ(ParseBundle(std::string(kMaxBundleBytes + 1, ' ')).status().code(), absl::StatusCode::kResourceExhausted);
}

}  // namespace
}  // namespace kgate::trust
