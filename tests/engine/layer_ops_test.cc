// The core, activation-layer, merging, keras.ops and preprocessing ops
// against real Keras on what the model fixtures leave out
// (tools/fixtures/make_engine_cases_layers.py): Dense/EinsumDense forms,
// Masking, Embedding id wrapping, truncation and NaN fill, ReLU parameter
// mixes, PReLU shared axes, Softmax axes and masks, rank-expanding merges,
// Dot axes and normalize, keras.ops nodes with scalars and int32 tensors,
// every JAX resize interpolation with antialias and aspect-ratio framing,
// CenterCrop both ways, Normalization and Rescaling variants.
#include <thread>

#include "gtest/gtest.h"
#include "keras_case.h"

namespace kgate::engine {
namespace {

using testing_support::CaseInputs;
using testing_support::ExpectMatchesKeras;
using testing_support::LoadKerasCase;

struct LayerCase {
  const char* family;
  const char* name;
  size_t outputs;
  // Whether batch rows are independent (ops_nodes broadcasts a (batch, 4)
  // tensor against (batch, 3, 4), mixing rows, as numpy does).
  bool rows_independent = true;
};

class LayerOps : public testing::TestWithParam<LayerCase> {};

TEST_P(LayerOps, MatchesKeras) {
  const LayerCase& p = GetParam();
  const auto c = LoadKerasCase(p.family, p.name);
  ASSERT_NE(c.model, nullptr);
  ASSERT_EQ(c.outputs.size(), p.outputs);
  EXPECT_GT(ExpectMatchesKeras(c, CaseInputs(c)), 0);
  // A second batch size takes another plan (oneDNN primitives per shape).
  if (p.rows_independent) EXPECT_GT(ExpectMatchesKeras(c, CaseInputs(c, 1), 1), 0);
}

INSTANTIATE_TEST_SUITE_P(Cases, LayerOps,
                         testing::Values(LayerCase{"core", "core_variants", 9},
                                         LayerCase{"core", "embedding_ids", 2},
                                         LayerCase{"core", "embedding_out_of_range", 2},
                                         LayerCase{"activation_layers", "activation_variants", 13},
                                         LayerCase{"merging", "merge_variants", 11},
                                         LayerCase{"numpy_ops", "ops_nodes", 18, false},
                                         LayerCase{"preprocessing", "resize_variants", 21}),
                         [](const testing::TestParamInfo<LayerCase>& info) { return std::string(info.param.name); });

// Ops are shared by concurrent runs; everything a run writes is its own.
TEST(LayerOps, ConcurrentRunsMatchKeras) {
  const auto c = LoadKerasCase("merging", "merge_variants");
  ASSERT_NE(c.model, nullptr);
  const std::vector<Tensor> feed = CaseInputs(c);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 5; ++i) ExpectMatchesKeras(c, feed);
    });
  }
  for (auto& t : threads) t.join();
}

}  // namespace
}  // namespace kgate::engine
