// File: image_resize.h
// jax.image.resize as the Resizing and CenterCrop layers call it on Keras's
// JAX backend (antialias on or off, translation 0; resize.h is the
// antialias-free variant UpSampling2D uses), reproduced in float32 step by step: "nearest" picks
// floor((i + 0.5) * in / out) computed in float32; "bilinear", "bicubic"
// (Keys, a = -0.5), "lanczos3" and "lanczos5" build jax's per-axis weight
// matrix (kernel over |sample - j| / kernel_scale, columns normalised,
// samples outside [-0.5, in - 0.5] zeroed) and contract each resized axis
// with it. Axes whose size does not change are left alone, as jax does.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace kgate::engine::kernels {

enum class ResizeMethod { kNearest, kLinear, kCubic, kLanczos3, kLanczos5 };

// Keras's interpolation name ("bilinear", ...) as a method; an error for
// names jax.image.resize does not implement for Keras ("area").
absl::StatusOr<ResizeMethod> ParseResizeMethod(std::string_view interpolation);

// The resampling of one axis from `in` to `out` samples: output i is
// sum_k weights[i][k] * input[first[i] + k].
struct AxisResampling {
  std::vector<int64_t> first;
  std::vector<std::vector<float>> weights;
};
AxisResampling MakeAxisResampling(int64_t in, int64_t out, ResizeMethod method, bool antialias);

// Resamples axis 1 of a row-major (outer, in, inner) float array into
// (outer, out, inner).
void ResampleAxis(const float* src, int64_t outer, int64_t in, int64_t inner, const AxisResampling& r, float* dst);

}  // namespace kgate::engine::kernels
