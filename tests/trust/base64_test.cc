#include "trust/base64.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace kgate::trust {
namespace {

using ::testing::HasSubstr;

TEST(Base64Test, Rfc4648Vectors) {
  const std::pair<std::string_view, std::string_view> kVectors[] = {
      {"", ""}, {"f", "Zg=="}, {"fo", "Zm8="}, {"foo", "Zm9v"}, {"foob", "Zm9vYg=="}, {"fooba", "Zm9vYmE="},
      {"foobar", "Zm9vYmFy"}};
  for (const auto& [plain, encoded] : kVectors) {
    EXPECT_EQ(Base64Encode(plain), encoded);
    absl::StatusOr<std::string> decoded = Base64Decode(encoded);
    ASSERT_TRUE(decoded.ok()) << encoded;
    EXPECT_EQ(*decoded, plain);
  }
}

TEST(Base64Test, AllByteValuesRoundTrip) {
  std::string all;
  for (int i = 0; i < 256; ++i) all.push_back(static_cast<char>(i));
  for (size_t n = 0; n <= all.size(); n += 7) {
    absl::StatusOr<std::string> back = Base64Decode(Base64Encode(all.substr(0, n)));
    ASSERT_TRUE(back.ok());
    EXPECT_EQ(*back, all.substr(0, n));
  }
}

TEST(Base64Test, StrictRejects) {
  EXPECT_THAT(Base64Decode("Zg").status().message(), HasSubstr("not a multiple of 4"));
  EXPECT_THAT(Base64Decode("Zm9v\n").status().message(), HasSubstr("not a multiple of 4"));
  EXPECT_THAT(Base64Decode("Zm-v").status().message(), HasSubstr("invalid character at offset 2"));
  EXPECT_THAT(Base64Decode("Z=9v").status().message(), HasSubstr("invalid character at offset 1"));
  EXPECT_THAT(Base64Decode("Zm==Zm9v").status().message(), HasSubstr("invalid character at offset 2"));
  EXPECT_THAT(Base64Decode("Zh==").status().message(), HasSubstr("non-zero bits"));
  EXPECT_THAT(Base64Decode("Zm9=").status().message(), HasSubstr("non-zero bits"));
}

}  // namespace
}  // namespace kgate::trust
