// File: omp_threads.h
// Thread-count control for the engine's kernels. oneDNN (OpenMP runtime)
// sizes a primitive's thread team from omp_get_max_threads() when the
// primitive is created, and each parallel region costs a fork/join that a
// small primitive does not earn back. Kernels therefore create and run work
// below the parallel grain on the calling thread alone, as PyTorch's
// parallel_for does below its grain size.
//
// What a fork/join costs depends on how idle OpenMP threads wait. Spinning
// threads (libgomp's default, OMP_WAIT_POLICY=active) join in about a
// microsecond; sleeping ones (OMP_WAIT_POLICY=passive, which `kgate` sets
// unless the user chose a policy) must be woken, 30-70 us on the 2-core VM
// measured in bench/README.md. So the grain follows the wait policy.
#pragma once

#include <omp.h>

#include <cstdint>

namespace kgate::engine::kernels {

// The grain with spinning threads: about 25 microseconds of float32
// multiply-adds on one AVX-512 core, a few times a spinning fork/join.
inline constexpr int64_t kSpinningGrainMacs = int64_t{1} << 20;
// The grain with sleeping threads: about 0.4 ms of multiply-adds on one
// core, a few times what waking a sleeping thread costs (60-300 us on the
// shared 2-core VM; at 2^23 the bench MLP at batch 32 took 0.87-0.96 ms on
// two threads against 0.52 on one).
inline constexpr int64_t kSleepingGrainMacs = int64_t{1} << 24;
// What one element of an elementwise, pooling or normalization loop costs in
// multiply-adds' time: a few vector instructions against 1/32 of one for a
// multiply-add at peak, so such loops parallelize from grain / 16 elements.
inline constexpr int64_t kElementMacs = 16;
// What reading one byte of a product's operands costs in multiply-adds' time:
// one core streams about 15 GB/s from L3 and multiply-adds about 40 G/s.
inline constexpr int64_t kReadByteMacs = 2;

// Multiply-adds below which work runs on the calling thread. Read once per
// process: KGATE_PARALLEL_GRAIN_MACS when set to a positive integer, else
// kSpinningGrainMacs unless OMP_WAIT_POLICY is "passive" (any case), else
// kSleepingGrainMacs.
int64_t ParallelGrainMacs();
// The rule ParallelGrainMacs applies to those two variables' values (null
// when unset).
int64_t ChooseParallelGrainMacs(const char* grain_setting, const char* wait_policy);

// The team size for `macs` of work under the caller's current maximum.
inline int ThreadsFor(int64_t macs) { return macs < ParallelGrainMacs() ? 1 : omp_get_max_threads(); }
// The same for a loop over `elements` elements.
inline int ThreadsForElements(int64_t elements) { return ThreadsFor(elements * kElementMacs); }
// For an `omp parallel for ... if (...)` clause over `elements` elements.
inline bool ParallelOverElements(int64_t elements) { return ThreadsForElements(elements) > 1; }

// Sets the OpenMP team size of the calling thread's later parallel regions
// for a scope; other threads are unaffected.
class ScopedOmpThreads {
 public:
  explicit ScopedOmpThreads(int threads) : saved_(omp_get_max_threads()) { omp_set_num_threads(threads); }
  ~ScopedOmpThreads() { omp_set_num_threads(saved_); }
  ScopedOmpThreads(const ScopedOmpThreads&) = delete;
  ScopedOmpThreads& operator=(const ScopedOmpThreads&) = delete;

 private:
  const int saved_;
};

}  // namespace kgate::engine::kernels
