// MultiHeadAttention against real Keras on what the model fixtures leave out
// (tools/fixtures/make_engine_cases_attention.py): causal masks combined
// with attention masks, causal cross attention, query/value masks including
// fully masked rows on both of Keras's softmax paths, use_gate with a
// multi-dimensional output_shape, and attention over two axes and over an
// inner axis of rank-4 inputs, with returned scores.
#include "gtest/gtest.h"
#include "keras_case.h"

namespace kgate::engine {
namespace {

using testing_support::CaseInputs;
using testing_support::ExpectMatchesKeras;
using testing_support::LoadKerasCase;

TEST(Attention, MasksMatchKeras) {
  const auto c = LoadKerasCase("attention", "mha_masks");
  ASSERT_NE(c.model, nullptr);
  ASSERT_EQ(c.outputs.size(), 8u);
  EXPECT_GT(ExpectMatchesKeras(c, CaseInputs(c)), 0);
}

TEST(Attention, AttentionAxesMatchKeras) {
  const auto c = LoadKerasCase("attention", "mha_axes");
  ASSERT_NE(c.model, nullptr);
  ASSERT_EQ(c.outputs.size(), 5u);
  EXPECT_GT(ExpectMatchesKeras(c, CaseInputs(c)), 0);
}

}  // namespace
}  // namespace kgate::engine
