#include "keras_case.h"

#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "gtest/gtest.h"
#include "io/json/json.h"
#include "keras/model_loader.h"

namespace kgate::engine::testing_support {
namespace {

namespace fs = std::filesystem;

fs::path CaseDir(const std::string& family) {
  return fs::path(KGATE_SOURCE_DIR) / "tests" / "fixtures" / "engine" / family;
}

double Element(const void* data, util::DType dtype, int64_t i) {
  switch (dtype) {
    case util::DType::kFloat32: return static_cast<const float*>(data)[i];
    case util::DType::kFloat64: return static_cast<const double*>(data)[i];
    case util::DType::kInt32: return static_cast<const int32_t*>(data)[i];
    case util::DType::kInt64: return static_cast<double>(static_cast<const int64_t*>(data)[i]);
    case util::DType::kBool: return static_cast<const uint8_t*>(data)[i];
    default: return NAN;
  }
}

}  // namespace

KerasCase LoadKerasCase(const std::string& family, const std::string& name, const EngineOptions& options) {
  KerasCase c;
  c.label = family + "/" + name;
  const fs::path dir = CaseDir(family);
  std::ifstream f(dir / (name + ".json"), std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  const std::string text = ss.str();
  auto meta = io::json::Parse(text);
  if (!meta.ok()) {
    ADD_FAILURE() << c.label << ": " << meta.status();
    return c;
  }
  for (const char* key : {"inputs", "outputs"}) {
    const io::json::Value* files = meta->Find(key);
    if (files == nullptr || !files->is_array()) {
      ADD_FAILURE() << c.label << ": no " << key << " list";
      return c;
    }
    for (const io::json::Value& file : files->array()) {
      auto a = io::npy::ReadFile((dir / file.string()).string());
      if (!a.ok()) {
        ADD_FAILURE() << c.label << ": " << a.status();
        return c;
      }
      (std::string(key) == "inputs" ? c.inputs : c.outputs).push_back(*std::move(a));
    }
  }
  auto graph = keras::LoadModelFile((dir / (name + ".keras")).string());
  if (!graph.ok()) {
    ADD_FAILURE() << c.label << ": " << graph.status();
    return c;
  }
  auto model = Model::Create(*std::move(graph), options);
  if (!model.ok()) {
    ADD_FAILURE() << c.label << ": " << model.status();
    return c;
  }
  c.model = *std::move(model);
  return c;
}

std::vector<Tensor> CaseInputs(const KerasCase& c, int64_t rows) {
  std::vector<Tensor> feed;
  for (const io::npy::Array& a : c.inputs) {
    Tensor t{a.dtype, a.shape, const_cast<uint8_t*>(a.data.data())};
    if (rows >= 0 && !t.shape.empty()) t.shape[0] = std::min(t.shape[0], rows);
    feed.push_back(t);
  }
  return feed;
}

int64_t ExpectMatchesKeras(const KerasCase& c, const std::vector<Tensor>& inputs, int64_t rows) {
  if (c.model == nullptr) return 0;
  auto got = c.model->Predict(inputs);
  if (!got.ok()) {
    ADD_FAILURE() << c.label << ": " << got.status();
    return 0;
  }
  EXPECT_EQ(got->size(), c.outputs.size()) << c.label;
  int64_t compared = 0;
  for (size_t o = 0; o < got->size() && o < c.outputs.size(); ++o) {
    const HostTensor& g = (*got)[o];
    const io::npy::Array& w = c.outputs[o];
    Dims want_shape = w.shape;
    if (rows >= 0 && !want_shape.empty()) want_shape[0] = std::min(want_shape[0], rows);
    if (g.shape != want_shape) {
      ADD_FAILURE() << c.label << " output " << o << ": shape " << graph::ShapeString(g.shape) << ", Keras "
                    << graph::ShapeString(want_shape);
      continue;
    }
    const int64_t n = NumElements(g.shape);  // the first rows of Keras's output are its first n values
    int64_t bad = 0;
    for (int64_t i = 0; i < n; ++i) {
      const double gv = Element(g.buffer.data(), g.dtype, i), wv = Element(w.data.data(), w.dtype, i);
      const bool both_nan = std::isnan(gv) && std::isnan(wv);  // as fixture_parity_test: NaN matches NaN
      if (!both_nan && !(std::fabs(gv - wv) <= 1e-5 + 1e-4 * std::fabs(wv))) {
        if (bad < 5) ADD_FAILURE() << c.label << " output " << o << " element " << i << ": kgate " << gv << ", keras " << wv;
        ++bad;
      }
    }
    EXPECT_EQ(bad, 0) << c.label << " output " << o << ": " << bad << " of " << n << " values differ";
    compared += n;
  }
  return compared;
}

void ExpectConcurrentRunsMatchKeras(const KerasCase& c, int threads, int runs) {
  const std::vector<Tensor> feed = CaseInputs(c);
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&] {
      for (int i = 0; i < runs; ++i) ExpectMatchesKeras(c, feed);
    });
  }
  for (auto& w : workers) w.join();
}

}  // namespace kgate::engine::testing_support
