#include "engine/kernels/activation.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "engine/kernels/omp_threads.h"
#include "util/strings.h"

namespace kgate::engine::kernels {
namespace {

// jax.nn.softplus: log(1 + exp(x)) computed as logaddexp(x, 0).
inline float Softplus(float x) { return std::max(x, 0.f) + std::log1p(std::exp(-std::fabs(x))); }
inline float Sigmoid(float x) { return 1.f / (1.f + std::exp(-x)); }

constexpr float kSeluAlpha = 1.6732632423543772848170429916717f;
constexpr float kSeluScale = 1.0507009873554804934193349852946f;

template <typename F>
void Map(float* x, int64_t n, F f) {
#pragma omp parallel for schedule(static) if (ParallelOverElements(n))
  for (int64_t i = 0; i < n; ++i) x[i] = f(x[i]);
}

void Softmax(float* x, int64_t rows, int64_t d, bool log) {
#pragma omp parallel for schedule(static) if (ParallelOverElements(rows * d))
  for (int64_t r = 0; r < rows; ++r) {
    float* row = x + r * d;
    float m = -INFINITY;
    for (int64_t i = 0; i < d; ++i) m = std::max(m, row[i]);
    float sum = 0.f;
    for (int64_t i = 0; i < d; ++i) sum += std::exp(row[i] - m);
    if (log) {
      const float lse = std::log(sum);
      for (int64_t i = 0; i < d; ++i) row[i] = row[i] - m - lse;
    } else {
      for (int64_t i = 0; i < d; ++i) row[i] = std::exp(row[i] - m) / sum;
    }
  }
}

// Sparsemax as Keras's JAX backend computes it (keras/src/backend/jax/nn.py),
// which is not the paper's threshold: sort descending, support = z_i -
// (cumsum_i - 1) / i > 0, k = |support|, tau = (sum of cumsum_i over the
// support - 1) / k.
void Sparsemax(float* x, int64_t rows, int64_t d) {
  std::vector<float> z(d);
  for (int64_t r = 0; r < rows; ++r) {
    float* row = x + r * d;
    z.assign(row, row + d);
    std::sort(z.begin(), z.end(), std::greater<float>());
    float cumsum = 0.f, support_sum = 0.f;
    int64_t k = 0;
    for (int64_t i = 0; i < d; ++i) {
      cumsum += z[i];
      if (z[i] - (cumsum - 1.f) / static_cast<float>(i + 1) > 0.f) {
        ++k;
        support_sum += cumsum;
      }
    }
    const float tau = (support_sum - 1.f) / static_cast<float>(k);
    for (int64_t i = 0; i < d; ++i) row[i] = std::max(row[i] - tau, 0.f);
  }
}

}  // namespace

bool IsElementwise(std::string_view name) {
  return name != "softmax" && name != "log_softmax" && name != "sparsemax" && name != "glu";
}

bool IsSupportedActivation(std::string_view name) {
  static constexpr std::string_view kNames[] = {
      "celu", "elu", "exponential", "gelu", "hard_shrink", "hard_sigmoid", "hard_silu", "hard_tanh",
      "leaky_relu", "linear", "log_sigmoid", "log_softmax", "mish", "relu", "relu6", "selu", "sigmoid",
      "silu", "soft_shrink", "softmax", "softplus", "softsign", "sparse_plus", "sparse_sigmoid",
      "sparsemax", "squareplus", "tanh", "tanh_shrink"};
  return std::find(std::begin(kNames), std::end(kNames), name) != std::end(kNames);
}

absl::Status ApplyActivation(std::string_view name, float* x, int64_t n, int64_t last_dim) {
  if (name == "linear") return absl::OkStatus();
  if (name == "relu") { Map(x, n, [](float v) { return std::max(v, 0.f); }); return absl::OkStatus(); }
  if (name == "relu6") { Map(x, n, [](float v) { return std::min(std::max(v, 0.f), 6.f); }); return absl::OkStatus(); }
  if (name == "sigmoid") { Map(x, n, Sigmoid); return absl::OkStatus(); }
  if (name == "tanh") { Map(x, n, [](float v) { return std::tanh(v); }); return absl::OkStatus(); }
  if (name == "silu") { Map(x, n, [](float v) { return v * Sigmoid(v); }); return absl::OkStatus(); }
  if (name == "gelu") {
    Map(x, n, [](float v) { return 0.5f * v * (1.f + std::erf(v * static_cast<float>(M_SQRT1_2))); });
    return absl::OkStatus();
  }
  if (name == "softplus") { Map(x, n, Softplus); return absl::OkStatus(); }
  if (name == "softsign") { Map(x, n, [](float v) { return v / (1.f + std::fabs(v)); }); return absl::OkStatus(); }
  if (name == "elu") { Map(x, n, [](float v) { return v > 0.f ? v : std::expm1(v); }); return absl::OkStatus(); }
  if (name == "celu") { Map(x, n, [](float v) { return std::max(v, 0.f) + std::min(0.f, std::expm1(v)); }); return absl::OkStatus(); }
  if (name == "selu") {
    Map(x, n, [](float v) { return kSeluScale * (v > 0.f ? v : kSeluAlpha * std::expm1(v)); });
    return absl::OkStatus();
  }
  if (name == "exponential") { Map(x, n, [](float v) { return std::exp(v); }); return absl::OkStatus(); }
  if (name == "hard_sigmoid") {
    Map(x, n, [](float v) { return std::min(std::max(v + 3.f, 0.f), 6.f) / 6.f; });
    return absl::OkStatus();
  }
  if (name == "hard_silu") {
    Map(x, n, [](float v) { return v * (std::min(std::max(v + 3.f, 0.f), 6.f) / 6.f); });
    return absl::OkStatus();
  }
  if (name == "hard_tanh") { Map(x, n, [](float v) { return std::min(std::max(v, -1.f), 1.f); }); return absl::OkStatus(); }
  if (name == "leaky_relu") { Map(x, n, [](float v) { return v >= 0.f ? v : 0.2f * v; }); return absl::OkStatus(); }
  if (name == "log_sigmoid") { Map(x, n, [](float v) { return -Softplus(-v); }); return absl::OkStatus(); }
  if (name == "mish") { Map(x, n, [](float v) { return v * std::tanh(Softplus(v)); }); return absl::OkStatus(); }
  if (name == "hard_shrink") { Map(x, n, [](float v) { return std::fabs(v) > 0.5f ? v : 0.f; }); return absl::OkStatus(); }
  if (name == "soft_shrink") {
    Map(x, n, [](float v) { return v > 0.5f ? v - 0.5f : (v < -0.5f ? v + 0.5f : 0.f); });
    return absl::OkStatus();
  }
  if (name == "tanh_shrink") { Map(x, n, [](float v) { return v - std::tanh(v); }); return absl::OkStatus(); }
  if (name == "sparse_plus") {
    Map(x, n, [](float v) { return v <= -1.f ? 0.f : (v >= 1.f ? v : 0.25f * (v + 1.f) * (v + 1.f)); });
    return absl::OkStatus();
  }
  if (name == "sparse_sigmoid") {
    Map(x, n, [](float v) { return v <= -1.f ? 0.f : (v >= 1.f ? 1.f : 0.5f * (v + 1.f)); });
    return absl::OkStatus();
  }
  if (name == "squareplus") {
    Map(x, n, [](float v) { return (v + std::sqrt(v * v + 4.f)) / 2.f; });
    return absl::OkStatus();
  }
  if (last_dim <= 0 || n % last_dim != 0) {
    return absl::InvalidArgumentError(util::StrCat("activation ", name, ": bad last dimension ", last_dim));
  }
  if (name == "softmax") { Softmax(x, n / last_dim, last_dim, false); return absl::OkStatus(); }
  if (name == "log_softmax") { Softmax(x, n / last_dim, last_dim, true); return absl::OkStatus(); }
  if (name == "sparsemax") { Sparsemax(x, n / last_dim, last_dim); return absl::OkStatus(); }
  return absl::UnimplementedError(util::StrCat("activation '", name, "' is not supported by the engine"));
}

std::optional<DnnlEltwise> AsDnnlEltwise(std::string_view name) {
  using A = dnnl::algorithm;
  if (name == "relu") return DnnlEltwise{A::eltwise_relu, 0.f, 0.f};
  if (name == "relu6") return DnnlEltwise{A::eltwise_clip_v2, 0.f, 6.f};
  if (name == "sigmoid") return DnnlEltwise{A::eltwise_logistic, 0.f, 0.f};
  if (name == "tanh") return DnnlEltwise{A::eltwise_tanh, 0.f, 0.f};
  if (name == "silu") return DnnlEltwise{A::eltwise_swish, 1.f, 0.f};
  if (name == "gelu") return DnnlEltwise{A::eltwise_gelu_erf, 0.f, 0.f};
  if (name == "elu") return DnnlEltwise{A::eltwise_elu, 1.f, 0.f};
  if (name == "exponential") return DnnlEltwise{A::eltwise_exp, 0.f, 0.f};
  // oneDNN 2.6's hardswish is x * relu6(x + 3) / 6, Keras's hard_silu.
  if (name == "hard_silu") return DnnlEltwise{A::eltwise_hardswish, 0.f, 0.f};
  return std::nullopt;
}

}  // namespace kgate::engine::kernels
