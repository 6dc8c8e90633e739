#include "engine/ops/layer_support.h"

#include <cmath>
#include <cstring>

#include "util/strings.h"

namespace kgate::engine::ops {

const graph::Weight* FindWeight(const graph::Layer& layer, std::string_view name) {
  for (const graph::Weight& w : layer.weights) {
    if (w.name == name && w.group.empty()) return &w;
  }
  return nullptr;
}

std::shared_ptr<AlignedBuffer> NewFloats(int64_t n) {
  return std::make_shared<AlignedBuffer>(static_cast<size_t>(std::max<int64_t>(n, 1)) * sizeof(float));
}

absl::StatusOr<SharedFloats> CopyWeight(const graph::Layer& layer, std::string_view name, int64_t expected) {
  const graph::Weight* w = FindWeight(layer, name);
  if (w == nullptr) return OpError(layer, util::StrCat("the variable '", name, "' is missing"));
  const int64_t n = static_cast<int64_t>(w->values.size());
  if (n != graph::NumElements(w->shape) || (expected >= 0 && n != expected)) {
    return OpError(layer, util::StrCat("the variable '", name, "' has ", n, " values; expected ",
                                       expected >= 0 ? expected : graph::NumElements(w->shape)));
  }
  std::shared_ptr<AlignedBuffer> out = NewFloats(n);
  if (n > 0) std::memcpy(out->data(), w->values.data(), static_cast<size_t>(n) * sizeof(float));
  return SharedFloats(std::move(out));
}

void CopyAsFloat(const Tensor& in, float* out) {
  const int64_t n = in.num_elements();
  if (in.dtype == util::DType::kFloat32) {
    if (n > 0 && out != in.f32()) std::memcpy(out, in.data, static_cast<size_t>(n) * sizeof(float));
    return;
  }
  for (int64_t i = 0; i < n; ++i) out[i] = LoadAsFloat(in, i);
}

bool IsFloatStorage(util::DType keras_dtype) { return StorageType(keras_dtype) == util::DType::kFloat32; }

void ApplyGlu(const float* in, int64_t rows, int64_t d, float* out) {
  const int64_t half = d / 2;
  for (int64_t r = 0; r < rows; ++r) {
    const float* a = in + r * d;
    for (int64_t i = 0; i < half; ++i) out[r * half + i] = a[i] * (1.f / (1.f + std::exp(-a[half + i])));
  }
}

void HalveLastAxis(std::span<Dims> outputs) {
  if (!outputs.empty() && !outputs[0].empty() && outputs[0].back() > 0) outputs[0].back() /= 2;
}

size_t PositionalCount(const OpContext& ctx) {
  size_t n = 0;
  while (n < ctx.input_keywords.size() && ctx.input_keywords[n].empty()) ++n;
  return ctx.input_keywords.empty() ? ctx.inputs.size() : n;
}

int64_t Product(const Dims& dims, size_t begin, size_t end) {
  int64_t p = 1;
  for (size_t i = begin; i < end && i < dims.size(); ++i) p *= dims[i];
  return p;
}

}  // namespace kgate::engine::ops
