// The observe stage through the Router (no sockets): request metrics after
// good and refused requests, GET /metrics, request ids, audit lines for
// refusals (rules, digest of the body, never the body), the HTTP server's own
// refusals through Router::Refuse, and gzip request bodies.
#include <zlib.h>

#include <filesystem>
#include <set>
#include <fstream>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "io/json/json.h"
#include "observe/audit_log.h"
#include "serve/content_encoding.h"
#include "serve/error_response.h"
#include "serve/request_observer.h"
#include "serve/router.h"
#include "serve/serve_metrics.h"
#include "test_model.h"
#include "trust/digest.h"
#include "util/strings.h"

namespace kgate::serve {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kGoodInfer[] =
    R"({"inputs":[{"name":"image","shape":[1,8,8,2],"datatype":"FP32","data":[)"
    R"(0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,)"
    R"(0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0]},)"
    R"({"name":"features","shape":[1,5],"datatype":"FP32","data":[1,2,3,4,5]}]})";
// A distinctive value that must never reach the audit log.
constexpr char kBadInfer[] =
    R"({"inputs":[{"name":"features","shape":[1,3],"datatype":"FP32","data":[123456789,2,3]}]})";

class ObserveTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    repo_ = new ModelRepository();
    std::shared_ptr<const engine::Model> model = testing::LoadFixture("tests/fixtures/models/multi_io.keras");
    ASSERT_NE(model, nullptr);
    ASSERT_TRUE(repo_->Add("m", 2, "multi_io.keras", model).ok());
  }
  static void TearDownTestSuite() { delete repo_; }

  void SetUp() override {
    dir_ = fs::path(::testing::TempDir()) /
           util::StrCat("observe_", ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    metrics_ = *ServeMetrics::Register(registry_);
    audit_ = *observe::AuditLog::Open({.path = (dir_ / "audit.log").string()}, &registry_);
    ServeOptions options;
    options.metrics = metrics_.get();
    options.audit_log = audit_.get();
    router_ = std::make_unique<Router>(*repo_, options);
  }
  void TearDown() override {
    router_.reset();
    audit_.reset();
    fs::remove_all(dir_);
  }

  HttpResponse Call(const std::string& method, const std::string& target, const std::string& body = "") {
    HttpRequest request{method, target, body, std::nullopt};
    request.client = "192.0.2.7";
    return router_->Handle(request);
  }

  std::vector<io::json::Value> AuditLines() {
    audit_->Flush();
    std::ifstream in(dir_ / "audit.log");
    std::vector<io::json::Value> out;
    for (std::string line; std::getline(in, line);) {
      EXPECT_THAT(line, Not(HasSubstr("123456789"))) << "raw input in the audit log";
      absl::StatusOr<io::json::Value> v = io::json::Parse(line);
      EXPECT_TRUE(v.ok()) << line;
      if (v.ok()) out.push_back(*std::move(v));
    }
    return out;
  }

  static ModelRepository* repo_;
  fs::path dir_;
  observe::Registry registry_;
  std::unique_ptr<ServeMetrics> metrics_;
  std::unique_ptr<observe::AuditLog> audit_;
  std::unique_ptr<Router> router_;
};

ModelRepository* ObserveTest::repo_ = nullptr;

TEST_F(ObserveTest, MetricsCountGoodAndRefusedRequests) {
  ASSERT_EQ(Call("POST", "/v2/models/m/infer", kGoodInfer).status, 200);
  ASSERT_EQ(Call("POST", "/v2/models/m/infer", kBadInfer).status, 400);
  ASSERT_EQ(Call("GET", "/v1/models/nope").status, 404);
  const HttpResponse page = Call("GET", "/metrics");
  ASSERT_EQ(page.status, 200);
  EXPECT_EQ(page.content_type, "text/plain; version=0.0.4; charset=utf-8");
  EXPECT_THAT(page.body, HasSubstr("kgate_requests_total{protocol=\"kserve\",model=\"m\",code=\"200\"} 1\n"));
  EXPECT_THAT(page.body, HasSubstr("kgate_requests_total{protocol=\"kserve\",model=\"m\",code=\"400\"} 1\n"));
  // An unknown model is never a label value.
  EXPECT_THAT(page.body, HasSubstr("kgate_requests_total{protocol=\"tfserving\",model=\"\",code=\"404\"} 1\n"));
  EXPECT_THAT(page.body, Not(HasSubstr("nope")));
  EXPECT_THAT(page.body, HasSubstr("kgate_input_refusals_total{model=\"m\",rule=\"missing_input\"} 1\n"));
  EXPECT_THAT(page.body, HasSubstr("kgate_inference_duration_seconds_count{model=\"m\"} 1\n"));
  EXPECT_THAT(page.body, HasSubstr("kgate_request_duration_seconds_count{protocol=\"kserve\"} 2\n"));
  EXPECT_THAT(page.body, HasSubstr("kgate_request_body_bytes_count{protocol=\"kserve\"} 2\n"));
  // The scrape itself is in flight while the page is made.
  EXPECT_THAT(page.body, HasSubstr("kgate_requests_in_flight 1\n"));
  EXPECT_THAT(Call("GET", "/metrics").body,
              HasSubstr("kgate_requests_total{protocol=\"metrics\",model=\"\",code=\"200\"} 1\n"));
  EXPECT_EQ(Call("POST", "/metrics", "x").status, 400);
}

