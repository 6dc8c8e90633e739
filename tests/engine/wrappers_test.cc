// TimeDistributed against real Keras (tools/fixtures/make_engine_cases_wrappers.py):
// wrapped recurrent layers receive the time step's mask (from Masking and
// from an explicit mask input), a wrapped Bidirectional, and a wrapped Dense
// that ignores the mask.
#include "gtest/gtest.h"
#include "keras_case.h"

namespace kgate::engine {
namespace {

using testing_support::CaseInputs;
using testing_support::ExpectMatchesKeras;
using testing_support::LoadKerasCase;

TEST(Wrappers, TimeDistributedMasksMatchKeras) {
  const auto c = LoadKerasCase("wrappers", "time_distributed_masked");
  ASSERT_NE(c.model, nullptr);
  ASSERT_EQ(c.outputs.size(), 4u);
  EXPECT_GT(ExpectMatchesKeras(c, CaseInputs(c)), 0);
}

}  // namespace
}  // namespace kgate::engine
