// The validate-output stage and image inputs through the Router (no
// sockets), on models built by real Keras (tests/fixtures/serve/, from
// tools/serve/make_serve_fixtures.py). Flag: the reply carries kgate_flags
// (TF Serving), parameters.kgate_flags (KServe) and X-Kgate-Flags, with the
// rows Keras's own outputs say break the rule. Reject: a 500 whose body says
// nothing of the output. Images: a PNG or JPEG sent as b64 or BYTES predicts
// what the model predicts on Pillow's decode of it; every bad image is
// refused with the step it failed, and the next good request is answered.
#include <zlib.h>

#include <cstring>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "io/json/json.h"
#include "io/npy/npy.h"
#include "serve/router.h"
#include "test_model.h"
#include "trust/base64.h"

namespace kgate::serve {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

io::json::Value Json(const std::string& text) {
  absl::StatusOr<io::json::Value> v = io::json::Parse(text);
  EXPECT_TRUE(v.ok()) << v.status() << " in " << text.substr(0, 300);
  return v.ok() ? *std::move(v) : io::json::Value();
}

io::npy::Array Npy(const std::string& relative) {
  absl::StatusOr<io::npy::Array> a = io::npy::ReadFile(testing::FixturePath(relative));
  EXPECT_TRUE(a.ok()) << a.status();
  return a.ok() ? *std::move(a) : io::npy::Array();
}

std::string Bytes(const std::string& relative) {
  std::ifstream f(testing::FixturePath(relative), std::ios::binary);
  EXPECT_TRUE(f.good()) << relative;
  return {std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>()};
}

std::shared_ptr<const ServedModel> Serve(const std::string& name, const std::string& fixture,
                                         const std::string& outputs_yaml_as_json,
                                         const schema::ImageSpec* image = nullptr) {
  std::shared_ptr<const engine::Model> model = testing::LoadFixture(fixture);
  EXPECT_NE(model, nullptr);
  auto config = std::make_shared<ModelConfig>();
  config->source = name + "/kgate.yaml";
  if (!outputs_yaml_as_json.empty()) {
    absl::StatusOr<schema::OutputSpec> spec = schema::ParseOutputSpec(Json(outputs_yaml_as_json), config->source);
    EXPECT_TRUE(spec.ok()) << spec.status();
    config->outputs = *spec;
  }
  absl::StatusOr<std::shared_ptr<const ServedModel>> served = MakeServedModel(name, 1, fixture, model, config);
  EXPECT_TRUE(served.ok()) << served.status();
  if (image == nullptr) return *served;
  ServedModel copy = **served;
  EXPECT_TRUE(schema::ApplyImageSpec(*image, config->source, "inputs.image.image", &copy.schema.inputs[0]).ok());
  return std::make_shared<const ServedModel>(std::move(copy));
}

// Keras's rows for outputs_probe, as a TF Serving instances list.
std::string ProbeInstances() {
  const io::npy::Array x = Npy("tests/fixtures/serve/outputs_probe.in0.npy");
  const float* f = reinterpret_cast<const float*>(x.data.data());
  std::string s = "{\"instances\": [";
  for (int64_t r = 0; r < x.shape[0]; ++r) {
    s += r ? ",[" : "[";
    for (int64_t c = 0; c < x.shape[1]; ++c) s += (c ? "," : "") + std::to_string(f[r * x.shape[1] + c]);
    s += "]";
  }
  return s + "]}";
}

// Rows of Keras's `probs` output whose top score is below `min`.
std::vector<int64_t> LowConfidenceRows(float min) {
  const io::npy::Array p = Npy("tests/fixtures/serve/outputs_probe.out0.npy");
  const float* f = reinterpret_cast<const float*>(p.data.data());
  std::vector<int64_t> rows;
  for (int64_t r = 0; r < p.shape[0]; ++r) {
    float top = f[r * p.shape[1]];
    for (int64_t c = 1; c < p.shape[1]; ++c) top = std::max(top, f[r * p.shape[1] + c]);
    if (top < min) rows.push_back(r);
  }
  return rows;
}

std::string Header(const HttpResponse& r, const std::string& name) {
  for (const auto& [k, v] : r.headers) {
    if (k == name) return v;
  }
  return "";
}

class OutputsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    repo_ = new ModelRepository();
    ASSERT_TRUE(repo_->Add(Serve("flagged", "tests/fixtures/serve/outputs_probe.keras", R"({
        "probs": {"simplex": {"tolerance": 1e-5, "action": "flag"}, "min_confidence": {"min": 0.9, "action": "flag"}},
        "raw": {"range": {"min": -1, "max": 1, "action": "log"}}})")).ok());
    ASSERT_TRUE(repo_->Add(Serve("strict", "tests/fixtures/serve/outputs_probe.keras", R"({
        "raw": {"range": {"min": -1, "max": 1, "action": "reject"}}})")).ok());
  }
  static void TearDownTestSuite() { delete repo_; }
  static HttpResponse Call(const std::string& target, const std::string& body) {
    return Router(*repo_, ServeOptions{}).Handle(HttpRequest{"POST", target, body, std::nullopt});
  }
  static ModelRepository* repo_;
};
ModelRepository* OutputsTest::repo_ = nullptr;

TEST_F(OutputsTest, FlaggedRulesTravelInTheReplyAndItsHeader) {
  const std::vector<int64_t> low = LowConfidenceRows(0.9f);
  ASSERT_FALSE(low.empty());  // the fixture holds low-confidence rows by design
  const HttpResponse r = Call("/v1/models/flagged:predict", ProbeInstances());
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(Header(r, "X-Kgate-Flags"), "probs:min_confidence");  // softmax rows are simplexes
  const io::json::Value body = Json(r.body);
  ASSERT_EQ(body.Find("predictions")->array().size(), 4u);
  const io::json::Array& flags = body.Find("kgate_flags")->array();
  ASSERT_EQ(flags.size(), 1u);
  EXPECT_EQ(flags[0].Find("output")->string(), "probs");
  EXPECT_EQ(flags[0].Find("rule")->string(), "min_confidence");
  std::vector<int64_t> rows;
  for (const io::json::Value& v : flags[0].Find("rows")->array()) rows.push_back(*v.number().integer);
  EXPECT_EQ(rows, low);
  EXPECT_EQ(*flags[0].Find("count")->number().integer, static_cast<int64_t>(low.size()));

  // KServe: the same flags as a parameter (scalars only, per the protocol).
  const HttpResponse k = Call("/v2/models/flagged/infer",
                              R"({"inputs": [{"name": "x", "shape": [1, 3], "datatype": "FP32", "data": [0, 0, 0]}]})");
  ASSERT_EQ(k.status, 200) << k.body;
  EXPECT_EQ(Json(k.body).Find("parameters")->Find("kgate_flags")->string(), "probs:min_confidence");
  EXPECT_EQ(Header(k, "X-Kgate-Flags"), "probs:min_confidence");
  // A confident row breaks nothing: no field, no header.
  const HttpResponse ok = Call("/v1/models/flagged:predict", R"({"instances": [[0, 0, 10]]})");
  EXPECT_EQ(ok.status, 200);
  EXPECT_EQ(Json(ok.body).Find("kgate_flags"), nullptr);
  EXPECT_EQ(Header(ok, "X-Kgate-Flags"), "");
}

TEST_F(OutputsTest, ARejectedOutputIsAGeneric500AndTheNextRequestIsAnswered) {
  const HttpResponse r = Call("/v1/models/strict:predict", R"({"instances": [[0.1, 0.3, -0.3], [5, 0, 0]]})");
  EXPECT_EQ(r.status, 500);
  EXPECT_EQ(Json(r.body).Find("error")->string(), kOutputRefusedMessage);
  EXPECT_THAT(r.body, Not(HasSubstr("10")));  // raw[1][0] is 10: nothing of the output leaks
  EXPECT_THAT(r.body, Not(HasSubstr("raw")));
  const HttpResponse k = Call("/v2/models/strict/infer",
                              R"({"inputs": [{"name": "x", "shape": [1, 3], "datatype": "FP32", "data": [5, 0, 0]}]})");
  EXPECT_EQ(k.status, 500);
  EXPECT_EQ(Json(k.body).Find("error")->string(), kOutputRefusedMessage);
  EXPECT_EQ(Call("/v1/models/strict:predict", R"({"instances": [[0.1, 0.3, -0.3]]})").status, 200);
}

TEST(OutputSpecAtLoad, ASpecThatDoesNotFitTheModelRefusesTheVersion) {
  std::shared_ptr<const engine::Model> model = testing::LoadFixture("tests/fixtures/serve/outputs_probe.keras");
  auto config = std::make_shared<ModelConfig>();
  config->source = "m/kgate.yaml";
  config->outputs = *schema::ParseOutputSpec(Json(R"({"probs": {"allowed_classes": {"classes": [3]}}})"), "m/kgate.yaml");
  absl::StatusOr<std::shared_ptr<const ServedModel>> served = MakeServedModel("m", 1, "m/1/model.keras", model, config);
  ASSERT_FALSE(served.ok());
  EXPECT_THAT(served.status().message(),
              HasSubstr("m/kgate.yaml (for m/1/model.keras): outputs.probs.allowed_classes.classes: class 3 is not "
                        "below the output's last dimension 3"));
}

// ---- image inputs -------------------------------------------------------

class ImagesTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    repo_ = new ModelRepository();
    schema::ImageSpec rgb;
    rgb.formats = {"png", "jpeg"};
    rgb.scale = 1.0 / 255;
    rgb.max_pixels = 4096;  // above the input's 16 x 16, so a 64 x 48 image fails on its size, not its count
    ASSERT_TRUE(repo_->Add(Serve("rgb", "tests/fixtures/serve/image_probe.keras", "", &rgb)).ok());
    ASSERT_TRUE(repo_->Add(Serve("plain", "tests/fixtures/serve/image_probe.keras", "")).ok());
    model_ = testing::LoadFixture("tests/fixtures/serve/image_probe.keras");
  }
  static void TearDownTestSuite() { delete repo_; }
  static HttpResponse Call(const std::string& target, const std::string& body,
                           std::optional<std::string> header_length = std::nullopt) {
    return Router(*repo_, ServeOptions{}).Handle(HttpRequest{"POST", target, body, std::move(header_length)});
  }
  // What the model predicts on Pillow's decode of `image` (uint8 HWC), scaled by 1/255.
  static std::vector<float> Expected(const std::string& decoded_npy) {
    const io::npy::Array a = Npy("tests/fixtures/images/" + decoded_npy);
    engine::HostTensor t = engine::HostTensor::Allocate(util::DType::kFloat32, {1, a.shape[0], a.shape[1], a.shape[2]});
    for (size_t i = 0; i < a.data.size(); ++i) t.buffer.f32()[i] = static_cast<float>(a.data[i]) * (1.0f / 255);
    const engine::Tensor view = t.view();
    absl::StatusOr<std::vector<engine::HostTensor>> out = model_->Predict(std::span<const engine::Tensor>(&view, 1), {});
    EXPECT_TRUE(out.ok()) << out.status();
    return std::vector<float>((*out)[0].buffer.f32(), (*out)[0].buffer.f32() + 4);
  }
  static std::vector<float> Floats(const io::json::Value& list) {
    std::vector<float> v;
    for (const io::json::Value& x : list.array()) v.push_back(static_cast<float>(x.number().value));
    return v;
  }
  static std::string B64(const std::string& relative) { return trust::Base64Encode(Bytes(relative)); }
  static std::string Tfs(const std::string& b64) { return R"({"instances": [{"b64": ")" + b64 + R"("}]})"; }
  static ModelRepository* repo_;
  static std::shared_ptr<const engine::Model> model_;
};
ModelRepository* ImagesTest::repo_ = nullptr;
std::shared_ptr<const engine::Model> ImagesTest::model_;

