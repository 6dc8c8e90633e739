// The .npy reader against hand-built files: the preamble, the header's
// padding and grammar, descrs, shapes and payload sizes.
#include <gtest/gtest.h>

#include "io/npy/npy.h"
#include "npy_test_util.h"

namespace kgate::io::npy::testing {
namespace {

using absl::StatusCode;

constexpr std::string_view kMatrix = "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }";
const std::string kSixFloats(24, '\x01');

absl::Status ParseStatus(const std::vector<uint8_t>& bytes, const Limits& limits = {}) {
  return Parse(bytes, limits).status();
}

TEST(NpyParseTest, CanonicalHeader) {
  absl::StatusOr<Array> a = Parse(MakeNpy(kMatrix, kSixFloats));
  ASSERT_TRUE(a.ok()) << a.status();
  EXPECT_EQ(a->dtype, util::DType::kFloat32);
  EXPECT_EQ(a->shape, (std::vector<int64_t>{2, 3}));
  EXPECT_EQ(a->NumElements(), 6u);
  EXPECT_EQ(a->data, std::vector<uint8_t>(24, 1));
}

TEST(NpyParseTest, GrammarVariantsNumPyAccepts) {
  const std::vector<std::string> dicts = {
      "{'shape': (2, 3), 'fortran_order': False, 'descr': '<f4'}",
      "{\"descr\": \"<f4\", \"fortran_order\": False, \"shape\": (2,3)}",
      "{ 'descr' : '<f4' , 'fortran_order' : False , 'shape' : ( 2 , 3 , ) , }",
      "{'descr':'<f4','fortran_order':False,'shape':(2,3),}",
  };
  for (const std::string& d : dicts) {
    absl::StatusOr<Array> a = Parse(MakeNpy(d, kSixFloats));
    ASSERT_TRUE(a.ok()) << d << ": " << a.status();
    EXPECT_EQ(a->shape, (std::vector<int64_t>{2, 3})) << d;
  }
}

TEST(NpyParseTest, ShapesScalarEmptyAndOneDim) {
  absl::StatusOr<Array> scalar = Parse(MakeNpy("{'descr': '<f8', 'fortran_order': False, 'shape': (), }", "12345678"));
  ASSERT_TRUE(scalar.ok()) << scalar.status();
  EXPECT_TRUE(scalar->shape.empty());
  EXPECT_EQ(scalar->NumElements(), 1u);
  EXPECT_EQ(scalar->data.size(), 8u);
  absl::StatusOr<Array> empty = Parse(MakeNpy("{'descr': '<i8', 'fortran_order': False, 'shape': (0,), }", ""));
  ASSERT_TRUE(empty.ok()) << empty.status();
  EXPECT_EQ(empty->NumElements(), 0u);
  absl::StatusOr<Array> zero_inner =
      Parse(MakeNpy("{'descr': '|u1', 'fortran_order': False, 'shape': (9223372036854775807, 0), }", ""));
  ASSERT_TRUE(zero_inner.ok()) << zero_inner.status();
  EXPECT_EQ(zero_inner->shape[0], INT64_MAX);
  EXPECT_EQ(zero_inner->NumElements(), 0u);
  // NumPy refuses this one ("array is too big"): 8 * (2^63 - 1) bytes.
  EXPECT_TRUE(IsError(
      ParseStatus(MakeNpy("{'descr': '<i8', 'fortran_order': False, 'shape': (9223372036854775807, 0), }", "")),
      StatusCode::kInvalidArgument, "of int64 needs more than 2^63 - 1 bytes"));
  absl::StatusOr<Array> vec = Parse(MakeNpy("{'descr': '|u1', 'fortran_order': False, 'shape': (5,), }", "abcde"));
  ASSERT_TRUE(vec.ok()) << vec.status();
  EXPECT_EQ(vec->dtype, util::DType::kUInt8);
}

TEST(NpyParseTest, FormatVersions) {
  for (int major : {2, 3}) {
    absl::StatusOr<Array> a = Parse(MakeNpy(kMatrix, kSixFloats, major));
    ASSERT_TRUE(a.ok()) << major << ": " << a.status();
    EXPECT_EQ(a->shape, (std::vector<int64_t>{2, 3}));
  }
  std::vector<uint8_t> bytes = MakeNpy(kMatrix, kSixFloats);
  for (auto [major, minor] : std::vector<std::pair<int, int>>{{0, 0}, {4, 0}, {1, 1}, {2, 5}, {255, 0}}) {
    bytes[6] = static_cast<uint8_t>(major);
    bytes[7] = static_cast<uint8_t>(minor);
    EXPECT_TRUE(IsError(ParseStatus(bytes), StatusCode::kInvalidArgument,
                        "unsupported format version " + std::to_string(major) + "." + std::to_string(minor)));
  }
}

TEST(NpyParseTest, HeaderAlignedTo16IsAccepted) {
  // Old NumPy (< 1.14) padded to 16 bytes; its reader never checked.
  EXPECT_TRUE(Parse(MakeNpy(kMatrix, kSixFloats, 1, 16)).ok());
  std::vector<uint8_t> unaligned = MakeNpy(kMatrix, kSixFloats, 1, 1);
  ASSERT_NE((unaligned.size() - 24) % 16, 0u);
  EXPECT_TRUE(IsError(ParseStatus(unaligned), StatusCode::kInvalidArgument, "not a multiple of 16"));
}

TEST(NpyParseTest, TruncatedAtEveryLength) {
  const std::vector<uint8_t> bytes = MakeNpy(kMatrix, kSixFloats);
  for (size_t n = 0; n < bytes.size(); ++n) {
    absl::Status s = ParseStatus({bytes.begin(), bytes.begin() + n});
    ASSERT_FALSE(s.ok()) << n;
    EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << n << ": " << s;
  }
  EXPECT_TRUE(IsError(ParseStatus({bytes.begin(), bytes.begin() + 5}), StatusCode::kInvalidArgument,
                      "file is 5 bytes, too short for the 10-byte preamble"));
  EXPECT_TRUE(IsError(ParseStatus({bytes.begin(), bytes.begin() + 40}), StatusCode::kInvalidArgument,
                      "header length 118 at offset 8 runs past the end of the 40-byte file"));
  EXPECT_TRUE(IsError(ParseStatus({bytes.begin(), bytes.end() - 1}), StatusCode::kInvalidArgument,
                      "needs 24 bytes of data but the file has 23 after the header at offset 128 (truncated)"));
}

TEST(NpyParseTest, TrailingBytesAreRefused) {
  std::vector<uint8_t> bytes = MakeNpy(kMatrix, kSixFloats + "x");
  EXPECT_TRUE(IsError(ParseStatus(bytes), StatusCode::kInvalidArgument, "the file has 25 after the header"));
  EXPECT_TRUE(IsError(ParseStatus(bytes), StatusCode::kInvalidArgument, "(trailing bytes)"));
}

TEST(NpyParseTest, BadMagic) {
  std::vector<uint8_t> bytes = MakeNpy(kMatrix, kSixFloats);
  bytes[0] = 'N';
  EXPECT_TRUE(IsError(ParseStatus(bytes), StatusCode::kInvalidArgument, "does not start with \\x93NUMPY"));
}

TEST(NpyParseTest, HeaderLengthCapAtNAndNPlusOne) {
  const std::vector<uint8_t> bytes = MakeNpy(kMatrix, kSixFloats);
  Limits limits;
  limits.max_header_bytes = 118;
  EXPECT_TRUE(Parse(bytes, limits).ok());
  limits.max_header_bytes = 117;
  EXPECT_TRUE(IsError(ParseStatus(bytes, limits), StatusCode::kResourceExhausted,
                      "header length 118 exceeds the cap of 117 bytes"));
  // A 4 GiB header length in format 2.0 is refused before anything is read.
  std::vector<uint8_t> v2 = MakeNpy(kMatrix, kSixFloats, 2);
  v2[8] = v2[9] = v2[10] = v2[11] = 0xFF;
  EXPECT_TRUE(IsError(ParseStatus(v2), StatusCode::kResourceExhausted, "header length 4294967295 exceeds"));
}

TEST(NpyParseTest, HeaderMustEndWithNewline) {
  std::vector<uint8_t> bytes = MakeNpy(kMatrix, kSixFloats);
  bytes[127] = ' ';
  EXPECT_TRUE(IsError(ParseStatus(bytes), StatusCode::kInvalidArgument, "does not end with '\\n'"));
}

struct GrammarCase {
  std::string dict;
  std::string message;
};

TEST(NpyParseTest, GrammarErrors) {
  const std::vector<GrammarCase> cases = {
      {"['descr', '<f4']", "expected '{' opening the header dictionary, found '['"},
      {"{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), 'extra': 1}", "unexpected key 'extra'"},
      {"{'descr': '<f4', 'descr': '<f4', 'fortran_order': False, 'shape': (2, 3)}", "duplicate key 'descr'"},
      {"{'descr': '<f4', 'shape': (2, 3)}", "missing key 'fortran_order'"},
      {"{'fortran_order': False, 'shape': (2, 3)}", "missing key 'descr'"},
      {"{}", "missing key 'descr'"},
      {"{'descr': '<f4', 'fortran_order': 0, 'shape': (2, 3)}", "'fortran_order' must be True or False, found '0'"},
      {"{'descr': '<f4', 'fortran_order': false, 'shape': (2, 3)}", "must be True or False"},
      {"{'descr': '<f4', 'fortran_order': False, 'shape': [2, 3]}", "'shape' must be a tuple, found '['"},
      {"{'descr': '<f4', 'fortran_order': False, 'shape': (6)}", "'shape' (6) is a number in parentheses, not a tuple"},
      {"{'descr': '<f4', 'fortran_order': False, 'shape': (-2, -3)}", "negative dimension in 'shape'"},
      {"{'descr': '<f4', 'fortran_order': False, 'shape': (02, 3)}", "dimension with a leading zero"},
      {"{'descr': '<f4', 'fortran_order': False, 'shape': (9223372036854775808,)}", "dimension larger than 2^63 - 1"},
      {"{'descr': '<f4', 'fortran_order': False, 'shape': (2.0, 3)}", "expected ',' or ')' in 'shape', found '.'"},
      {"{'descr': '<f4', 'fortran_order': False, 'shape': (2,, 3)}", "expected a dimension (an integer), found ','"},
      {"{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3L)}", "expected ',' or ')' in 'shape', found 'L'"},
      {"{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3)", "expected ',' or '}' after the value of 'shape'"},
      {"{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3)} x", "expected only spaces and a final '\\n'"},
      {"{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3)}}", "expected only spaces"},
      {"{'descr': '<f4' 'fortran_order': False, 'shape': (2, 3)}", "expected ',' or '}' after the value of 'descr'"},
      {"{'descr' '<f4', 'fortran_order': False, 'shape': (2, 3)}", "expected ':' after the key 'descr'"},
      {"{descr: '<f4', 'fortran_order': False, 'shape': (2, 3)}", "expected a key (a quoted string), found 'd'"},
      {"{'descr': '<f4\\x00', 'fortran_order': False, 'shape': (2, 3)}", "escape sequences are not allowed"},
      {"{'descr': '<f4, 'fortran_order': False, 'shape': (2, 3)}", "expected ',' or '}' after the value of 'descr'"},
      {"{'descr': '" + std::string(100, 'f') + "', 'fortran_order': False, 'shape': (2, 3)}",
       "string longer than 64 bytes"},
      {"{'descr': '<f4',\t'fortran_order': False, 'shape': (2, 3)}", "expected a key (a quoted string), found byte 0x09"},
      {"{'descr': '<f\xc3\xa9', 'fortran_order': False, 'shape': (2, 3)}", "unexpected byte 0xc3 in a header string"},
      {"{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (2,)}",
       "'descr' is a list: structured (record) dtypes are not supported"},
      {"{'descr': '<f4', 'fortran_order': True, 'shape': (2, 3)}", "'fortran_order' is True"},
  };
  for (const GrammarCase& c : cases) {
    EXPECT_TRUE(IsError(ParseStatus(MakeNpy(c.dict, kSixFloats)), StatusCode::kInvalidArgument, c.message))
        << c.dict;
  }
}

TEST(NpyParseTest, ErrorsNameTheByteOffset) {
  EXPECT_TRUE(IsError(ParseStatus(MakeNpy("{'descr': '<f4', 'fortran_order': Nope}", kSixFloats)),
                      StatusCode::kInvalidArgument, "npy: header at byte 44: 'fortran_order' must be True or False"));
}

TEST(NpyParseTest, RankCapAtNAndNPlusOne) {
  auto ones = [](int rank) {
    std::string shape = "(";
    for (int i = 0; i < rank; ++i) shape += "1, ";
    return "{'descr': '<f4', 'fortran_order': False, 'shape': " + shape + "), }";
  };
  Limits limits;
  limits.max_rank = 4;
  EXPECT_TRUE(Parse(MakeNpy(ones(4), "abcd"), limits).ok());
  EXPECT_TRUE(IsError(ParseStatus(MakeNpy(ones(5), "abcd"), limits), StatusCode::kResourceExhausted,
                      "'shape' has more than 4 dimensions"));
}

struct DescrCase {
  std::string descr;
  std::string message;
};

TEST(NpyParseTest, RefusedDescrs) {
  const std::vector<DescrCase> cases = {
      {">f4", "'descr' '>f4': big-endian data is not supported"},
      {">i1", "big-endian"},
      {"|O", "'descr' '|O': object arrays are Python pickles and are never loaded"},
      {"<U3", "string dtypes are not supported"},
      {"|S2", "string dtypes are not supported"},
      {"|V8", "void / structured dtypes are not supported"},
      {"<c8", "complex dtypes are not supported"},
      {"<M8[s]", "datetime and timedelta dtypes are not supported"},
      {"<m8[ns]", "datetime and timedelta"},
      {"=f4", "byte order must be explicit"},
      {"<i1", "a single-byte type has no byte order; NumPy writes '|i1'"},
      {"<b1", "NumPy writes '|b1'"},
      {"|f4", "a multi-byte type needs a byte order; NumPy writes '<f4'"},
      {"<f16", "unsupported dtype"},
      {"<q", "unsupported dtype"},
      {"f4", "unsupported dtype"},
      {"", "not a NumPy dtype descriptor"},
  };
  for (const DescrCase& c : cases) {
    const std::string dict = "{'descr': '" + c.descr + "', 'fortran_order': False, 'shape': (2, 3), }";
    EXPECT_TRUE(IsError(ParseStatus(MakeNpy(dict, kSixFloats)), StatusCode::kInvalidArgument, c.message))
        << c.descr;
  }
}

TEST(NpyParseTest, EveryAcceptedDescr) {
  const std::vector<std::pair<std::string, util::DType>> cases = {
      {"|b1", util::DType::kBool},    {"|i1", util::DType::kInt8},    {"|u1", util::DType::kUInt8},
      {"<i2", util::DType::kInt16},   {"<u2", util::DType::kUInt16},  {"<i4", util::DType::kInt32},
      {"<u4", util::DType::kUInt32},  {"<i8", util::DType::kInt64},   {"<u8", util::DType::kUInt64},
      {"<f2", util::DType::kFloat16}, {"<f4", util::DType::kFloat32}, {"<f8", util::DType::kFloat64}};
  for (const auto& [descr, dtype] : cases) {
    const size_t size = util::DTypeSize(dtype);
    const std::string dict = "{'descr': '" + descr + "', 'fortran_order': False, 'shape': (3,), }";
    absl::StatusOr<Array> a = Parse(MakeNpy(dict, std::string(3 * size, '\0')));
    ASSERT_TRUE(a.ok()) << descr << ": " << a.status();
    EXPECT_EQ(a->dtype, dtype) << descr;
    EXPECT_EQ(a->data.size(), 3 * size);
    // One byte short and one byte long.
    EXPECT_FALSE(Parse(MakeNpy(dict, std::string(3 * size - 1, '\0'))).ok()) << descr;
    EXPECT_FALSE(Parse(MakeNpy(dict, std::string(3 * size + 1, '\0'))).ok()) << descr;
  }
}

TEST(NpyParseTest, ElementCountOverflow) {
  // As in NumPy, zero dimensions do not hide an overflowing product.
  EXPECT_TRUE(IsError(ParseStatus(MakeNpy(
                          "{'descr': '|u1', 'fortran_order': False, 'shape': (4294967296, 0, 4294967296), }", "")),
                      StatusCode::kInvalidArgument, "has more elements than fit in 64 bits"));
  EXPECT_TRUE(IsError(ParseStatus(MakeNpy(
                          "{'descr': '|u1', 'fortran_order': False, 'shape': (4294967296, 4294967296), }", "")),
                      StatusCode::kInvalidArgument, "has more elements than fit in 64 bits"));
  EXPECT_TRUE(IsError(ParseStatus(MakeNpy(
                          "{'descr': '<f8', 'fortran_order': False, 'shape': (4611686018427387904,), }", "")),
                      StatusCode::kInvalidArgument, "of float64 needs more than 2^63 - 1 bytes"));
}

TEST(NpyParseTest, DataCapIsCheckedBeforeThePayload) {
  // A shape bomb: the header claims 4 TB and the file holds nothing.
  EXPECT_TRUE(IsError(ParseStatus(MakeNpy(
                          "{'descr': '<f4', 'fortran_order': False, 'shape': (1000000, 1000000), }", "")),
                      StatusCode::kResourceExhausted,
                      "shape (1000000, 1000000) of float32 needs 4000000000000 bytes, over the cap of 4294967296"));
  Limits limits;
  limits.max_data_bytes = 24;
  EXPECT_TRUE(Parse(MakeNpy(kMatrix, kSixFloats), limits).ok());
  limits.max_data_bytes = 23;
  EXPECT_TRUE(IsError(ParseStatus(MakeNpy(kMatrix, kSixFloats), limits), StatusCode::kResourceExhausted,
                      "needs 24 bytes, over the cap of 23"));
}

TEST(NpyParseTest, EveryByteFlipIsHandled) {
  const std::vector<uint8_t> bytes = MakeNpy(kMatrix, kSixFloats);
  for (size_t i = 0; i < bytes.size(); ++i) {
    for (uint8_t mask : {0x01, 0x20, 0x80}) {
      std::vector<uint8_t> flipped = bytes;
      flipped[i] ^= mask;
      absl::StatusOr<Array> a = Parse(flipped);
      if (a.ok()) {
        EXPECT_EQ(a->data.size(), a->NumElements() * util::DTypeSize(a->dtype)) << i;
      }
    }
  }
}

}  // namespace
}  // namespace kgate::io::npy::testing
