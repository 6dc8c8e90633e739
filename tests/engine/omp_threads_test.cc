// The parallel grain follows the OpenMP wait policy, and an explicit
// KGATE_PARALLEL_GRAIN_MACS wins when it is a positive integer.
#include "engine/kernels/omp_threads.h"

#include <omp.h>

#include "gtest/gtest.h"

namespace kgate::engine::kernels {
namespace {

TEST(ParallelGrain, FollowsTheWaitPolicy) {
  EXPECT_EQ(ChooseParallelGrainMacs(nullptr, nullptr), kSpinningGrainMacs);  // libgomp's default spins
  EXPECT_EQ(ChooseParallelGrainMacs(nullptr, "active"), kSpinningGrainMacs);
  EXPECT_EQ(ChooseParallelGrainMacs(nullptr, "passive"), kSleepingGrainMacs);
  EXPECT_EQ(ChooseParallelGrainMacs(nullptr, "PASSIVE"), kSleepingGrainMacs);
  EXPECT_EQ(ChooseParallelGrainMacs(nullptr, "sleepy"), kSpinningGrainMacs);
  EXPECT_GT(kSleepingGrainMacs, kSpinningGrainMacs);
}

TEST(ParallelGrain, AnExplicitPositiveGrainWins) {
  EXPECT_EQ(ChooseParallelGrainMacs("4096", "passive"), 4096);
  EXPECT_EQ(ChooseParallelGrainMacs("1", nullptr), 1);
  for (const char* bad : {"", "0", "-5", "12x", " 12", "1e6", "99999999999999999999"}) {
    EXPECT_EQ(ChooseParallelGrainMacs(bad, "passive"), kSleepingGrainMacs) << '"' << bad << '"';
  }
}

TEST(ParallelGrain, SmallWorkStaysOnTheCallingThread) {
  ScopedOmpThreads team(4);
  EXPECT_EQ(ThreadsFor(ParallelGrainMacs() - 1), 1);
  EXPECT_EQ(ThreadsFor(ParallelGrainMacs()), 4);
  const int64_t elements = (ParallelGrainMacs() + kElementMacs - 1) / kElementMacs;  // the first parallel count
  EXPECT_EQ(ThreadsForElements(elements), 4);
  EXPECT_FALSE(ParallelOverElements(elements - 1));
  {
    ScopedOmpThreads one(1);
    EXPECT_EQ(ThreadsFor(ParallelGrainMacs() * 100), 1);
  }
  EXPECT_EQ(omp_get_max_threads(), 4);
}

}  // namespace
}  // namespace kgate::engine::kernels