TEST_F(ImagesTest, PngAndJpegAsB64AndBytesPredictWhatTheModelDoesOnPillowsDecode) {
  for (const char* file : {"rgb16.png", "rgb16.jpg", "rgba16.png", "palette16.png"}) {
    SCOPED_TRACE(file);
    const std::vector<float> want = Expected(std::string(file) + ".c3.npy");
    const HttpResponse r = Call("/v1/models/rgb:predict", Tfs(B64(std::string("tests/fixtures/images/") + file)));
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_THAT(Floats(Json(r.body).Find("predictions")->array()[0]), ::testing::Pointwise(::testing::FloatEq(), want));
    // KServe JSON: BYTES elements are base64 strings.
    const HttpResponse k = Call("/v2/models/rgb/infer", R"({"inputs": [{"name": "image", "shape": [1], "datatype": )"
                                                        R"("BYTES", "data": [")" +
                                                            B64(std::string("tests/fixtures/images/") + file) + R"("]}]})");
    ASSERT_EQ(k.status, 200) << k.body;
    EXPECT_THAT(Floats(*Json(k.body).Find("outputs")->array()[0].Find("data")),
                ::testing::Pointwise(::testing::FloatEq(), want));
  }
  // KServe binary: two images, each after its 4-byte little-endian length.
  std::string binary;
  for (const char* file : {"rgb16.png", "rgb16.jpg"}) {
    const std::string bytes = Bytes(std::string("tests/fixtures/images/") + file);
    const uint32_t n = static_cast<uint32_t>(bytes.size());
    binary.append(reinterpret_cast<const char*>(&n), 4).append(bytes);
  }
  const std::string header = R"({"inputs": [{"name": "image", "shape": [2], "datatype": "BYTES", )"
                             R"("parameters": {"binary_data_size": )" + std::to_string(binary.size()) + "}}]}";
  const HttpResponse b = Call("/v2/models/rgb/infer", header + binary, std::to_string(header.size()));
  ASSERT_EQ(b.status, 200) << b.body;
  const std::vector<float> got = Floats(*Json(b.body).Find("outputs")->array()[0].Find("data"));
  std::vector<float> want = Expected("rgb16.png.c3.npy");
  const std::vector<float> jpeg = Expected("rgb16.jpg.c3.npy");
  want.insert(want.end(), jpeg.begin(), jpeg.end());
  EXPECT_THAT(got, ::testing::Pointwise(::testing::FloatEq(), want));
}

