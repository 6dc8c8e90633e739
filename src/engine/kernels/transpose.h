// File: transpose.h
// Axis permutation of a row-major tensor of 1-, 2- or 4-byte elements, and
// an element copy that converts between the engine's storage types. The
// reshaping ops (Permute, channels_first Flatten) and the normalization ops
// (reductions over axes that are not trailing) use them. Pure functions of
// their arguments; thread-safe.
#pragma once

#include <cstdint>
#include <span>

#include "engine/tensor.h"

namespace kgate::engine::kernels {

// dst[j...] = src[i...] where output axis k is input axis perm[k]; `dims`
// are the input's. `perm` must be a permutation of 0..rank-1.
void Transpose(const void* src, void* dst, const Dims& dims, std::span<const int> perm, size_t element_size);

// Copies `n` elements from `src` (dtype `from`) to `dst` (dtype `to`),
// converting as numpy's astype does (bool <-> numbers, int32 <-> float32).
void CopyConvert(const void* src, util::DType from, void* dst, util::DType to, int64_t n);

}  // namespace kgate::engine::kernels
