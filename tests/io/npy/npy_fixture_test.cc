// Files written by NumPy (tests/fixtures/npy/, tools/fixtures/make_npy_cases.py):
// kgate reads every one it supports, refuses the rest with a clear reason, and
// writes back exactly NumPy's bytes.
#include <gtest/gtest.h>

#include <cstring>
#include <fstream>
#include <iterator>

#include "io/npy/npy.h"
#include "npy_test_util.h"

namespace kgate::io::npy::testing {
namespace {

std::string FixturePath(const std::string& name) {
  return std::string(KGATE_SOURCE_DIR) + "/tests/fixtures/npy/" + name + ".npy";
}

std::vector<uint8_t> FileBytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  EXPECT_TRUE(in.good()) << path;
  return std::vector<uint8_t>(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// Element i as a double, for the dtypes whose values are easy to decode.
double ValueAt(const Array& a, size_t i) {
  auto get = [&](auto zero) {
    decltype(zero) v;
    std::memcpy(&v, a.data.data() + i * sizeof(v), sizeof(v));
    return static_cast<double>(v);
  };
  switch (a.dtype) {
    case util::DType::kBool: return get(uint8_t{});
    case util::DType::kInt8: return get(int8_t{});
    case util::DType::kUInt8: return get(uint8_t{});
    case util::DType::kInt16: return get(int16_t{});
    case util::DType::kUInt16: return get(uint16_t{});
    case util::DType::kInt32: return get(int32_t{});
    case util::DType::kUInt32: return get(uint32_t{});
    case util::DType::kInt64: return get(int64_t{});
    case util::DType::kUInt64: return get(uint64_t{});
    case util::DType::kFloat32: return get(float{});
    case util::DType::kFloat64: return get(double{});
    default: return -1;  // float16: checked through the byte-exact round trip
  }
}

TEST(NpyFixtureTest, EveryDtypeAndShapeFromNumPy) {
  const std::vector<std::pair<std::string, util::DType>> dtypes = {
      {"bool", util::DType::kBool},       {"int8", util::DType::kInt8},       {"uint8", util::DType::kUInt8},
      {"int16", util::DType::kInt16},     {"uint16", util::DType::kUInt16},   {"int32", util::DType::kInt32},
      {"uint32", util::DType::kUInt32},   {"int64", util::DType::kInt64},     {"uint64", util::DType::kUInt64},
      {"float16", util::DType::kFloat16}, {"float32", util::DType::kFloat32}, {"float64", util::DType::kFloat64}};
  const std::vector<std::pair<std::string, std::vector<int64_t>>> shapes = {
      {"scalar", {}}, {"empty", {0}}, {"vector", {5}}, {"matrix", {2, 3}}, {"zero_inner", {3, 0}}};
  int checked = 0;
  for (const auto& [dtype_name, dtype] : dtypes) {
    for (const auto& [shape_name, shape] : shapes) {
      const std::string name = dtype_name + "_" + shape_name;
      absl::StatusOr<Array> a = ReadFile(FixturePath(name));
      ASSERT_TRUE(a.ok()) << name << ": " << a.status();
      EXPECT_EQ(a->dtype, dtype) << name;
      EXPECT_EQ(a->shape, shape) << name;
      EXPECT_EQ(a->data.size(), a->NumElements() * util::DTypeSize(dtype)) << name;
      if (dtype != util::DType::kFloat16) {
        for (size_t i = 0; i < a->NumElements(); ++i) {
          EXPECT_EQ(ValueAt(*a, i), static_cast<double>(i % (dtype == util::DType::kBool ? 2 : 100))) << name;
        }
      }
      EXPECT_EQ(Serialize(*a), FileBytes(FixturePath(name))) << name << ": kgate must write NumPy's bytes";
      MaybeExport(name, *a);
      ++checked;
    }
  }
  EXPECT_EQ(checked, 60);
}

TEST(NpyFixtureTest, Float16Values) {
  absl::StatusOr<Array> a = ReadFile(FixturePath("float16_vector"));
  ASSERT_TRUE(a.ok()) << a.status();
  // 0, 1, 2, 3, 4 as IEEE half: 0x0000, 0x3c00, 0x4000, 0x4200, 0x4400.
  const std::vector<uint8_t> expected = {0x00, 0x00, 0x00, 0x3c, 0x00, 0x40, 0x00, 0x42, 0x00, 0x44};
  EXPECT_EQ(a->data, expected);
}

TEST(NpyFixtureTest, FormatVersions2And3) {
  const std::vector<uint8_t> v1 = FileBytes(FixturePath("float32_matrix"));
  for (const char* name : {"v2_float32", "v3_float32"}) {
    absl::StatusOr<Array> a = ReadFile(FixturePath(name));
    ASSERT_TRUE(a.ok()) << name << ": " << a.status();
    EXPECT_EQ(a->shape, (std::vector<int64_t>{2, 3}));
    EXPECT_EQ(ValueAt(*a, 5), 5.0);
    EXPECT_EQ(Serialize(*a), v1) << "kgate writes format 1.0 whenever the header fits";
  }
}

TEST(NpyFixtureTest, RankCapAndLongDimensions) {
  absl::StatusOr<Array> rank32 = ReadFile(FixturePath("rank32"));
  ASSERT_TRUE(rank32.ok()) << rank32.status();
  EXPECT_EQ(rank32->shape.size(), 32u);
  EXPECT_TRUE(IsError(ReadFile(FixturePath("rank33")).status(), absl::StatusCode::kResourceExhausted,
                      "'shape' has more than 32 dimensions"));
  Limits limits;
  limits.max_rank = 64;
  EXPECT_TRUE(ReadFile(FixturePath("rank33"), limits).ok());
  for (const char* name : {"rank32", "long_dim"}) {
    absl::StatusOr<Array> a = ReadFile(FixturePath(name), limits);
    ASSERT_TRUE(a.ok()) << name << ": " << a.status();
    EXPECT_EQ(Serialize(*a), FileBytes(FixturePath(name))) << name;
    MaybeExport(name, *a);
  }
}

TEST(NpyFixtureTest, RefusedFiles) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"reject_fortran", "'fortran_order' is True: only C-order arrays are supported"},
      {"reject_big_endian", "'descr' '>f4': big-endian"},
      {"reject_object", "'descr' '|O': object arrays are Python pickles"},
      {"reject_complex", "'descr' '<c8': complex"},
      {"reject_unicode", "'descr' '<U2': string dtypes"},
      {"reject_bytes", "'descr' '|S2': string dtypes"},
      {"reject_structured", "structured (record) dtypes are not supported"},
      {"reject_datetime", "'descr' '<M8[s]': datetime"},
  };
  for (const auto& [name, message] : cases) {
    absl::Status s = ReadFile(FixturePath(name)).status();
    EXPECT_TRUE(IsError(s, absl::StatusCode::kInvalidArgument, message)) << name;
    EXPECT_TRUE(IsError(s, absl::StatusCode::kInvalidArgument, FixturePath(name) + ": npy: ")) << name;
  }
}

}  // namespace
}  // namespace kgate::io::npy::testing
