// Routing and both protocols through the Router, on the multi-input fixture
// (no sockets): status, metadata, predict/infer, binary extension, refusals.
#include <cstring>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "io/json/json.h"
#include "serve/router.h"
#include "test_model.h"

namespace kgate::serve {
namespace {

using ::testing::HasSubstr;

class RouterTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    repo_ = new ModelRepository();
    std::shared_ptr<const engine::Model> model = testing::LoadFixture("tests/fixtures/models/multi_io.keras");
    ASSERT_NE(model, nullptr);
    ASSERT_TRUE(repo_->Add("m", 2, "multi_io.keras", model).ok());
    ASSERT_TRUE(repo_->Add("m", 5, "multi_io.keras", model).ok());
  }
  static void TearDownTestSuite() { delete repo_; }

  HttpResponse Call(const std::string& method, const std::string& target, const std::string& body = "",
                    std::optional<std::string> header_length = std::nullopt) {
    Router router(*repo_, ServeOptions{});
    return router.Handle(HttpRequest{method, target, body, std::move(header_length)});
  }

  static io::json::Value Json(const std::string& text) {
    absl::StatusOr<io::json::Value> v = io::json::Parse(text);
    EXPECT_TRUE(v.ok()) << v.status() << " in " << text.substr(0, 200);
    return v.ok() ? *std::move(v) : io::json::Value();
  }

  static ModelRepository* repo_;
};

ModelRepository* RouterTest::repo_ = nullptr;

constexpr char kColumns[] =
    R"({"inputs": {"features": [[1,2,3,4,5]], "image": [[[[0,0],[0,0],[0,0],[0,0],[0,0],[0,0],[0,0],[0,0]],)"
    R"([[0,0],[0,0],[0,0],[0,0],[0,0],[0,0],[0,0],[0,0]],[[0,0],[0,0],[0,0],[0,0],[0,0],[0,0],[0,0],[0,0]],)"
    R"([[0,0],[0,0],[0,0],[0,0],[0,0],[0,0],[0,0],[0,0]],[[0,0],[0,0],[0,0],[0,0],[0,0],[0,0],[0,0],[0,0]],)"
    R"([[0,0],[0,0],[0,0],[0,0],[0,0],[0,0],[0,0],[0,0]],[[0,0],[0,0],[0,0],[0,0],[0,0],[0,0],[0,0],[0,0]],)"
    R"([[0,0],[0,0],[0,0],[0,0],[0,0],[0,0],[0,0],[0,0]]]]}})";

TEST_F(RouterTest, HealthAndServerMetadata) {
  EXPECT_EQ(Call("GET", "/v2/health/live").status, 200);
  EXPECT_EQ(Call("GET", "/v2/health/ready").status, 200);
  EXPECT_EQ(Json(Call("GET", "/v2").body).Find("name")->string(), "kgate");
}

TEST_F(RouterTest, NewestVersionServesUnlessOneIsNamed) {
  const io::json::Value status = Json(Call("GET", "/v1/models/m").body);
  ASSERT_EQ(status.Find("model_version_status")->array().size(), 2u);
  EXPECT_EQ(status.Find("model_version_status")->array()[0].Find("version")->string(), "5");
  EXPECT_EQ(Json(Call("GET", "/v1/models/m/metadata").body).Find("model_spec")->Find("version")->string(), "5");
  EXPECT_EQ(Json(Call("GET", "/v1/models/m/versions/2/metadata").body).Find("model_spec")->Find("version")->string(),
            "2");
  EXPECT_EQ(Call("GET", "/v2/models/m/versions/2/ready").status, 200);
  EXPECT_EQ(Call("GET", "/v2/models/m/versions/3/ready").status, 404);
}

TEST_F(RouterTest, NamesAndVersionsOnlyMatchTheLoadedSet) {
  EXPECT_EQ(Call("GET", "/v1/models/x").status, 404);
  EXPECT_EQ(Call("GET", "/v1/models/m/versions/0").status, 400);
  EXPECT_EQ(Call("GET", "/v1/models/m/versions/02").status, 400);
  EXPECT_EQ(Call("GET", "/v1/models/m/versions/99999999999999999999").status, 400);
  EXPECT_EQ(Call("GET", "/v1/models/../../etc/passwd").status, 404);
  EXPECT_EQ(Call("GET", "/v2/models/m/versions").status, 404);
  EXPECT_EQ(Call("GET", "/").status, 404);
  EXPECT_EQ(Call("POST", "/v1/models/m:classify", "{}").status, 404);
  EXPECT_THAT(Call("GET", "/v1/models/m:predict").body, HasSubstr("takes POST"));
}

TEST_F(RouterTest, TfsColumnarPredictKeysOutputsByName) {
  const HttpResponse r = Call("POST", "/v1/models/m/versions/2:predict?x=1", kColumns);
  ASSERT_EQ(r.status, 200) << r.body;
  const io::json::Value outputs = *Json(r.body).Find("outputs");
  ASSERT_TRUE(outputs.is_object());
  EXPECT_EQ(outputs.Find("cls")->array()[0].array().size(), 3u);
  EXPECT_EQ(outputs.Find("reg")->array()[0].array().size(), 1u);
  EXPECT_EQ(outputs.Find("aux")->array()[0].array().size(), 2u);
}

