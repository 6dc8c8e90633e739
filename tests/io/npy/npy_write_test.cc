// The .npy writer: layout, round trips, format 2.0, refusals, files.
#include <gtest/gtest.h>

#include <cstdio>
#include <cstring>
#include <fstream>

#include "io/npy/npy.h"
#include "npy_test_util.h"
#include "util/strings.h"

namespace kgate::io::npy::testing {
namespace {

Array Make(util::DType dtype, std::vector<int64_t> shape) {
  Array a;
  a.dtype = dtype;
  a.shape = std::move(shape);
  a.data.resize(a.NumElements() * util::DTypeSize(dtype));
  for (size_t i = 0; i < a.data.size(); ++i) a.data[i] = static_cast<uint8_t>(i * 37 + 11);
  return a;
}

TEST(NpyWriteTest, LayoutMatchesNumPy) {
  const std::vector<uint8_t> bytes = Serialize(Make(util::DType::kFloat32, {2, 3}));
  ASSERT_EQ(bytes.size(), 128u + 24);
  EXPECT_EQ(std::memcmp(bytes.data(), "\x93NUMPY\x01\x00", 8), 0);
  EXPECT_EQ(bytes[8] | (bytes[9] << 8), 118);
  const std::string header(bytes.begin() + 10, bytes.begin() + 128);
  EXPECT_EQ(header.substr(0, 59), "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }");
  EXPECT_EQ(header.back(), '\n');
  EXPECT_EQ(header.find_first_not_of(' ', 59), header.size() - 1);
}

TEST(NpyWriteTest, RoundTripsEveryDtypeAndShape) {
  for (util::DType dtype : {util::DType::kBool, util::DType::kInt8, util::DType::kUInt8, util::DType::kInt16,
                            util::DType::kUInt16, util::DType::kInt32, util::DType::kUInt32, util::DType::kInt64,
                            util::DType::kUInt64, util::DType::kFloat16, util::DType::kFloat32,
                            util::DType::kFloat64}) {
    for (const std::vector<int64_t>& shape : std::vector<std::vector<int64_t>>{
             {}, {0}, {1}, {7}, {2, 3}, {4, 0, 2}, {1, 1, 1, 1, 3}, {1000000000000, 0}}) {
      const Array a = Make(dtype, shape);
      const std::vector<uint8_t> bytes = Serialize(a);
      ASSERT_FALSE(bytes.empty());
      EXPECT_EQ((bytes.size() - a.data.size()) % 64, 0u) << "data must start 64-byte aligned";
      absl::StatusOr<Array> back = Parse(bytes);
      ASSERT_TRUE(back.ok()) << util::DTypeName(dtype) << ": " << back.status();
      EXPECT_EQ(back->dtype, dtype);
      EXPECT_EQ(back->shape, shape);
      EXPECT_EQ(back->data, a.data);
      MaybeExport(util::StrCat("written_", util::DTypeName(dtype), "_rank", shape.size(), "_", a.NumElements()), a);
    }
  }
}

TEST(NpyWriteTest, BFloat16IsWidenedToFloat32) {
  Array a;
  a.dtype = util::DType::kBFloat16;
  a.shape = {3};
  a.data = {0x80, 0x3f, 0x00, 0xc0, 0x49, 0x40};  // 1.0, -2.0, 3.140625
  absl::StatusOr<Array> back = Parse(Serialize(a));
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(back->dtype, util::DType::kFloat32);
  MaybeExport("written_bfloat16", a);
  float v[3];
  std::memcpy(v, back->data.data(), sizeof(v));
  EXPECT_EQ(v[0], 1.0f);
  EXPECT_EQ(v[1], -2.0f);
  EXPECT_EQ(v[2], 3.140625f);
}

TEST(NpyWriteTest, HugeHeadersUseFormat2) {
  // 22000 dimensions ("1, " each) do not fit a 16-bit header length.
  std::vector<int64_t> shape(22000, 1);
  const Array a = Make(util::DType::kInt8, shape);
  const std::vector<uint8_t> bytes = Serialize(a);
  ASSERT_GT(bytes.size(), 65536u);
  EXPECT_EQ(bytes[6], 2);
  EXPECT_EQ((bytes.size() - 1) % 64, 0u);
  Limits limits;
  limits.max_rank = 30000;
  limits.max_header_bytes = 1 << 20;
  absl::StatusOr<Array> back = Parse(bytes, limits);
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(back->shape, shape);
  EXPECT_TRUE(IsError(Parse(bytes).status(), absl::StatusCode::kResourceExhausted, "exceeds the cap of 65536"));
}

TEST(NpyWriteTest, UnwritableArrays) {
  Array strings;
  strings.dtype = util::DType::kString;
  strings.shape = {1};
  EXPECT_TRUE(Serialize(strings).empty());
  const std::string dir = ::testing::TempDir();
  EXPECT_TRUE(IsError(WriteFile(dir + "/s.npy", strings), absl::StatusCode::kInvalidArgument,
                      "string arrays cannot be written"));
  Array wrong = Make(util::DType::kFloat32, {2, 2});
  wrong.data.pop_back();
  EXPECT_TRUE(Serialize(wrong).empty());
  EXPECT_TRUE(IsError(WriteFile(dir + "/w.npy", wrong), absl::StatusCode::kInvalidArgument,
                      "array of float32 with shape (2, 2) holds 15 bytes of data"));
  Array negative = Make(util::DType::kFloat32, {});
  negative.shape = {-1};
  EXPECT_EQ(negative.NumElements(), 0u);
  EXPECT_TRUE(Serialize(negative).empty());
  Array overflow;
  overflow.dtype = util::DType::kUInt8;
  overflow.shape = {INT64_MAX, INT64_MAX};
  EXPECT_EQ(overflow.NumElements(), 0u);
  EXPECT_TRUE(Serialize(overflow).empty());
}

TEST(NpyWriteTest, WriteFileAndReadFile) {
  const std::string path = ::testing::TempDir() + "/kgate_npy_write_test.npy";
  const Array a = Make(util::DType::kInt32, {3, 4});
  ASSERT_TRUE(WriteFile(path, a).ok());
  absl::StatusOr<Array> back = ReadFile(path);
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(back->data, a.data);
  // Overwrites (truncates) an existing file.
  const Array small = Make(util::DType::kInt8, {2});
  ASSERT_TRUE(WriteFile(path, small).ok());
  EXPECT_EQ(ReadFile(path)->shape, (std::vector<int64_t>{2}));
  std::remove(path.c_str());
  EXPECT_FALSE(ReadFile(path).ok());
  EXPECT_FALSE(WriteFile(::testing::TempDir() + "/no/such/dir/x.npy", a).ok());
}

TEST(NpyWriteTest, ReadFileNamesThePath) {
  const std::string path = ::testing::TempDir() + "/kgate_npy_bad.npy";
  {
    std::ofstream out(path, std::ios::binary);
    out << "not an npy file at all";
  }
  EXPECT_TRUE(IsError(ReadFile(path).status(), absl::StatusCode::kInvalidArgument,
                      path + ": npy: not a .npy file"));
  { std::ofstream truncate(path, std::ios::binary | std::ios::trunc); }
  EXPECT_TRUE(IsError(ReadFile(path).status(), absl::StatusCode::kInvalidArgument,
                      path + ": npy: file is 0 bytes, too short"));
  std::remove(path.c_str());
}

}  // namespace
}  // namespace kgate::io::npy::testing
