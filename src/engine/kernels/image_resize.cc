#include "engine/kernels/image_resize.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "util/strings.h"

namespace kgate::engine::kernels {
namespace {

constexpr float kPi = static_cast<float>(M_PI);

float Kernel(ResizeMethod method, float x) {
  switch (method) {
    case ResizeMethod::kLinear: return std::max(0.f, 1.f - std::fabs(x));
    case ResizeMethod::kCubic: {
      if (x >= 2.f) return 0.f;
      if (x >= 1.f) return ((-0.5f * x + 2.5f) * x - 4.f) * x + 2.f;
      return ((1.5f * x - 2.5f) * x) * x + 1.f;
    }
    case ResizeMethod::kLanczos3:
    case ResizeMethod::kLanczos5: {
      const float radius = method == ResizeMethod::kLanczos3 ? 3.f : 5.f;
      if (x > radius) return 0.f;
      const float y = radius * std::sin(kPi * x) * std::sin(kPi * x / radius);
      return x > 1e-3f ? y / (static_cast<float>(M_PI * M_PI) * (x * x)) : 1.f;
    }
    case ResizeMethod::kNearest: break;
  }
  return 0.f;
}

}  // namespace

absl::StatusOr<ResizeMethod> ParseResizeMethod(std::string_view name) {
  if (name == "nearest") return ResizeMethod::kNearest;
  if (name == "bilinear") return ResizeMethod::kLinear;
  if (name == "bicubic") return ResizeMethod::kCubic;
  if (name == "lanczos3") return ResizeMethod::kLanczos3;
  if (name == "lanczos5") return ResizeMethod::kLanczos5;
  return absl::InvalidArgumentError(util::StrCat("interpolation '", name, "' is not available on Keras's JAX backend"));
}

AxisResampling MakeAxisResampling(int64_t in, int64_t out, ResizeMethod method, bool antialias) {
  AxisResampling r;
  r.first.resize(out);
  r.weights.resize(out);
  if (method == ResizeMethod::kNearest) {
    for (int64_t i = 0; i < out; ++i) {
      const float offset = (static_cast<float>(i) + 0.5f) * static_cast<float>(in) / static_cast<float>(out);
      r.first[i] = std::clamp<int64_t>(static_cast<int64_t>(std::floor(offset)), 0, in - 1);
      r.weights[i] = {1.f};
    }
    return r;
  }
  // compute_weight_mat: scale and 1/scale are Python floats, the rest float32.
  const double scale = static_cast<double>(out) / static_cast<double>(in);
  const float inv_scale = static_cast<float>(1.0 / scale);
  const float kernel_scale = antialias ? std::max(inv_scale, 1.f) : 1.f;
  const float eps = std::numeric_limits<float>::epsilon();
  const float upper = static_cast<float>(static_cast<double>(in) - 0.5);
  std::vector<float> column(in);
  for (int64_t i = 0; i < out; ++i) {
    const float sample = (static_cast<float>(i) + 0.5f) * inv_scale - 0.5f;
    float total = 0.f;
    for (int64_t j = 0; j < in; ++j) {
      float x = std::fabs(sample - static_cast<float>(j));
      if (antialias) x = x / kernel_scale;
      column[j] = Kernel(method, x);
      total += column[j];
    }
    const bool inside = sample >= -0.5f && sample <= upper;
    const bool keep = std::fabs(total) > 1000.f * eps && inside;
    for (int64_t j = 0; j < in; ++j) column[j] = keep ? column[j] / total : 0.f;
    int64_t lo = 0, hi = in;
    while (lo < in && column[lo] == 0.f) ++lo;
    while (hi > lo && column[hi - 1] == 0.f) --hi;
    r.first[i] = lo;
    r.weights[i].assign(column.begin() + lo, column.begin() + hi);
  }
  return r;
}

void ResampleAxis(const float* src, int64_t outer, int64_t in, int64_t inner, const AxisResampling& r, float* dst) {
  const int64_t out = static_cast<int64_t>(r.first.size());
  for (int64_t o = 0; o < outer; ++o) {
    for (int64_t i = 0; i < out; ++i) {
      float* d = dst + (o * out + i) * inner;
      std::fill(d, d + inner, 0.f);
      const std::vector<float>& w = r.weights[i];
      for (size_t k = 0; k < w.size(); ++k) {
        const float* s = src + (o * in + r.first[i] + static_cast<int64_t>(k)) * inner;
        for (int64_t c = 0; c < inner; ++c) d[c] += w[k] * s[c];
      }
    }
  }
}

}  // namespace kgate::engine::kernels
