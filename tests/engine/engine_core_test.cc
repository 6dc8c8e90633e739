// The engine's core contracts, independent of any layer's kernel: input
// checking and conversion, plan caching and arena reuse, deadlines, and
// thread safety of a shared model.
#include <atomic>
#include <cstring>
#include <filesystem>
#include <thread>
#include <vector>

#include "engine/model.h"
#include "gtest/gtest.h"
#include "io/npy/npy.h"
#include "keras/model_loader.h"

namespace kgate::engine {
namespace {

namespace fs = std::filesystem;

fs::path Fixture(const std::string& name) {
  return fs::path(KGATE_SOURCE_DIR) / "tests" / "fixtures" / "models" / name;
}

std::unique_ptr<Model> LoadMlp() {
  auto graph = keras::LoadModelFile(Fixture("sequential_mlp.keras").string());
  EXPECT_TRUE(graph.ok()) << graph.status();
  if (!graph.ok()) return nullptr;
  auto model = Model::Create(*std::move(graph));
  EXPECT_TRUE(model.ok()) << model.status();
  return model.ok() ? *std::move(model) : nullptr;
}

HostTensor Filled(Dims shape, float value) {
  HostTensor t = HostTensor::Allocate(util::DType::kFloat32, std::move(shape));
  for (int64_t i = 0; i < t.view().num_elements(); ++i) t.buffer.f32()[i] = value;
  return t;
}

TEST(EngineCore, RefusesWrongShapeAndCount) {
  auto model = LoadMlp();
  ASSERT_NE(model, nullptr);
  Dims shape = model->input_specs()[0].shape;
  shape[0] = 2;
  shape.back() += 1;
  HostTensor bad = Filled(shape, 0.f);
  Tensor v = bad.view();
  auto r = model->Predict(std::span(&v, 1));
  EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(r.status().message().find("expected shape"), std::string_view::npos) << r.status();
  auto none = model->Predict({});
  EXPECT_EQ(none.status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(EngineCore, BatchRowsAreIndependentAndPlansAreCached) {
  auto model = LoadMlp();
  ASSERT_NE(model, nullptr);
  Dims one = model->input_specs()[0].shape;
  one[0] = 1;
  Dims three = one;
  three[0] = 3;
  HostTensor a = Filled(one, 0.25f);
  HostTensor b = Filled(three, 0.25f);
  Tensor av = a.view(), bv = b.view();
  auto ra = model->Predict(std::span(&av, 1));
  auto rb = model->Predict(std::span(&bv, 1));
  ASSERT_TRUE(ra.ok() && rb.ok());
  const int64_t width = (*ra)[0].view().num_elements();
  for (int row = 0; row < 3; ++row) {
    for (int64_t i = 0; i < width; ++i) {
      EXPECT_FLOAT_EQ((*rb)[0].buffer.f32()[row * width + i], (*ra)[0].buffer.f32()[i]);
    }
  }
  // Same shapes again reuse the plan and give identical bytes.
  auto again = model->Predict(std::span(&av, 1));
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(0, std::memcmp((*again)[0].buffer.data(), (*ra)[0].buffer.data(), width * sizeof(float)));
  auto stats = model->Stats(std::vector<Dims>{three});
  ASSERT_TRUE(stats.ok());
  EXPECT_GT(stats->arena_bytes, 0);
  EXPECT_LE(stats->arena_bytes, stats->naive_bytes);
}

TEST(EngineCore, ExpiredDeadlineStopsAndModelStaysUsable) {
  auto model = LoadMlp();
  ASSERT_NE(model, nullptr);
  Dims one = model->input_specs()[0].shape;
  one[0] = 1;
  HostTensor a = Filled(one, 0.5f);
  Tensor av = a.view();
  RunOptions past;
  past.deadline = absl::Now() - absl::Seconds(1);
  auto r = model->Predict(std::span(&av, 1), past);
  EXPECT_EQ(r.status().code(), absl::StatusCode::kDeadlineExceeded);
  EXPECT_TRUE(model->Predict(std::span(&av, 1)).ok());
}

TEST(EngineCore, ConvertsExactInputDtypesAndRefusesLossyOnes) {
  auto model = LoadMlp();
  ASSERT_NE(model, nullptr);
  Dims one = model->input_specs()[0].shape;
  one[0] = 1;
  HostTensor f = Filled(one, 0.5f);
  HostTensor d = HostTensor::Allocate(util::DType::kFloat64, one);
  for (int64_t i = 0; i < d.view().num_elements(); ++i) static_cast<double*>(d.buffer.data())[i] = 0.5;
  Tensor fv = f.view(), dv = d.view();
  auto rf = model->Predict(std::span(&fv, 1));
  auto rd = model->Predict(std::span(&dv, 1));
  ASSERT_TRUE(rf.ok() && rd.ok()) << rd.status();
  EXPECT_EQ(0, std::memcmp((*rf)[0].buffer.data(), (*rd)[0].buffer.data(), (*rf)[0].view().num_bytes()));
  // float16 and bfloat16 0.5 widen exactly.
  for (auto [dtype, bits] : {std::pair{util::DType::kFloat16, uint16_t{0x3800}},
                             std::pair{util::DType::kBFloat16, uint16_t{0x3F00}}}) {
    HostTensor h = HostTensor::Allocate(dtype, one);
    for (int64_t i = 0; i < h.view().num_elements(); ++i) static_cast<uint16_t*>(h.buffer.data())[i] = bits;
    Tensor hv = h.view();
    auto rh = model->Predict(std::span(&hv, 1));
    ASSERT_TRUE(rh.ok()) << rh.status();
    EXPECT_EQ(0, std::memcmp((*rf)[0].buffer.data(), (*rh)[0].buffer.data(), (*rf)[0].view().num_bytes()));
  }
}

// Each thread sends its own input, so runs that shared any per-run memory
// (oneDNN's library-managed scratchpad did, for matmuls) would mix their
// results; identical inputs would hide that.
TEST(EngineCore, ConcurrentPredictionsAgree) {
  auto model = LoadMlp();
  ASSERT_NE(model, nullptr);
  Dims shape = model->input_specs()[0].shape;
  shape[0] = 4;
  constexpr int kThreads = 4;
  std::vector<HostTensor> inputs;
  std::vector<std::vector<HostTensor>> wanted;
  for (int t = 0; t < kThreads; ++t) {
    inputs.push_back(Filled(shape, 0.125f * static_cast<float>(t + 1)));
    Tensor v = inputs.back().view();
    auto want = model->Predict(std::span(&v, 1));
    ASSERT_TRUE(want.ok()) << want.status();
    wanted.push_back(*std::move(want));
  }
  ASSERT_NE(std::memcmp(wanted[0][0].buffer.data(), wanted[1][0].buffer.data(), wanted[0][0].view().num_bytes()), 0);
  std::atomic<int> mismatches{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      Tensor v = inputs[t].view();
      for (int i = 0; i < 500; ++i) {
        auto got = model->Predict(std::span(&v, 1));
        if (!got.ok() || std::memcmp((*got)[0].buffer.data(), wanted[t][0].buffer.data(),
                                     wanted[t][0].view().num_bytes()) != 0) {
          ++mismatches;
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(mismatches.load(), 0);
}

}  // namespace
}  // namespace kgate::engine

namespace kgate::engine {
namespace {

TEST(EngineCore, RefusesImplicitSequentialMaskInsteadOfDroppingIt) {
  const auto path = std::filesystem::path(KGATE_SOURCE_DIR) / "tests" / "fixtures" / "engine" / "refusals" /
                    "sequential_implicit_mask.keras";
  auto graph = keras::LoadModelFile(path.string());
  ASSERT_TRUE(graph.ok()) << graph.status();  // the loader accepts it: nothing unsafe
  auto model = Model::Create(*std::move(graph));
  ASSERT_FALSE(model.ok());
  EXPECT_EQ(model.status().code(), absl::StatusCode::kUnimplemented);
  EXPECT_NE(model.status().message().find("implicit mask"), std::string_view::npos) << model.status();
  EXPECT_NE(model.status().message().find("Functional"), std::string_view::npos) << model.status();
}

TEST(EngineCore, RefusesUnrecordedAttentionMaskInFunctionalModel) {
  const auto path = std::filesystem::path(KGATE_SOURCE_DIR) / "tests" / "fixtures" / "engine" / "refusals" /
                    "functional_mha_implicit_mask.keras";
  auto graph = keras::LoadModelFile(path.string());
  ASSERT_TRUE(graph.ok()) << graph.status();
  auto model = Model::Create(*std::move(graph));
  ASSERT_FALSE(model.ok());
  EXPECT_EQ(model.status().code(), absl::StatusCode::kUnimplemented);
  EXPECT_NE(model.status().message().find("MultiHeadAttention"), std::string_view::npos) << model.status();
  EXPECT_NE(model.status().message().find("Embedding"), std::string_view::npos) << model.status();
}

}  // namespace
}  // namespace kgate::engine
