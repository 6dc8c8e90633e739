// File: activation.h
// Keras's activation functions (keras.activations, Keras 3.15 on the JAX
// backend), computed in float32 exactly as Keras defines them: gelu is the
// exact erf form, hard_sigmoid is relu6(x + 3) / 6, selu uses Keras's
// constants, and so on. Ops apply an activation by its canonical name (the
// one keras/activations.h resolves); the axis-wise ones (softmax,
// log_softmax, sparsemax) work over the last axis.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "absl/status/status.h"
#include "oneapi/dnnl/dnnl.hpp"

namespace kgate::engine::kernels {

// Whether the engine computes `name` (glu changes the shape, which Keras's
// own shape inference ignores, so the engine refuses it).
bool IsSupportedActivation(std::string_view name);

// Applies `name` in place to `n` values laid out as rows of `last_dim`
// (last_dim only matters for the axis-wise activations).
absl::Status ApplyActivation(std::string_view name, float* data, int64_t n, int64_t last_dim);

// Elementwise activations as a oneDNN eltwise algorithm with alpha/beta, for
// fusing into a primitive as a post-op; nullopt for those oneDNN computes
// differently from Keras (they run with ApplyActivation instead).
struct DnnlEltwise {
  dnnl::algorithm algorithm;
  float alpha = 0.f;
  float beta = 0.f;
};
std::optional<DnnlEltwise> AsDnnlEltwise(std::string_view name);

// Activations applied value by value (everything but the axis-wise ones).
bool IsElementwise(std::string_view name);

}  // namespace kgate::engine::kernels