TEST_F(ObserveTest, RefusalsAreAuditedWithRulesAndDigestNeverTheBody) {
  const HttpResponse bad = Call("POST", "/v2/models/m/infer", kBadInfer);
  ASSERT_EQ(bad.status, 400);
  ASSERT_EQ(Call("POST", "/v2/models/m/infer", kGoodInfer).status, 200);  // not audited
  ASSERT_EQ(Call("GET", "/v2/models/absent/ready").status, 404);
  const std::vector<io::json::Value> lines = AuditLines();
  ASSERT_EQ(lines.size(), 2u);
  const io::json::Value& first = lines[0];
  EXPECT_EQ(first.Find("event")->string(), "refusal");
  EXPECT_EQ(first.Find("client")->string(), "192.0.2.7");
  EXPECT_EQ(first.Find("protocol")->string(), "kserve");
  EXPECT_EQ(first.Find("model")->string(), "m");
  EXPECT_EQ(*first.Find("version")->number().integer, 2);
  EXPECT_EQ(*first.Find("status")->number().integer, 400);
  std::vector<std::string> rules;
  for (const io::json::Value& r : first.Find("rules")->array()) rules.push_back(r.string());
  EXPECT_THAT(rules, ::testing::UnorderedElementsAre("missing_input", "shape"));
  EXPECT_EQ(first.Find("input_sha256")->string(), trust::ToHex(trust::HashBytes(std::string(kBadInfer))));
  // The id in the reply is the id in the log.
  std::string reply_id;
  for (const auto& [name, value] : bad.headers) {
    if (name == "X-Request-Id") reply_id = value;
  }
  EXPECT_EQ(first.Find("request_id")->string(), reply_id);
  const io::json::Value& second = lines[1];
  EXPECT_TRUE(second.Find("model")->is_null());
  EXPECT_TRUE(second.Find("input_sha256")->is_null());
  EXPECT_EQ(second.Find("rules")->array()[0].string(), "not_found");
}

TEST_F(ObserveTest, RequestIdsAreUnique) {
  std::set<std::string> ids;
  for (int i = 0; i < 50; ++i) {
    const HttpResponse r = Call("GET", "/v2/health/live");
    ASSERT_FALSE(r.headers.empty());
    EXPECT_EQ(r.headers.back().first, "X-Request-Id");
    ids.insert(r.headers.back().second);
  }
  EXPECT_EQ(ids.size(), 50u);
}

TEST_F(ObserveTest, ServerRefusalsAreCountedAndAudited) {
  HttpRequest request{"POST", "/v1/models/m:predict", "", std::nullopt};
  request.client = "192.0.2.8";
  request.encoded = HttpRequest::Encoded{1000, std::string(64, 'b')};
  const HttpResponse r = router_->Refuse(request, 413, absl::InvalidArgumentError("too big"), "gzip_too_large");
  EXPECT_EQ(r.status, 413);
  EXPECT_THAT(r.body, HasSubstr("too big"));
  const std::vector<io::json::Value> lines = AuditLines();
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0].Find("rules")->array()[0].string(), "gzip_too_large");
  EXPECT_EQ(lines[0].Find("input_sha256")->string(), std::string(64, 'b'));
  EXPECT_EQ(*lines[0].Find("status")->number().integer, 413);
  EXPECT_THAT(registry_.Expose(), HasSubstr("kgate_requests_total{protocol=\"tfserving\",model=\"\",code=\"413\"} 1\n"));
}

