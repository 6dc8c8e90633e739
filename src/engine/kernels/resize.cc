#include "engine/kernels/resize.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace kgate::engine::kernels {
namespace {

constexpr float kPi = static_cast<float>(M_PI);

float Triangle(float x) { return std::max(0.f, 1.f - std::fabs(x)); }

float KeysCubic(float x) {
  if (x >= 2.f) return 0.f;
  if (x >= 1.f) return ((-0.5f * x + 2.5f) * x - 4.f) * x + 2.f;
  return ((1.5f * x - 2.5f) * x) * x + 1.f;
}

float Lanczos(float radius, float x) {
  if (x > radius) return 0.f;
  if (!(x > 1e-3f)) return 1.f;
  const float y = radius * std::sin(kPi * x) * std::sin(kPi * x / radius);
  return y / (kPi * kPi * x * x);
}

}  // namespace

bool IsResizeMethod(std::string_view m) {
  return m == "bilinear" || m == "bicubic" || m == "lanczos3" || m == "lanczos5";
}

std::vector<std::vector<ResizeTap>> ResizeTaps(int64_t input_size, int64_t output_size, std::string_view method) {
  const double scale = static_cast<double>(output_size) / static_cast<double>(input_size);
  const auto inv_scale = static_cast<float>(1.0 / scale);
  std::vector<std::vector<ResizeTap>> taps(static_cast<size_t>(output_size));
  std::vector<float> w(static_cast<size_t>(input_size));
  for (int64_t o = 0; o < output_size; ++o) {
    const float sample = (static_cast<float>(o) + 0.5f) * inv_scale - 0.5f;
    float total = 0.f;
    for (int64_t i = 0; i < input_size; ++i) {
      const float x = std::fabs(sample - static_cast<float>(i));
      float v;
      if (method == "bicubic") {
        v = KeysCubic(x);
      } else if (method == "lanczos3") {
        v = Lanczos(3.f, x);
      } else if (method == "lanczos5") {
        v = Lanczos(5.f, x);
      } else {
        v = Triangle(x);
      }
      w[i] = v;
      total += v;
    }
    const bool usable = std::fabs(total) > 1000.f * std::numeric_limits<float>::epsilon();
    const bool inside = sample >= -0.5f && sample <= static_cast<float>(input_size) - 0.5f;
    if (!usable || !inside) continue;
    for (int64_t i = 0; i < input_size; ++i) {
      if (w[i] != 0.f) taps[o].push_back({i, w[i] / total});
    }
  }
  return taps;
}

void ResizeAxis(const float* src, float* dst, int64_t outer, int64_t inner,
                const std::vector<std::vector<ResizeTap>>& taps, int64_t input_size) {
  const auto output_size = static_cast<int64_t>(taps.size());
#pragma omp parallel for schedule(static) if (outer * output_size * inner > 65536)
  for (int64_t b = 0; b < outer; ++b) {
    for (int64_t o = 0; o < output_size; ++o) {
      float* d = dst + (b * output_size + o) * inner;
      std::fill(d, d + inner, 0.f);
      for (const ResizeTap& t : taps[o]) {
        const float* s = src + (b * input_size + t.input) * inner;
        for (int64_t j = 0; j < inner; ++j) d[j] += t.weight * s[j];
      }
    }
  }
}

}  // namespace kgate::engine::kernels
