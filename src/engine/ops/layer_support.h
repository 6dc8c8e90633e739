// File: layer_support.h
// Small helpers that the layer families' factories and kernels share:
// finding a layer's variable by its Keras name, copying weights out of the
// graph (which frees them after compile) into aligned op-owned memory, and
// reading any engine tensor as float32 (Keras autocasts integer and bool
// tensors where a layer computes in float).
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string_view>

#include "absl/status/statusor.h"
#include "engine/op.h"
#include "engine/tensor.h"
#include "graph/graph.h"

namespace kgate::engine::ops {

// The weight named `name` of `layer` (group ""), or nullptr.
const graph::Weight* FindWeight(const graph::Layer& layer, std::string_view name);

// Weight `name` copied into shared aligned memory; an error naming the layer
// when it is missing or has not `expected` elements (-1 = any).
using SharedFloats = std::shared_ptr<const AlignedBuffer>;
absl::StatusOr<SharedFloats> CopyWeight(const graph::Layer& layer, std::string_view name, int64_t expected = -1);
// Aligned float memory holding `n` floats.
std::shared_ptr<AlignedBuffer> NewFloats(int64_t n);

// Element `i` of a float32, int32 or bool tensor as float.
inline float LoadAsFloat(const Tensor& t, int64_t i) {
  switch (t.dtype) {
    case util::DType::kInt32: return static_cast<float>(t.i32()[i]);
    case util::DType::kBool: return static_cast<float>(t.b8()[i]);
    default: return t.f32()[i];
  }
}
// Writes the whole of `in` as float32 into `out` (n = in.num_elements()).
void CopyAsFloat(const Tensor& in, float* out);

// Whether `dtype` (a Keras dtype) is stored as float32 by the engine.
bool IsFloatStorage(util::DType keras_dtype);

// keras.activations.glu over the last axis (jax.nn.glu): the first half of
// each row of `d` values times the sigmoid of the second half, into rows of
// d / 2. Keras's symbolic shapes keep d, so ops that apply glu halve their
// output in Op::RefineOutputShapes.
void ApplyGlu(const float* in, int64_t rows, int64_t d, float* out);
// RefineOutputShapes for an op whose activation is glu: halves the last axis.
void HalveLastAxis(std::span<Dims> outputs);

// Number of positional inputs (they precede the keyword ones).
size_t PositionalCount(const OpContext& ctx);

// Product of dims [begin, end).
int64_t Product(const Dims& dims, size_t begin, size_t end);

}  // namespace kgate::engine::ops
