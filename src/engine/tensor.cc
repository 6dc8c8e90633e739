#include "engine/tensor.h"

#include <new>

namespace kgate::engine {

util::DType StorageType(util::DType t) {
  if (t == util::DType::kBool) return util::DType::kBool;
  if (util::IsInteger(t)) return util::DType::kInt32;
  if (util::IsFloating(t)) return util::DType::kFloat32;
  return t;
}

int64_t NumElements(const Dims& dims) {
  int64_t n = 1;
  for (int64_t d : dims) n *= d;
  return n;
}

AlignedBuffer::AlignedBuffer(size_t bytes) : size_(bytes) {
  // aligned_alloc needs a size that is a multiple of the alignment; never 0.
  const size_t rounded = (bytes + 63) / 64 * 64;
  data_ = std::aligned_alloc(64, rounded == 0 ? 64 : rounded);
  if (data_ == nullptr) throw std::bad_alloc();
}

HostTensor HostTensor::Allocate(util::DType dtype, Dims shape) {
  HostTensor t;
  t.dtype = dtype;
  t.buffer = AlignedBuffer(static_cast<size_t>(NumElements(shape)) * util::DTypeSize(dtype));
  t.shape = std::move(shape);
  return t;
}

}  // namespace kgate::engine
