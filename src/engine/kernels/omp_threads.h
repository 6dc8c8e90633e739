// File: omp_threads.h
// Thread-count control for the oneDNN-backed kernels. oneDNN (OpenMP
// runtime) sizes a primitive's thread team from omp_get_max_threads() when
// the primitive is created, and each parallel region costs a fork/join that
// a small primitive does not earn back (and that stalls for a whole
// scheduler slice when the machine is oversubscribed). Kernels therefore
// create and run primitives below kParallelGrainMacs of work on the calling
// thread alone, as PyTorch's parallel_for does below its grain size.
#pragma once

#include <omp.h>

#include <cstdint>

namespace kgate::engine::kernels {

// About 25 microseconds of float32 multiply-adds on one AVX-512 core, a few
// times what a fork/join costs on an idle machine.
inline constexpr int64_t kParallelGrainMacs = int64_t{1} << 20;

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

// The team size for `macs` of work under the caller's current maximum.
inline int ThreadsFor(int64_t macs) { return macs < kParallelGrainMacs ? 1 : omp_get_max_threads(); }

}  // namespace kgate::engine::kernels
