// File: strided.h
// Index arithmetic over row-major tensors that the elementwise, merging,
// reduction and einsum kernels share: numpy broadcasting of two operands
// into an output, axis permutation, and the offsets of a set of axes (to
// reduce or normalise over any axes without transposing).
#pragma once

#include <cstdint>
#include <cstring>
#include <span>
#include <vector>

#include "engine/tensor.h"

namespace kgate::engine::kernels {

// Row-major element strides of `shape`.
std::vector<int64_t> RowMajorStrides(const Dims& shape);

// Offsets, in row-major order, of every index that varies only the axes
// where `selected[axis]` is true (the others held at 0). With the selected
// axes as the reduced ones, Offsets(shape, reduced) walks one reduction and
// Offsets(shape, !reduced) walks the start of every reduction.
std::vector<int64_t> AxisOffsets(const Dims& shape, const std::vector<bool>& selected);

// out = in with axes permuted: out axis i is in axis perm[i] (transpose.h's
// Transpose with the arguments in the order the matmul-based ops use).
void Transpose(const void* in, const Dims& in_shape, std::span<const int> perm, size_t elem_size, void* out);

// Numpy broadcasting of operands a and b (right-aligned, size-1 dims
// stretch) into `out` (the broadcast shape, which the planner computed).
struct Broadcast {
  Dims out;
  std::vector<int64_t> a_strides, b_strides;  // per out axis; 0 where the operand stretches
};
// False when a or b does not broadcast to `out`.
bool MakeBroadcast(const Dims& a, const Dims& b, const Dims& out, Broadcast* plan);

template <typename A, typename B, typename O, typename F>
void ApplyBroadcast(const Broadcast& p, const A* a, const B* b, O* out, F f) {
  const size_t rank = p.out.size();
  if (rank == 0) {
    out[0] = f(a[0], b[0]);
    return;
  }
  int64_t total = 1;
  for (int64_t d : p.out) total *= d;
  if (total == 0) return;
  const int64_t inner = p.out[rank - 1], sa = p.a_strides[rank - 1], sb = p.b_strides[rank - 1];
  std::vector<int64_t> index(rank, 0);
  int64_t ao = 0, bo = 0;
  for (int64_t base = 0; base < total; base += inner) {
    for (int64_t i = 0; i < inner; ++i) out[base + i] = f(a[ao + i * sa], b[bo + i * sb]);
    // Advance the outer index (all axes but the last), odometer style.
    for (size_t d = rank - 1; d-- > 0;) {
      ao += p.a_strides[d];
      bo += p.b_strides[d];
      if (++index[d] < p.out[d]) break;
      ao -= p.a_strides[d] * p.out[d];
      bo -= p.b_strides[d] * p.out[d];
      index[d] = 0;
    }
  }
}

}  // namespace kgate::engine::kernels
