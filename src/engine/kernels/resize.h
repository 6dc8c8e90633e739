// File: resize.h
// Image resizing as jax.image.resize computes it without antialiasing (what
// keras.ops.image.resize and UpSampling2D's interpolating modes call on the
// JAX backend): per spatial axis, a weight matrix from half-pixel sample
// positions and a kernel (triangle for "bilinear", Keys cubic with a = -0.5
// for "bicubic", Lanczos 3/5; Keras's JAX resize refuses "area", so does
// this), normalised per output
// and zero where the sample falls outside the input, evaluated in float32 as
// JAX does. Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

namespace kgate::engine::kernels {

struct ResizeTap {
  int64_t input = 0;
  float weight = 0.f;
};

// Whether `method` is one ResizeTaps computes.
bool IsResizeMethod(std::string_view method);

// Per output index, the inputs it reads with their weights (non-zero only).
std::vector<std::vector<ResizeTap>> ResizeTaps(int64_t input_size, int64_t output_size, std::string_view method);

// Resizes one axis: src viewed as (outer, in, inner) -> dst (outer, out, inner).
void ResizeAxis(const float* src, float* dst, int64_t outer, int64_t inner,
                const std::vector<std::vector<ResizeTap>>& taps, int64_t input_size);

}  // namespace kgate::engine::kernels
