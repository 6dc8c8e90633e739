// File: tensor.h
// Tensors as the engine sees them. Inside the engine every value is one of
// three storage types, as Keras's JAX backend computes them (x64 disabled):
// float32 for every floating tensor, int32 for every integer tensor, bool
// (one byte) for masks. `Tensor` is a non-owning view with a concrete shape;
// `HostTensor` owns 64-byte aligned memory and is what crosses the engine's
// public API (request inputs, prediction outputs).
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <span>
#include <utility>

#include "graph/graph.h"
#include "util/dtype.h"

namespace kgate::engine {

using graph::Dims;

// The engine storage type for a Keras dtype: floating -> float32, integer ->
// int32, bool -> bool. kString has none (returns kString).
util::DType StorageType(util::DType keras_dtype);

// Number of elements of a concrete shape (every dim >= 0).
int64_t NumElements(const Dims& dims);

struct Tensor {
  util::DType dtype = util::DType::kFloat32;  // kFloat32, kInt32 or kBool
  Dims shape;
  void* data = nullptr;

  int64_t num_elements() const { return NumElements(shape); }
  int64_t num_bytes() const { return num_elements() * static_cast<int64_t>(util::DTypeSize(dtype)); }
  float* f32() const { return static_cast<float*>(data); }
  int32_t* i32() const { return static_cast<int32_t*>(data); }
  uint8_t* b8() const { return static_cast<uint8_t*>(data); }  // bool: 0 or 1
};

// Heap memory aligned to 64 bytes (a cache line, an AVX-512 vector).
class AlignedBuffer {
 public:
  AlignedBuffer() = default;
  explicit AlignedBuffer(size_t bytes);
  AlignedBuffer(AlignedBuffer&& other) noexcept : data_(std::exchange(other.data_, nullptr)),
                                                  size_(std::exchange(other.size_, 0)) {}
  AlignedBuffer& operator=(AlignedBuffer&& other) noexcept {
    std::swap(data_, other.data_);
    std::swap(size_, other.size_);
    return *this;
  }
  AlignedBuffer(const AlignedBuffer&) = delete;
  AlignedBuffer& operator=(const AlignedBuffer&) = delete;
  ~AlignedBuffer() { std::free(data_); }

  void* data() const { return data_; }
  size_t size() const { return size_; }
  float* f32() const { return static_cast<float*>(data_); }

 private:
  void* data_ = nullptr;
  size_t size_ = 0;
};

struct HostTensor {
  util::DType dtype = util::DType::kFloat32;
  Dims shape;
  AlignedBuffer buffer;

  // Allocates an uninitialised tensor of `dtype` and `shape`.
  static HostTensor Allocate(util::DType dtype, Dims shape);
  Tensor view() const { return Tensor{dtype, shape, buffer.data()}; }
};

}  // namespace kgate::engine
