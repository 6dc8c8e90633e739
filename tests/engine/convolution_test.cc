// Convolution, pooling, normalization and reshaping ops on the cases that
// tools/fixtures/make_engine_cases_convolution.py made with real Keras
// (tests/fixtures/engine/convolution): semantics the model fixtures do not
// reach, and conv -> BatchNormalization -> activation chains, which must
// predict the same with the planner's fusion on and off.
#include <cmath>
#include <filesystem>
#include <string>
#include <vector>

#include "engine/model.h"
#include "gtest/gtest.h"
#include "keras/model_loader.h"
#include "keras_case.h"

namespace kgate::engine {
namespace {

using testing_support::CaseInputs;
using testing_support::ExpectMatchesKeras;
using testing_support::KerasCase;
using testing_support::LoadKerasCase;

constexpr char kFamily[] = "convolution";

class ConvolutionCase : public testing::TestWithParam<std::string> {};

// The full batch, then one row: the second plan prepares the same ops again
// (weights already reordered for the first).
TEST_P(ConvolutionCase, MatchesKeras) {
  const KerasCase c = LoadKerasCase(kFamily, GetParam());
  ASSERT_NE(c.model, nullptr);
  EXPECT_GT(ExpectMatchesKeras(c, CaseInputs(c)), 0);
  EXPECT_GT(ExpectMatchesKeras(c, CaseInputs(c, 1), 1), 0);
}

INSTANTIATE_TEST_SUITE_P(Cases, ConvolutionCase,
                         testing::Values("fusion_chains", "conv_extras", "upsampling_interpolations",
                                         "normalization_axes", "masked_global_average", "residual_and_padding"));

std::unique_ptr<Model> CompileUnfused(const std::string& name) {
  const std::filesystem::path file =
      std::filesystem::path(KGATE_SOURCE_DIR) / "tests" / "fixtures" / "engine" / kFamily / (name + ".keras");
  auto graph = keras::LoadModelFile(file.string());
  EXPECT_TRUE(graph.ok()) << graph.status();
  if (!graph.ok()) return nullptr;
  EngineOptions options;
  options.fuse = false;
  auto model = Model::Create(*std::move(graph), options);
  EXPECT_TRUE(model.ok()) << model.status();
  return model.ok() ? *std::move(model) : nullptr;
}

// Runs case `name` fused and unfused: both match Keras and each other, and
// fusion removed `folded` steps (so the comparison is not vacuous).
void ExpectFusionChangesNothing(const std::string& name, int folded) {
  KerasCase c = LoadKerasCase(kFamily, name);
  ASSERT_NE(c.model, nullptr);
  std::unique_ptr<Model> fused = std::move(c.model);
  c.model = CompileUnfused(name);
  ASSERT_NE(c.model, nullptr);
  EXPECT_GT(ExpectMatchesKeras(c, CaseInputs(c)), 0);

  std::vector<Dims> shapes;
  for (const Tensor& t : CaseInputs(c)) shapes.push_back(t.shape);
  auto fused_stats = fused->Stats(shapes);
  auto unfused_stats = c.model->Stats(shapes);
  ASSERT_TRUE(fused_stats.ok() && unfused_stats.ok());
  EXPECT_EQ(unfused_stats->steps - fused_stats->steps, folded);

  auto a = fused->Predict(CaseInputs(c));
  auto b = c.model->Predict(CaseInputs(c));
  ASSERT_TRUE(a.ok() && b.ok());
  ASSERT_EQ(a->size(), b->size());
  for (size_t o = 0; o < a->size(); ++o) {
    const HostTensor& x = (*a)[o];
    const HostTensor& y = (*b)[o];
    ASSERT_EQ(x.shape, y.shape);
    for (int64_t i = 0; i < x.view().num_elements(); ++i) {
      ASSERT_NEAR(x.buffer.f32()[i], y.buffer.f32()[i], 1e-5 + 1e-5 * std::fabs(y.buffer.f32()[i]))
          << "output " << o << " element " << i;
    }
  }
}

// Folding BatchNormalization into the convolutions (scale into the weights,
// shift into the bias) and fusing the activation changes what runs, not what
// comes out: six BatchNormalization layers and five activations fold away.
TEST(ConvolutionFusion, FusedAndUnfusedMatchKerasAndEachOther) { ExpectFusionChangesNothing("fusion_chains", 11); }

// Residual Adds become oneDNN sum post-ops (in place where the other operand
// dies there, else over a copy) and ZeroPaddings the convolutions' own
// padding; the unfoldable ones stay.
TEST(ConvolutionFusion, ResidualsAndPaddingsFoldWithoutChangingResults) {
  ExpectFusionChangesNothing("residual_and_padding", 27);
}

}  // namespace
}  // namespace kgate::engine