TEST_F(RouterTest, TfsRequestShapeErrors) {
  EXPECT_THAT(Call("POST", "/v1/models/m:predict", R"({"instances": [[1]]})").body, HasSubstr("the model has 2 inputs"));
  EXPECT_THAT(Call("POST", "/v1/models/m:predict", R"({"instances": [], "inputs": {}})").body,
              HasSubstr("exactly one of"));
  EXPECT_THAT(Call("POST", "/v1/models/m:predict", R"({"instances": [1], "foo": 1})").body,
              HasSubstr("unknown request field 'foo'"));
  EXPECT_THAT(Call("POST", "/v1/models/m:predict", R"({"instances": [{"a": 1}, 2]})").body, HasSubstr("mixes"));
  EXPECT_THAT(Call("POST", "/v1/models/m:predict", R"({"instances": [{"a": 1}, {"b": 1}]})").body,
              HasSubstr("instance 1 names different inputs"));
  EXPECT_THAT(Call("POST", "/v1/models/m:predict", R"({"inputs": {"a": 1}, "inputs": {}})").body,
              HasSubstr("not valid JSON"));
}

std::string BinaryInfer(const std::string& extra_params, std::string* header) {
  const std::vector<float> image(1 * 8 * 8 * 2, 0.25f);
  const std::vector<float> features = {1, 2, 3, 4, 5};
  *header = R"({"id":"r1",)" + extra_params +
            R"("inputs":[{"name":"image","shape":[1,8,8,2],"datatype":"FP32","parameters":{"binary_data_size":512}},)"
            R"({"name":"features","shape":[1,5],"datatype":"FP32","parameters":{"binary_data_size":20}}]})";
  std::string body = *header;
  body.append(reinterpret_cast<const char*>(image.data()), image.size() * 4);
  body.append(reinterpret_cast<const char*>(features.data()), features.size() * 4);
  return body;
}

TEST_F(RouterTest, KServeBinaryInRequestAndReply) {
  std::string header;
  const std::string body = BinaryInfer(R"("parameters":{"binary_data_output":true},)", &header);
  const HttpResponse r = Call("POST", "/v2/models/m/infer", body, std::to_string(header.size()));
  ASSERT_EQ(r.status, 200) << r.body;
  ASSERT_EQ(r.headers.size(), 2u);
  EXPECT_EQ(r.headers[0].first, "Inference-Header-Content-Length");
  EXPECT_EQ(r.headers[1].first, "X-Request-Id");
  const size_t json_size = std::stoul(r.headers[0].second);
  const io::json::Value reply = Json(r.body.substr(0, json_size));
  EXPECT_EQ(reply.Find("id")->string(), "r1");
  EXPECT_EQ(reply.Find("model_version")->string(), "5");
  int64_t total = 0;
  for (const io::json::Value& o : reply.Find("outputs")->array()) {
    total += *o.Find("parameters")->Find("binary_data_size")->number().integer;
  }
  EXPECT_EQ(total, (3 + 1 + 2) * 4);
  EXPECT_EQ(r.body.size() - json_size, static_cast<size_t>(total));

  // The same request with JSON outputs gives the same numbers.
  const std::string json_out_body = BinaryInfer("", &header);
  const HttpResponse j = Call("POST", "/v2/models/m/infer", json_out_body, std::to_string(header.size()));
  ASSERT_EQ(j.status, 200) << j.body;
  const io::json::Value cls = Json(j.body).Find("outputs")->array()[0];
  float first_binary = 0;
  std::memcpy(&first_binary, r.body.data() + json_size, 4);
  EXPECT_EQ(static_cast<float>(cls.Find("data")->array()[0].number().value), first_binary);
}

TEST_F(RouterTest, KServeMalformedBinaryHeader) {
  std::string header;
  const std::string body = BinaryInfer("", &header);
  for (const std::string& bad : std::vector<std::string>{"", "x", "-5", "+5", "1e3", "99999999999999999999",
                                                           std::to_string(body.size() + 1)}) {
    const HttpResponse r = Call("POST", "/v2/models/m/infer", body, bad);
    EXPECT_EQ(r.status, 400) << bad;
    EXPECT_THAT(r.body, HasSubstr("Inference-Header-Content-Length")) << bad;
  }
  EXPECT_THAT(Call("POST", "/v2/models/m/infer", body.substr(0, body.size() - 1), std::to_string(header.size())).body,
              HasSubstr("only 19 bytes of binary data are left"));
  EXPECT_THAT(Call("POST", "/v2/models/m/infer", body + "xx", std::to_string(header.size())).body,
              HasSubstr("2 bytes of binary data follow"));
}

TEST_F(RouterTest, KServeJsonFlatOrNestedDataAndRequestedOutputs) {
  std::string image = "[";
  for (int i = 0; i < 128; ++i) image += i ? ",0.5" : "0.5";
  image += "]";
  const std::string req = R"({"inputs":[{"name":"image","shape":[1,8,8,2],"datatype":"FP32","data":)" + image +
                          R"(},{"name":"features","shape":[1,5],"datatype":"FP32","data":[[1,2,3,4,5]]}],)"
                          R"("outputs":[{"name":"aux"}]})";
  const HttpResponse r = Call("POST", "/v2/models/m/versions/2/infer", req);
  ASSERT_EQ(r.status, 200) << r.body;
  const io::json::Value outputs = *Json(r.body).Find("outputs");
  ASSERT_EQ(outputs.array().size(), 1u);
  EXPECT_EQ(outputs.array()[0].Find("name")->string(), "aux");
  EXPECT_EQ(outputs.array()[0].Find("data")->array().size(), 2u);

  EXPECT_THAT(Call("POST", "/v2/models/m/infer", R"({"inputs":[],"outputs":[{"name":"nope"}]})").body,
              HasSubstr("unknown output 'nope'"));
  EXPECT_THAT(Call("POST", "/v2/models/m/infer", R"({"inputs":[{"name":"image","shape":[1],"datatype":"FP99"}]})").body,
              HasSubstr("unknown datatype 'FP99'"));
}

}  // namespace
}  // namespace kgate::serve
