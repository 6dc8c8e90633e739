// Every model fixture made by real Keras (tests/fixtures/models, written by
// tools/fixtures/make_models.py) predicts within atol 1e-5 + rtol 1e-4 of
// Keras's own predict, from both its .keras and its legacy .h5 file.
#include <algorithm>
#include <cctype>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "engine/model.h"
#include "gtest/gtest.h"
#include "io/json/json.h"
#include "io/npy/npy.h"
#include "keras/model_loader.h"

namespace kgate::engine {
namespace {

namespace fs = std::filesystem;

fs::path FixtureDir() { return fs::path(KGATE_SOURCE_DIR) / "tests" / "fixtures" / "models"; }

struct Case {
  std::string name;
  std::string file;  // model file name
};

void PrintTo(const Case& c, std::ostream* os) { *os << c.file; }

std::vector<Case> AllCases() {
  std::vector<Case> cases;
  std::vector<fs::path> metas;
  for (const auto& e : fs::directory_iterator(FixtureDir())) {
    if (e.path().extension() == ".json" && e.path().filename() != "index.json") metas.push_back(e.path());
  }
  std::sort(metas.begin(), metas.end());
  for (const fs::path& meta : metas) {
    const std::string stem = meta.stem().string();
    for (const char* ext : {".keras", ".h5"}) {
      if (fs::exists(FixtureDir() / (stem + ext))) cases.push_back({stem, stem + ext});
    }
  }
  return cases;
}

io::json::Value ReadJson(const fs::path& p) {
  std::ifstream f(p, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  const std::string s = ss.str();
  auto v = io::json::Parse(s);
  EXPECT_TRUE(v.ok()) << p << ": " << v.status();
  return v.ok() ? *std::move(v) : io::json::Value();
}

Tensor View(const io::npy::Array& a) {
  return Tensor{a.dtype, a.shape, const_cast<uint8_t*>(a.data.data())};
}

class FixtureParity : public testing::TestWithParam<Case> {};

TEST_P(FixtureParity, MatchesKerasPredict) {
  const Case& c = GetParam();
  const io::json::Value meta = ReadJson(FixtureDir() / (c.name + ".json"));
  const io::json::Value* predict = meta.Find("predict");
  ASSERT_NE(predict, nullptr) << "fixture has no recorded predictions";
  if (c.file.ends_with(".h5")) {
    const io::json::Value* loads = meta.Find("h5_loads_in_keras");
    if (loads != nullptr && loads->is_bool() && !loads->bool_value()) GTEST_SKIP() << "Keras itself cannot load the .h5";
  }
  auto graph = keras::LoadModelFile((FixtureDir() / c.file).string());
  ASSERT_TRUE(graph.ok()) << graph.status();
  auto model = Model::Create(*std::move(graph));
  ASSERT_TRUE(model.ok()) << model.status();

  std::vector<io::npy::Array> inputs;
  std::vector<Tensor> feed;
  for (const io::json::Value& f : predict->Find("inputs")->array()) {
    auto a = io::npy::ReadFile((FixtureDir() / f.string()).string());
    ASSERT_TRUE(a.ok()) << a.status();
    inputs.push_back(*std::move(a));
  }
  for (const auto& a : inputs) feed.push_back(View(a));
  auto outputs = (*model)->Predict(feed);
  ASSERT_TRUE(outputs.ok()) << outputs.status();
  const auto& want_files = predict->Find("outputs")->array();
  ASSERT_EQ(outputs->size(), want_files.size());
  for (size_t o = 0; o < want_files.size(); ++o) {
    auto want = io::npy::ReadFile((FixtureDir() / want_files[o].string()).string());
    ASSERT_TRUE(want.ok()) << want.status();
    const HostTensor& got = (*outputs)[o];
    ASSERT_EQ(got.shape, want->shape) << "output " << o;
    const Tensor wv = View(*want);
    const int64_t n = got.view().num_elements();
    int64_t bad = 0;
    double worst = 0;
    for (int64_t i = 0; i < n; ++i) {
      double g, w;
      if (got.dtype == util::DType::kFloat32) {
        g = got.buffer.f32()[i];
      } else if (got.dtype == util::DType::kInt32) {
        g = static_cast<const int32_t*>(got.buffer.data())[i];
      } else {
        g = static_cast<const uint8_t*>(got.buffer.data())[i];
      }
      switch (wv.dtype) {
        case util::DType::kFloat32: w = wv.f32()[i]; break;
        case util::DType::kInt32: w = wv.i32()[i]; break;
        case util::DType::kBool: w = wv.b8()[i]; break;
        case util::DType::kFloat64: w = static_cast<const double*>(wv.data)[i]; break;
        case util::DType::kInt64: w = static_cast<double>(static_cast<const int64_t*>(wv.data)[i]); break;
        default: FAIL() << "unexpected fixture dtype " << util::DTypeName(wv.dtype);
      }
      const double err = std::fabs(g - w);
      const bool both_nan = std::isnan(g) && std::isnan(w);
      if (!both_nan && !(err <= 1e-5 + 1e-4 * std::fabs(w))) {
        if (bad < 5) ADD_FAILURE() << c.file << " output " << o << " element " << i << ": kgate " << g << ", keras " << w;
        ++bad;
      }
      if (!both_nan) worst = std::max(worst, err);
    }
    EXPECT_EQ(bad, 0) << c.file << " output " << o << ": " << bad << " of " << n << " elements off, max abs error "
                      << worst;
  }
}

INSTANTIATE_TEST_SUITE_P(Models, FixtureParity, testing::ValuesIn(AllCases()),
                         [](const testing::TestParamInfo<Case>& info) {
                           std::string s = info.param.file;
                           for (char& ch : s) {
                             if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
                           }
                           return s;
                         });

}  // namespace
}  // namespace kgate::engine