// The first violation's rule and actual text of a refused TF Serving request.
std::pair<std::string, std::string> Refusal(const HttpResponse& r) {
  EXPECT_EQ(r.status, 400) << r.body;
  const io::json::Value body = Json(r.body);
  const io::json::Value* v = body.Find("violations");
  if (v == nullptr || v->array().empty()) return {"", body.Find("error") ? body.Find("error")->string() : r.body};
  return {v->array()[0].Find("rule")->string(), v->array()[0].Find("actual")->string()};
}

TEST_F(ImagesTest, BadImagesAreRefusedWithTheStepTheyFailedAndTheNextIsAnswered) {
  // A format off the allowlist, named from its magic bytes.
  EXPECT_EQ(Refusal(Call("/v1/models/rgb:predict", Tfs(B64("tests/fixtures/images/rgb16.gif")))),
            std::make_pair(std::string("image_format"), std::string("a gif image")));
  // 100000 x 100000 claimed by a few hundred bytes: refused from the header.
  std::string bomb = Bytes("tests/fixtures/images/rgb16.png");
  const uint8_t big[8] = {0, 1, 0x86, 0xa0, 0, 1, 0x86, 0xa0};
  std::memcpy(bomb.data() + 16, big, 8);
  auto [rule, actual] = Refusal(Call("/v1/models/rgb:predict", Tfs(trust::Base64Encode(bomb))));
  EXPECT_EQ(rule, "image_size");
  EXPECT_EQ(actual, "100000 x 100000 = 10000000000 pixels");
  // A right-format image of the wrong size for the fixed 16 x 16 input.
  EXPECT_EQ(Refusal(Call("/v1/models/rgb:predict", Tfs(B64("tests/fixtures/images/rgb64x48_progressive.jpg")))),
            std::make_pair(std::string("image_size"), std::string("64 x 48")));
  // Truncated: the decoder refuses (a codec would pad it with grey).
  const std::string jpeg = Bytes("tests/fixtures/images/rgb16.jpg");
  auto [trule, tactual] = Refusal(Call("/v1/models/rgb:predict", Tfs(trust::Base64Encode(jpeg.substr(0, jpeg.size() - 40)))));
  EXPECT_EQ(trule, "image_decode");
  EXPECT_THAT(tactual, HasSubstr("JPEG: "));
  // Garbage base64.
  auto [grule, gactual] = Refusal(Call("/v1/models/rgb:predict", Tfs("not base64!")));
  EXPECT_EQ(grule, "base64");
  // An input without image: says what it takes.
  auto [prule, pactual] = Refusal(Call("/v1/models/plain:predict", Tfs(B64("tests/fixtures/images/rgb16.png"))));
  EXPECT_EQ(prule, "image");
  const HttpResponse plain = Call("/v1/models/plain:predict", Tfs(B64("tests/fixtures/images/rgb16.png")));
  EXPECT_THAT(plain.body, HasSubstr("takes encoded images only when its kgate.yaml declares image:"));
  // Binary BYTES whose length prefix overruns the buffer.
  const std::string header = R"({"inputs": [{"name": "image", "shape": [1], "datatype": "BYTES", )"
                             R"("parameters": {"binary_data_size": 6}}]})";
  const HttpResponse b = Call("/v2/models/rgb/infer", header + std::string("\xff\0\0\0ab", 6), std::to_string(header.size()));
  EXPECT_EQ(b.status, 400);
  EXPECT_THAT(b.body, HasSubstr("binary_size"));
  // And the next good request is answered.
  EXPECT_EQ(Call("/v1/models/rgb:predict", Tfs(B64("tests/fixtures/images/rgb16.png"))).status, 200);
}


