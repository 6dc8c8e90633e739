#include "engine/kernels/transpose.h"

#include <cmath>
#include <cstdint>
#include <cstring>
#include <vector>

namespace kgate::engine::kernels {
namespace {

// Walks the output in row-major order; the innermost output axis is copied
// in a tight loop with the input stride of that axis.
template <typename T>
void TransposeTyped(const T* src, T* dst, const Dims& dims, std::span<const int> perm) {
  const size_t rank = dims.size();
  std::vector<int64_t> in_stride(rank, 1);
  for (size_t i = rank; i-- > 1;) in_stride[i - 1] = in_stride[i] * dims[i];
  std::vector<int64_t> out_dims(rank), stride(rank);
  for (size_t k = 0; k < rank; ++k) {
    out_dims[k] = dims[perm[k]];
    stride[k] = in_stride[perm[k]];
  }
  const int64_t total = NumElements(dims);
  if (total == 0) return;
  if (rank == 0) {
    dst[0] = src[0];
    return;
  }
  const int64_t inner = out_dims[rank - 1];
  const int64_t inner_stride = stride[rank - 1];
  std::vector<int64_t> index(rank, 0);
  int64_t offset = 0;
  for (int64_t done = 0; done < total; done += inner) {
    const T* s = src + offset;
    for (int64_t j = 0; j < inner; ++j) dst[done + j] = s[j * inner_stride];
    // Advance the outer axes (all but the innermost) like an odometer.
    for (size_t k = rank - 1; k-- > 0;) {
      offset += stride[k];
      if (++index[k] < out_dims[k]) break;
      offset -= stride[k] * out_dims[k];
      index[k] = 0;
    }
  }
}

// float -> int32 as XLA converts: truncation, saturating, NaN to 0 (a
// plain cast would be undefined behaviour there).
int32_t ToInt32(double v) {
  if (std::isnan(v)) return 0;
  if (v <= -2147483648.0) return INT32_MIN;
  if (v >= 2147483647.0) return INT32_MAX;
  return static_cast<int32_t>(v);
}

}  // namespace

void Transpose(const void* src, void* dst, const Dims& dims, std::span<const int> perm, size_t element_size) {
  switch (element_size) {
    case 1: TransposeTyped(static_cast<const uint8_t*>(src), static_cast<uint8_t*>(dst), dims, perm); break;
    case 2: TransposeTyped(static_cast<const uint16_t*>(src), static_cast<uint16_t*>(dst), dims, perm); break;
    default: TransposeTyped(static_cast<const uint32_t*>(src), static_cast<uint32_t*>(dst), dims, perm); break;
  }
}

void CopyConvert(const void* src, util::DType from, void* dst, util::DType to, int64_t n) {
  using util::DType;
  if (from == to) {
    std::memcpy(dst, src, static_cast<size_t>(n) * util::DTypeSize(from));
    return;
  }
  auto load = [&](int64_t i) -> double {
    switch (from) {
      case DType::kBool: return static_cast<const uint8_t*>(src)[i];
      case DType::kInt32: return static_cast<const int32_t*>(src)[i];
      default: return static_cast<const float*>(src)[i];
    }
  };
  for (int64_t i = 0; i < n; ++i) {
    const double v = load(i);
    switch (to) {
      case DType::kBool: static_cast<uint8_t*>(dst)[i] = v != 0; break;
      case DType::kInt32: static_cast<int32_t*>(dst)[i] = ToInt32(v); break;
      default: static_cast<float*>(dst)[i] = static_cast<float>(v); break;
    }
  }
}

}  // namespace kgate::engine::kernels
