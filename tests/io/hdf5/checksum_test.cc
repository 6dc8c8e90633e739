#include <cmath>
#include <random>

#include "gtest/gtest.h"
#include "io/hdf5/internal/checksum.h"
#include "io/hdf5/internal/values.h"

namespace kgate::io::hdf5::internal {
namespace {

std::span<const uint8_t> Bytes(std::string_view s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

TEST(Hdf5ChecksumTest, Lookup3MatchesBobJenkinsVectors) {
  // From lookup3.c's driver5(): hashlittle("", 0, 0) and the "Four score" line.
  EXPECT_EQ(Lookup3(Bytes(""), 0), 0xdeadbeefu);
  EXPECT_EQ(Lookup3(Bytes(""), 0xdeadbeef), 0xbd5b7ddeu);
  EXPECT_EQ(Lookup3(Bytes("Four score and seven years ago"), 0), 0x17770551u);
  EXPECT_EQ(Lookup3(Bytes("Four score and seven years ago"), 1), 0xcd628161u);
}

// Fletcher-32 as a plain modulo-65535 computation over big-endian 16-bit
// words (the odd last byte is the high half of a zero-padded word).
uint32_t ReferenceFletcher(std::span<const uint8_t> data) {
  uint64_t a = 0, b = 0;
  for (size_t i = 0; i < data.size(); i += 2) {
    const uint32_t word = (uint32_t{data[i]} << 8) | (i + 1 < data.size() ? data[i + 1] : 0);
    a = (a + word) % 65535;
    b = (b + a) % 65535;
  }
  return static_cast<uint32_t>((b << 16) | a);
}

TEST(Hdf5ChecksumTest, Fletcher32AgreesWithTheModularDefinition) {
  std::mt19937 rng(5);
  for (size_t n : {0, 1, 2, 3, 719, 720, 721, 722, 1441, 5000}) {
    std::vector<uint8_t> data(n);
    for (auto& b : data) b = static_cast<uint8_t>(rng());
    const uint32_t got = Fletcher32(data);
    // HDF5's folding keeps 0xffff where the modular form has 0.
    auto fold = [](uint32_t v) { return (v & 0xffff) % 65535 | ((((v >> 16) % 65535)) << 16); };
    EXPECT_EQ(fold(got), ReferenceFletcher(data)) << n;
  }
}

TEST(Hdf5ChecksumTest, HalfFloatsDecodeExactly) {
  EXPECT_EQ(HalfToDouble(0x3c00), 1.0);
  EXPECT_EQ(HalfToDouble(0xc000), -2.0);
  EXPECT_EQ(HalfToDouble(0x7bff), 65504.0);
  EXPECT_EQ(HalfToDouble(0x0001), std::ldexp(1.0, -24));  // smallest subnormal
  EXPECT_EQ(HalfToDouble(0x0400), std::ldexp(1.0, -14));  // smallest normal
  EXPECT_TRUE(std::isinf(HalfToDouble(0x7c00)));
  EXPECT_TRUE(std::isnan(HalfToDouble(0x7e00)));
  EXPECT_TRUE(std::signbit(HalfToDouble(0x8000)));
}

}  // namespace
}  // namespace kgate::io::hdf5::internal