// Decoded pixels meet the input's value rules like JSON values do: a bound
// below what the image decodes to (1/255 scale, so up to 1.0) refuses it.
TEST_F(ImagesTest, DecodedPixelsAreCheckedAgainstTheInputsValueRules) {
  schema::ImageSpec rgb;
  rgb.formats = {"png"};
  rgb.scale = 1.0 / 255;
  ServedModel bounded = *Serve("bounded", "tests/fixtures/serve/image_probe.keras", "", &rgb);
  bounded.schema.inputs[0].bounds.max = 1e-6;
  ModelRepository repo;
  ASSERT_TRUE(repo.Add(std::make_shared<const ServedModel>(std::move(bounded))).ok());
  const HttpResponse r = Router(repo, ServeOptions{}).Handle(
      HttpRequest{"POST", "/v1/models/bounded:predict", Tfs(B64("tests/fixtures/images/rgb16.png")), std::nullopt});
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(Refusal(r).first, "max");
}

TEST(ImageTotals, TheRequestsPixelTotalIsSettledFromHeadersBeforeAnythingDecodes) {
  // A model that takes any image size, each image up to 2^24 pixels.
  schema::ImageSpec any;
  any.formats = {"png"};
  any.max_pixels = schema::kMaxImagePixels;
  ModelRepository repo;
  ASSERT_TRUE(repo.Add(Serve("any", "tests/fixtures/serve/image_any.keras", "", &any)).ok());
  // gray28.png claiming 4096 x 4096 (CRC fixed); its data is far too short,
  // so only a decoder would notice: the total refuses first.
  std::string claim = Bytes("tests/fixtures/images/gray28.png");
  const uint8_t size[8] = {0, 0, 0x10, 0, 0, 0, 0x10, 0};
  std::memcpy(claim.data() + 16, size, 8);
  const uint32_t crc = static_cast<uint32_t>(crc32(0, reinterpret_cast<const Bytef*>(claim.data() + 12), 17));
  for (int i = 0; i < 4; ++i) claim[29 + i] = static_cast<char>(crc >> (24 - 8 * i));
  auto batch = [&](int n) {
    std::string body = R"({"instances": [)";
    for (int i = 0; i < n; ++i) body += std::string(i ? "," : "") + R"({"b64": ")" + trust::Base64Encode(claim) + R"("})";
    return Router(repo, ServeOptions{}).Handle(HttpRequest{"POST", "/v1/models/any:predict", body + "]}", std::nullopt});
  };
  // Four are exactly 2^26 pixels: within the total, so the decoder runs and finds the data short.
  const io::json::Value four = Json(batch(4).body);
  EXPECT_EQ(four.Find("violations")->array()[0].Find("rule")->string(), "image_decode");
  const HttpResponse five = batch(5);
  ASSERT_EQ(five.status, 400);
  const io::json::Value v = Json(five.body).Find("violations")->array()[0];
  EXPECT_EQ(v.Find("rule")->string(), "image_size");
  EXPECT_EQ(*v.Find("index")->array()[0].number().integer, 4);
  EXPECT_EQ(v.Find("expected")->string(), "at most 67108864 pixels over all images of a request");
  EXPECT_EQ(Json(five.body).Find("violation_count")->number().integer, 1);  // nothing decoded
}

}  // namespace
}  // namespace kgate::serve
