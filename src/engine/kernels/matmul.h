// File: matmul.h
// Batched float32 matrix products on oneDNN's matmul primitive, shared by
// Dense, EinsumDense and Dot: C[b] = A[b] (m x k) * B[b] (k x n) (+ bias
// over n) with an optional fused eltwise post-op, all row-major and dense.
// A batch of 1 on either operand broadcasts (a shared kernel). Created once
// per concrete shape (in an op's Prepare), then run concurrently: each run
// passes its own scratchpad (scratchpad_bytes() of the caller's per-run
// scratch), because oneDNN's default library-managed scratchpad is one buffer
// per primitive that concurrent executions would share and corrupt.
// Products below kernels::ParallelGrainMacs() run on the calling thread alone.
#pragma once

#include <cstdint>
#include <optional>

#include "absl/status/statusor.h"
#include "engine/kernels/activation.h"
#include "oneapi/dnnl/dnnl.hpp"

namespace kgate::engine::kernels {

struct MatmulShape {
  int64_t a_batch = 1;  // 1 or batch
  int64_t b_batch = 1;  // 1 or batch
  int64_t m = 0, k = 0, n = 0;
  bool bias = false;    // a bias vector of n values
};

class Matmul {
 public:
  static absl::StatusOr<Matmul> Create(const MatmulShape& shape, std::optional<DnnlEltwise> post_op = std::nullopt);
  // c = a * b (+ bias); the pointers hold the shape's element counts and
  // `scratchpad` holds scratchpad_bytes() bytes that no concurrent run uses.
  absl::Status Run(const float* a, const float* b, const float* bias, float* c, void* scratchpad) const;
  int64_t scratchpad_bytes() const { return static_cast<int64_t>(scratchpad_md_.get_size()); }
  const MatmulShape& shape() const { return shape_; }

 private:
  MatmulShape shape_;
  dnnl::memory::desc a_md_, b_md_, bias_md_, c_md_, scratchpad_md_;
  dnnl::matmul primitive_;
  int threads_ = 1;  // the OpenMP team, from the product's size (kernels::ThreadsFor)
};

}  // namespace kgate::engine::kernels
