// JSON tensor codecs and the one error mapping.
#include <cmath>
#include <limits>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "io/json/json.h"
#include "serve/error_response.h"
#include "serve/input_validation.h"
#include "serve/json_tensor.h"
#include "schema/violations.h"

namespace kgate::serve {
namespace {

using ::testing::HasSubstr;

io::json::Value ParseOrDie(const std::string& text) {
  absl::StatusOr<io::json::Value> v = io::json::Parse(text);
  EXPECT_TRUE(v.ok()) << v.status();
  return v.ok() ? *std::move(v) : io::json::Value();
}

TEST(JsonTensorTest, FlattensNestedListsRowMajor) {
  const io::json::Value v = ParseOrDie("[[[1,2],[3,4],[5,6]],[[7,8],[9,10],[11,12]]]");
  RequestInput in;
  in.name = "x";
  schema::Violations violations;
  ASSERT_TRUE(FlattenValue(v, &in, &violations));
  EXPECT_EQ(in.shape, (graph::Dims{2, 3, 2}));
  ASSERT_EQ(in.json_values.size(), 12u);
  EXPECT_EQ(*in.json_values[5]->number().integer, 6);
  EXPECT_TRUE(violations.empty());
}

TEST(JsonTensorTest, RowsBecomeTheFirstDimension) {
  const io::json::Value a = ParseOrDie("[1,2,3]");
  const io::json::Value b = ParseOrDie("[4,5,6]");
  const io::json::Value* rows[] = {&a, &b};
  RequestInput in;
  schema::Violations violations;
  ASSERT_TRUE(FlattenRows(rows, &in, &violations));
  EXPECT_EQ(in.shape, (graph::Dims{2, 3}));
  EXPECT_EQ(*in.json_values[3]->number().integer, 4);
}

TEST(JsonTensorTest, RaggedNestingIsRefusedWithItsIndex) {
  for (const auto& [text, index] : std::vector<std::pair<std::string, std::vector<int64_t>>>{
           {"[[1,2],[3]]", {1}}, {"[[1,2],[3,[4]]]", {1, 1}}, {"[[1,2],3]", {1}}, {"[[[1]],[[2],[3]]]", {1}}}) {
    RequestInput in;
    in.name = "x";
    schema::Violations violations;
    EXPECT_FALSE(FlattenValue(ParseOrDie(text), &in, &violations)) << text;
    ASSERT_EQ(violations.list().size(), 1u) << text;
    EXPECT_EQ(violations.list()[0].rule, "ragged");
    EXPECT_EQ(violations.list()[0].index, index) << text;
  }
}

engine::HostTensor Floats(graph::Dims shape, std::initializer_list<float> values) {
  engine::HostTensor t = engine::HostTensor::Allocate(util::DType::kFloat32, std::move(shape));
  std::copy(values.begin(), values.end(), t.buffer.f32());
  return t;
}

TEST(JsonTensorTest, WritesShortestFloat32TextNestedAndFlat) {
  const engine::HostTensor t = Floats({2, 2}, {0.1f, -2.5f, 1e-7f, 3.4028235e38f});
  io::json::Writer nested;
  ASSERT_TRUE(WriteNested(t, "y", 0, 0, &nested).ok());
  EXPECT_EQ(nested.str(), "[[0.1,-2.5],[1e-07,3.4028235e+38]]");
  io::json::Writer row;
  ASSERT_TRUE(WriteNested(t, "y", 1, 2, &row).ok());
  EXPECT_EQ(row.str(), "[1e-07,3.4028235e+38]");
  io::json::Writer flat;
  ASSERT_TRUE(WriteFlat(t, "y", &flat).ok());
  EXPECT_EQ(flat.str(), "[0.1,-2.5,1e-07,3.4028235e+38]");
  // What is written reads back as the same float32.
  const io::json::Value back = ParseOrDie(flat.str());
  EXPECT_EQ(static_cast<float>(back.array()[2].number().value), 1e-7f);
}

TEST(JsonTensorTest, NonFiniteOutputIsAnInternalErrorNotNull) {
  const engine::HostTensor t = Floats({1, 2}, {1.0f, std::numeric_limits<float>::quiet_NaN()});
  io::json::Writer w;
  const absl::Status s = WriteFlat(t, "probs", &w);
  EXPECT_EQ(s.code(), absl::StatusCode::kInternal);
  EXPECT_THAT(std::string(s.message()), HasSubstr("output 'probs'"));
}

TEST(ErrorResponseTest, OneMappingForEveryCanonicalCode) {
  EXPECT_EQ(HttpStatusFor(absl::StatusCode::kInvalidArgument), 400);
  EXPECT_EQ(HttpStatusFor(absl::StatusCode::kUnauthenticated), 401);
  EXPECT_EQ(HttpStatusFor(absl::StatusCode::kPermissionDenied), 403);
  EXPECT_EQ(HttpStatusFor(absl::StatusCode::kNotFound), 404);
  EXPECT_EQ(HttpStatusFor(absl::StatusCode::kResourceExhausted), 429);
  EXPECT_EQ(HttpStatusFor(absl::StatusCode::kDeadlineExceeded), 504);
  EXPECT_EQ(HttpStatusFor(absl::StatusCode::kUnavailable), 503);
  EXPECT_EQ(HttpStatusFor(absl::StatusCode::kInternal), 500);
  EXPECT_EQ(HttpStatusFor(absl::StatusCode::kUnknown), 500);
  const HttpResponse busy = ErrorResponse(absl::ResourceExhaustedError("queue full"));
  EXPECT_EQ(busy.status, 429);
  EXPECT_EQ(busy.headers.at(0).first, "Retry-After");
}

TEST(ErrorResponseTest, InternalDetailStaysInTheLog) {
  const HttpResponse r = ErrorResponse(absl::InternalError("secret /path/model.keras detail"));
  EXPECT_EQ(r.status, 500);
  EXPECT_THAT(r.body, ::testing::Not(HasSubstr("secret")));
}

TEST(ErrorResponseTest, ViolationsAreSplicedIntoTheErrorObject) {
  schema::Violations violations(2);
  for (int i = 0; i < 5 && !violations.full(); ++i) {
    violations.Add(schema::Violation{"x", {0, i}, "finite", "a finite number", "NaN"});
  }
  const HttpResponse r = ErrorResponse(violations.ToStatus());
  EXPECT_EQ(r.status, 400);
  const io::json::Value body = ParseOrDie(r.body);
  EXPECT_THAT(body.Find("error")->string(), HasSubstr("input 'x' at [0, 0] finite"));
  EXPECT_EQ(body.Find("violations")->array().size(), 2u);
  EXPECT_TRUE(body.Find("truncated")->bool_value());
  const io::json::Value& first = body.Find("violations")->array()[0];
  EXPECT_EQ(first.Find("index")->array()[1].number().integer, 0);
  EXPECT_EQ(first.Find("actual")->string(), "NaN");
}

TEST(KServeDatatypeTest, NamesRoundTrip) {
  for (util::DType t : {util::DType::kFloat32, util::DType::kInt32, util::DType::kBool, util::DType::kInt64,
                        util::DType::kFloat16, util::DType::kString}) {
    EXPECT_EQ(ParseKServeDatatype(KServeDatatype(t)), t);
  }
  EXPECT_EQ(ParseKServeDatatype("float32"), std::nullopt);
}

}  // namespace
}  // namespace kgate::serve
