// Input validation against a schema: every rule refuses, nothing is coerced,
// and a declared shape never sizes memory by itself.
#include <cmath>
#include <cstring>
#include <limits>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "io/json/json.h"
#include "serve/input_validation.h"
#include "serve/json_tensor.h"
#include "../schema/schema_test_util.h"
#include "validation_test_util.h"

namespace kgate::serve {
namespace {

using ::testing::HasSubstr;
using testing::JsonRequest;
using testing::Rules;
using schema::testing::Rule;

InputSchema TestSchema() {
  InputSchema schema;
  schema.inputs.push_back(Rule("f", util::DType::kFloat32, {graph::kUnknownDim, 3}));
  schema.inputs.push_back(Rule("i", util::DType::kInt32, {graph::kUnknownDim, 2}));
  schema.inputs.push_back(Rule("b", util::DType::kBool, {graph::kUnknownDim, 1}));
  return schema;
}

TEST(ValidateInputsTest, GoodRequestBecomesTensorsInModelOrder) {
  JsonRequest req;
  req.Add("b", "[[true],[false]]");
  req.Add("i", "[[1,-2147483648],[2147483647,0]]");
  req.Add("f", "[[0.5,1,-2],[3e2,0,1e-3]]");
  absl::StatusOr<std::vector<engine::HostTensor>> t = ValidateInputs(TestSchema(), req.inputs);
  ASSERT_TRUE(t.ok()) << t.status();
  ASSERT_EQ(t->size(), 3u);
  EXPECT_EQ((*t)[0].shape, (graph::Dims{2, 3}));
  EXPECT_FLOAT_EQ((*t)[0].buffer.f32()[3], 300.0f);
  EXPECT_EQ(static_cast<const int32_t*>((*t)[1].buffer.data())[1], std::numeric_limits<int32_t>::min());
  EXPECT_EQ(static_cast<const uint8_t*>((*t)[2].buffer.data())[0], 1);
}

TEST(ValidateInputsTest, NarrowingAndKindMismatchesAreRefusedNotCoerced) {
  JsonRequest req;
  req.Add("f", "[[1e39,\"2\",true]]");
  req.Add("i", "[[1.5,2147483648]]");
  req.Add("b", "[[1]]");
  const absl::Status s = ValidateInputs(TestSchema(), req.inputs).status();
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(Rules(s), ::testing::ElementsAre("f:range", "f:dtype", "f:dtype", "i:integer", "i:range", "b:dtype"));
}

TEST(ValidateInputsTest, MissingUnknownDuplicateShapeAndBatch) {
  JsonRequest req;
  req.Add("f", "[[1,2,3]]");
  req.Add("f", "[[1,2,3]]");
  req.Add("zz", "[1]");
  req.Add("i", "[[1,2],[3,4]]");
  const absl::Status s = ValidateInputs(TestSchema(), req.inputs).status();
  EXPECT_THAT(Rules(s), ::testing::ElementsAre("f:duplicate_input", "zz:unknown_input", "i:batch", "b:missing_input"));

  JsonRequest shape;
  shape.Add("f", "[[1,2]]");
  shape.Add("i", "[]");
  shape.Add("b", "[[[true]]]");
  EXPECT_THAT(Rules(ValidateInputs(TestSchema(), shape.inputs).status()),
              ::testing::ElementsAre("f:shape", "i:shape", "b:shape"));
}

TEST(ValidateInputsTest, DeclaredDtypeMustBeTheWireType) {
  JsonRequest req;
  req.Add("f", "[[1,2,3]]");
  req.Add("i", "[[1,2]]");
  req.Add("b", "[[true]]");
  req.inputs[0].declared = util::DType::kFloat64;
  const absl::Status s = ValidateInputs(TestSchema(), req.inputs).status();
  EXPECT_THAT(Rules(s), ::testing::ElementsAre("f:dtype"));
  EXPECT_THAT(std::string(s.message()), HasSubstr("expected FP32, got FP64"));
}

InputSchema FloatOnly() {
  InputSchema schema;
  schema.inputs.push_back(Rule("x", util::DType::kFloat32, {graph::kUnknownDim, 2, 2}));
  return schema;
}

TEST(ValidateInputsTest, BinaryNonFiniteValuesAreRefusedWithTheirIndex) {
  const float values[] = {1, std::numeric_limits<float>::quiet_NaN(), 3, -std::numeric_limits<float>::infinity()};
  std::string bytes(sizeof(values), '\0');
  std::memcpy(bytes.data(), values, sizeof(values));
  RequestInput in;
  in.name = "x";
  in.shape = {1, 2, 2};
  in.declared = util::DType::kFloat32;
  in.raw = bytes;
  const absl::Status s = ValidateInputs(FloatOnly(), {in}).status();
  EXPECT_THAT(Rules(s), ::testing::ElementsAre("x:finite", "x:finite"));
  EXPECT_THAT(std::string(s.message()), HasSubstr("at [0, 0, 1] finite"));

  InputSchema allow = FloatOnly();
  allow.inputs[0].require_finite = false;
  EXPECT_TRUE(ValidateInputs(allow, {in}).ok());
}

TEST(ValidateInputsTest, BinarySizeMustMatchAndHugeShapesAllocateNothing) {
  std::string bytes(16, '\0');
  RequestInput in;
  in.name = "x";
  in.declared = util::DType::kFloat32;
  in.raw = bytes;
  in.shape = {2, 2, 2};  // needs 32 bytes
  EXPECT_THAT(Rules(ValidateInputs(FloatOnly(), {in}).status()), ::testing::ElementsAre("x:binary_size"));
  in.shape = {int64_t{1} << 40, 2, 2};  // would be 16 TiB if a shape could size memory
  EXPECT_THAT(Rules(ValidateInputs(FloatOnly(), {in}).status()), ::testing::ElementsAre("x:binary_size"));
  in.shape = {int64_t{1} << 62, 2, 2};  // element count overflows int64
  EXPECT_THAT(Rules(ValidateInputs(FloatOnly(), {in}).status()), ::testing::ElementsAre("x:binary_size"));
}

TEST(ValidateInputsTest, ViolationsAreCapped) {
  std::vector<float> values(1000, std::numeric_limits<float>::quiet_NaN());
  std::string bytes(values.size() * sizeof(float), '\0');
  std::memcpy(bytes.data(), values.data(), bytes.size());
  RequestInput in;
  in.name = "x";
  in.shape = {250, 2, 2};
  in.declared = util::DType::kFloat32;
  in.raw = bytes;
  ValidationOptions options;
  options.max_violations = 10;
  EXPECT_EQ(Rules(ValidateInputs(FloatOnly(), {in}, options).status()).size(), 10u);
}

}  // namespace
}  // namespace kgate::serve
