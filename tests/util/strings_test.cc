#include "util/strings.h"

#include <gtest/gtest.h>

#include <vector>

#include "util/dtype.h"

namespace kgate::util {
namespace {

TEST(StringsTest, StrCatFormatsEveryKind) {
  std::string_view sv = "view";
  absl::string_view asv = "absl";
  EXPECT_EQ(StrCat("a", sv, asv, std::string("s"), 'c', true, -12, uint64_t{18446744073709551615u}, 0.5),
            "aviewabslsctrue-12184467440737095516150.5");
  EXPECT_EQ(StrCat(1e-7), "1e-07");
  std::vector<int> v = {1, 2, 3};
  EXPECT_EQ(StrJoin(v, ", "), "1, 2, 3");
  EXPECT_EQ(StrJoin(std::vector<std::string>{}, ","), "");
}

TEST(DTypeTest, NamesRoundTrip) {
  for (DType t : {DType::kBool, DType::kInt8, DType::kUInt64, DType::kFloat16, DType::kBFloat16, DType::kFloat32,
                  DType::kFloat64, DType::kString}) {
    EXPECT_EQ(ParseDType(DTypeName(t)), t);
  }
  EXPECT_EQ(DTypeSize(DType::kFloat64), 8u);
  EXPECT_EQ(DTypeSize(DType::kString), 0u);
  EXPECT_FALSE(ParseDType("float128").has_value());
  EXPECT_TRUE(IsFloating(DType::kBFloat16));
  EXPECT_FALSE(IsInteger(DType::kBool));
}

}  // namespace
}  // namespace kgate::util
