// SimpleRNN, LSTM, GRU and Bidirectional against real Keras on what the model
// fixtures leave out (tools/fixtures/make_engine_cases_recurrent.py):
// go_backwards sequences, GRU reset_after=False, initial states, explicit
// masks with zero_output_for_mask and unroll, merge modes with return_state,
// mixed-class directions, the oneDNN per-step product at larger sizes, and
// the whole-sequence oneDNN RNN primitives.
#include "gtest/gtest.h"
#include "keras_case.h"

namespace kgate::engine {
namespace {

using testing_support::CaseInputs;
using testing_support::ExpectMatchesKeras;
using testing_support::LoadKerasCase;

// Case `name` compiled for one intra-op thread matches Keras.
void ExpectMatchesKerasOnOneThread(const char* name) {
  EngineOptions options;
  options.intra_op_threads = 1;
  const auto c = LoadKerasCase("recurrent", name, options);
  ASSERT_NE(c.model, nullptr);
  EXPECT_GT(ExpectMatchesKeras(c, CaseInputs(c)), 0);
}

TEST(Recurrent, RnnVariantsMatchKeras) {
  const auto c = LoadKerasCase("recurrent", "rnn_variants");
  ASSERT_NE(c.model, nullptr);
  ASSERT_EQ(c.outputs.size(), 14u);
  EXPECT_GT(ExpectMatchesKeras(c, CaseInputs(c)), 0);
}

TEST(Recurrent, BidirectionalVariantsMatchKeras) {
  const auto c = LoadKerasCase("recurrent", "bidirectional_variants");
  ASSERT_NE(c.model, nullptr);
  ASSERT_EQ(c.outputs.size(), 25u);
  EXPECT_GT(ExpectMatchesKeras(c, CaseInputs(c)), 0);
}

// With one thread the two directions run one after the other (with more,
// side by side); the results are the same.
TEST(Recurrent, BidirectionalOnOneThreadMatchesKeras) { ExpectMatchesKerasOnOneThread("bidirectional_variants"); }

// Batch 16 runs the per-step h·U on oneDNN; its first 3 rows run the same
// layers on the reference loop. Both match Keras.
TEST(Recurrent, BothRecurrentProductPathsMatchKeras) {
  const auto c = LoadKerasCase("recurrent", "rnn_large_batch");
  ASSERT_NE(c.model, nullptr);
  ASSERT_EQ(c.inputs[0].shape[0], 16);
  EXPECT_GT(ExpectMatchesKeras(c, CaseInputs(c)), 0);
  EXPECT_GT(ExpectMatchesKeras(c, CaseInputs(c, 3), 3), 0);
}

// The cells oneDNN's RNN primitive runs whole (recurrent_dnnl.h): both
// directions, without biases, with initial states, inside Bidirectional, at
// batch 4 and batch 1, next to a masked LSTM on the step loop.
TEST(Recurrent, FusedRecurrencesMatchKeras) {
  const auto c = LoadKerasCase("recurrent", "rnn_fused");
  ASSERT_NE(c.model, nullptr);
  ASSERT_EQ(c.outputs.size(), 11u);
  EXPECT_GT(ExpectMatchesKeras(c, CaseInputs(c)), 0);
  EXPECT_GT(ExpectMatchesKeras(c, CaseInputs(c, 1), 1), 0);
}

TEST(Recurrent, FusedRecurrencesOnOneThreadMatchKeras) { ExpectMatchesKerasOnOneThread("rnn_fused"); }

// Runs share the ops; each keeps its recurrent state in its own scratch.
TEST(Recurrent, ConcurrentRunsMatchKeras) {
  const auto c = LoadKerasCase("recurrent", "bidirectional_variants");
  ASSERT_NE(c.model, nullptr);
  testing_support::ExpectConcurrentRunsMatchKeras(c, 4, 5);
}

}  // namespace
}  // namespace kgate::engine