TEST(RefusalRulesTest, NamedRulesAndCategories) {
  bool input = true;
  absl::Status s = absl::PermissionDeniedError("model not signed");
  s.SetPayload(kRefusalRulesPayloadUrl, absl::Cord("signature_missing,untrusted_key,signature_missing"));
  EXPECT_THAT(RefusalRules(s, 403, &input), ::testing::ElementsAre("signature_missing", "untrusted_key"));
  EXPECT_FALSE(input);
  EXPECT_THAT(RefusalRules(absl::DeadlineExceededError("late"), 504, &input),
              ::testing::ElementsAre("deadline_exceeded"));
  EXPECT_EQ(ProtocolOf("/v1/models/m:predict?x"), "tfserving");
  EXPECT_EQ(ProtocolOf("/v2"), "kserve");
  EXPECT_EQ(ProtocolOf("/v2x"), "other");
  EXPECT_EQ(ProtocolOf("/metrics?name[]=x"), "metrics");
}

std::string Gzip(const std::string& data, int level = 6) {
  z_stream s{};
  EXPECT_EQ(deflateInit2(&s, level, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY), Z_OK);
  std::string out(deflateBound(&s, data.size()) + 64, '\0');
  s.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  s.avail_in = static_cast<uInt>(data.size());
  s.next_out = reinterpret_cast<Bytef*>(out.data());
  s.avail_out = static_cast<uInt>(out.size());
  EXPECT_EQ(deflate(&s, Z_FINISH), Z_STREAM_END);
  out.resize(s.total_out);
  deflateEnd(&s);
  return out;
}

TEST(ContentEncodingTest, GzipRoundTripsIncludingSeveralMembers) {
  const std::string text = std::string(kGoodInfer) + std::string(200000, ' ');
  EXPECT_EQ(*DecodeBody("gzip", Gzip(text), {}), text);
  EXPECT_EQ(*DecodeBody(" X-GZIP ", Gzip("ab") + Gzip("cd"), {}), "abcd");
  EXPECT_TRUE(IsIdentityEncoding(""));
  EXPECT_TRUE(IsIdentityEncoding(" Identity"));
  EXPECT_FALSE(IsIdentityEncoding("gzip"));
}

TEST(ContentEncodingTest, BombsAreRefusedByTheBodyCapAndTheRatioCap) {
  const std::string zeros(uint64_t{8} << 20, '\0');
  const std::string bomb = Gzip(zeros, 9);  // ~8 KiB
  absl::StatusOr<std::string> r = DecodeBody("gzip", bomb, {.max_bytes = 1 << 20, .max_ratio = 100000});
  EXPECT_EQ(r.status().code(), absl::StatusCode::kResourceExhausted);
  EXPECT_THAT(r.status().message(), HasSubstr("1048576-byte body limit"));
  r = DecodeBody("gzip", bomb, {.max_bytes = 64 << 20, .max_ratio = 100});
  EXPECT_EQ(r.status().code(), absl::StatusCode::kResourceExhausted);
  EXPECT_THAT(r.status().message(), HasSubstr("decompression bomb"));
  // Under the ratio-free allowance, a body of zeros decodes whatever its ratio.
  const std::string small(kRatioFreeBytes, '\0');
  EXPECT_EQ(DecodeBody("gzip", Gzip(small, 9), {.max_bytes = 64 << 20, .max_ratio = 2})->size(), small.size());
  // Exactly at the body cap is fine; one byte over is not.
  EXPECT_TRUE(DecodeBody("gzip", Gzip(std::string(5000, 'a')), {.max_bytes = 5000}).ok());
  EXPECT_FALSE(DecodeBody("gzip", Gzip(std::string(5001, 'a')), {.max_bytes = 5000}).ok());
}

TEST(ContentEncodingTest, MalformedAndUnsupported) {
  const std::string good = Gzip("hello world");
  EXPECT_EQ(DecodeBody("br", good, {}).status().code(), absl::StatusCode::kUnimplemented);
  EXPECT_EQ(DecodeBody("gzip, gzip", good, {}).status().code(), absl::StatusCode::kUnimplemented);
  EXPECT_EQ(DecodeBody("deflate", good, {}).status().code(), absl::StatusCode::kUnimplemented);
  EXPECT_THAT(DecodeBody("gzip", good.substr(0, good.size() - 3), {}).status().message(), HasSubstr("truncated"));
  EXPECT_THAT(DecodeBody("gzip", "", {}).status().message(), HasSubstr("truncated"));
  EXPECT_EQ(DecodeBody("gzip", "not gzip at all", {}).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(DecodeBody("gzip", good + "trailing", {}).status().code(), absl::StatusCode::kInvalidArgument);
  std::string bad_crc = good;
  bad_crc[bad_crc.size() - 5] ^= 1;
  EXPECT_EQ(DecodeBody("gzip", bad_crc, {}).status().code(), absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace kgate::serve
