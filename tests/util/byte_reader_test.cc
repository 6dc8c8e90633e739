#include "util/byte_reader.h"

#include <gtest/gtest.h>

#include <vector>

#include "util/checked_math.h"

namespace kgate::util {
namespace {

TEST(ByteReaderTest, ReadsLittleEndianAtAnyAlignment) {
  const std::vector<uint8_t> bytes = {0xAA, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09};
  ByteReader r(bytes, 1);
  EXPECT_EQ(*r.U16("a"), 0x0201);
  EXPECT_EQ(*r.U32("b"), 0x06050403u);
  EXPECT_EQ(r.position(), 7u);
  EXPECT_EQ(*r.UVar(3, "c"), 0x090807u);
  EXPECT_EQ(r.remaining(), 0u);
}

TEST(ByteReaderTest, TruncatedReadsFailAtEveryLength) {
  const std::vector<uint8_t> bytes = {1, 2, 3, 4, 5, 6, 7, 8};
  for (size_t n = 0; n < bytes.size(); ++n) {
    ByteReader r(std::span<const uint8_t>(bytes.data(), n));
    absl::StatusOr<uint64_t> v = r.U64("field");
    ASSERT_FALSE(v.ok()) << n;
    EXPECT_EQ(v.status().code(), absl::StatusCode::kOutOfRange);
    EXPECT_NE(std::string(v.status().message()).find("field: need 8 bytes at offset 0"), std::string::npos);
    EXPECT_EQ(r.position(), 0u) << "a failed read must not move the cursor";
  }
}

TEST(ByteReaderTest, SkipAndSeekAreBounded) {
  const std::vector<uint8_t> bytes(16);
  ByteReader r(bytes);
  EXPECT_TRUE(r.Skip(16, "x").ok());
  EXPECT_FALSE(r.Skip(1, "x").ok());
  EXPECT_TRUE(r.Seek(0, "x").ok());
  EXPECT_FALSE(r.Seek(17, "x").ok());
  EXPECT_FALSE(r.Skip(UINT64_MAX, "x").ok()) << "offset + size must not wrap";
  EXPECT_FALSE(r.UVar(9, "x").ok());
  EXPECT_FALSE(r.UVar(0, "x").ok());
}

TEST(CheckedMathTest, DetectsOverflow) {
  EXPECT_EQ(CheckedAdd(1, 2), 3u);
  EXPECT_FALSE(CheckedAdd(UINT64_MAX, 1).has_value());
  EXPECT_FALSE(CheckedMul(uint64_t{1} << 32, uint64_t{1} << 32).has_value());
  const uint64_t dims[] = {1 << 20, 1 << 20, 1 << 20, 1 << 20};
  EXPECT_FALSE(CheckedProduct(dims).has_value());
  EXPECT_EQ(CheckedProduct(std::span<const uint64_t>()), 1u);
  EXPECT_TRUE(RangeFits(10, 6, 16));
  EXPECT_FALSE(RangeFits(10, 7, 16));
  EXPECT_FALSE(RangeFits(17, 0, 16));
  EXPECT_FALSE(RangeFits(8, UINT64_MAX, 16));
}

}  // namespace
}  // namespace kgate::util
