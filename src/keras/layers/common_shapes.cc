#include "keras/layers/common_shapes.h"

#include <algorithm>
#include <cctype>

#include "keras/layer_registry.h"
#include "util/rules.h"
#include "util/strings.h"

namespace kgate::keras::layers {
namespace {

using graph::kUnknownDim;

absl::Status ShapeError(std::string_view message) {
  return util::RuleError(util::rules::kConfigInvalid, message);
}

// Python's floor division for b > 0.
int64_t FloorDiv(int64_t a, int64_t b) {
  int64_t q = a / b;
  if ((a % b != 0) && (a < 0)) --q;
  return q;
}

absl::StatusOr<int64_t> CheckedResult(int64_t v, std::string_view what) {
  if (v > kMaxDim) {
    return util::RuleLimitError(util::rules::kConfigInvalid,
                                util::StrCat(what, " output length ", v, " exceeds kMaxDim (", kMaxDim, ")"));
  }
  return v;
}

}  // namespace

absl::Status ForLayer(const graph::Layer& layer, const absl::Status& status) {
  if (status.ok()) return status;
  absl::Status out = LayerError(layer, util::ToStd(status.message()));
  if (status.code() == absl::StatusCode::kResourceExhausted) {
    out = util::WithRule(absl::ResourceExhaustedError(std::string(util::ToStd(out.message()))),
                         util::rules::kConfigInvalid);
  }
  return out;
}

absl::StatusOr<int64_t> NormalizeAxis(int64_t axis, int64_t rank) {
  if (rank <= 0 || axis < -rank || axis >= rank) {
    return ShapeError(util::StrCat("axis ", axis, " is out of range for a tensor of rank ", rank,
                                   " (expected ", -rank, " <= axis < ", rank, ")"));
  }
  return axis < 0 ? axis + rank : axis;
}

absl::StatusOr<graph::Dims> BroadcastShapes(const graph::Dims& a, const graph::Dims& b) {
  size_t n = std::max(a.size(), b.size());
  graph::Dims x(n - a.size(), 1);
  x.insert(x.end(), a.begin(), a.end());
  graph::Dims y(n - b.size(), 1);
  y.insert(y.end(), b.begin(), b.end());
  graph::Dims out(n);
  for (size_t i = 0; i < n; ++i) {
    if (x[i] == 1) {
      out[i] = y[i];
    } else if (x[i] == kUnknownDim) {
      out[i] = y[i] == 1 ? kUnknownDim : y[i];
    } else if (y[i] == 1 || y[i] == kUnknownDim || y[i] == x[i]) {
      out[i] = x[i];
    } else {
      return ShapeError(util::StrCat("cannot broadcast shapes ", graph::ShapeString(a), " and ",
                                     graph::ShapeString(b), ": dimension ", x[i], " against ", y[i]));
    }
  }
  return out;
}

bool DimsCompatible(int64_t a, int64_t b) { return a == kUnknownDim || b == kUnknownDim || a == b; }

int64_t MergeDim(int64_t a, int64_t b) { return a == kUnknownDim ? b : a; }

absl::StatusOr<int64_t> ConvOutputLength(int64_t input, int64_t kernel, std::string_view padding,
                                         int64_t stride, int64_t dilation) {
  if (kernel < 1 || stride < 1 || dilation < 1) {
    return ShapeError(util::StrCat("kernel (", kernel, "), stride (", stride, ") and dilation (", dilation,
                                   ") must all be >= 1"));
  }
  if (padding != "valid" && padding != "same" && padding != "causal") {
    return ShapeError(util::StrCat("padding must be 'valid', 'same' or 'causal', got '", padding, "'"));
  }
  if (input == kUnknownDim) return kUnknownDim;
  if (padding == "valid") {
    int64_t out = FloorDiv(input - dilation * (kernel - 1) - 1, stride) + 1;
    if (out <= 0) {
      return ShapeError(util::StrCat("computed output size would be zero or negative: input ", input, ", kernel ",
                                     kernel, ", dilation ", dilation, ", stride ", stride, ", padding 'valid'"));
    }
    return out;
  }
  return FloorDiv(input - 1, stride) + 1;
}

absl::StatusOr<int64_t> PoolOutputLength(int64_t input, int64_t pool, std::string_view padding,
                                         int64_t stride) {
  if (padding != "valid" && padding != "same") {
    return ShapeError(util::StrCat("padding must be 'valid' or 'same', got '", padding, "'"));
  }
  if (pool < 1 || stride < 1) {
    return ShapeError(util::StrCat("pool size (", pool, ") and stride (", stride, ") must be >= 1"));
  }
  if (input == kUnknownDim) return kUnknownDim;
  if (padding == "valid") {
    int64_t out = FloorDiv(input - pool, stride) + 1;
    if (out <= 0) {
      return ShapeError(util::StrCat("computed output size would be zero or negative: input ", input,
                                     ", pool size ", pool, ", stride ", stride, ", padding 'valid'"));
    }
    return out;
  }
  return FloorDiv(input - 1, stride) + 1;
}

absl::StatusOr<int64_t> DeconvOutputLength(int64_t input, int64_t kernel, std::string_view padding,
                                           int64_t stride, int64_t dilation,
                                           std::optional<int64_t> output_padding) {
  if (kernel < 1 || stride < 1 || dilation < 1) {
    return ShapeError(util::StrCat("kernel (", kernel, "), stride (", stride, ") and dilation (", dilation,
                                   ") must all be >= 1"));
  }
  if (padding != "valid" && padding != "same") {
    return ShapeError(util::StrCat("padding must be 'valid' or 'same', got '", padding, "'"));
  }
  if (output_padding && (*output_padding < 0 || *output_padding > kMaxKernelExtent)) {
    return ShapeError(util::StrCat("output_padding ", *output_padding, " is out of range"));
  }
  if (input == kUnknownDim) return kUnknownDim;
  int64_t k = (kernel - 1) * dilation + 1;
  int64_t out;
  if (padding == "valid") {
    int64_t op = output_padding ? *output_padding : std::max(k, stride) - k;
    out = (input - 1) * stride + k + op;
  } else if (!output_padding) {
    out = input * stride;
  } else {
    out = (input - 1) * stride + k % 2 + *output_padding;
  }
  if (out <= 0) {
    return ShapeError(util::StrCat("computed transposed-convolution output size ", out, " is not positive"));
  }
  return CheckedResult(out, "transposed convolution");
}

absl::StatusOr<std::string> ReadDataFormat(const ConfigView& config, std::string_view key) {
  if (config.IsNull(key)) return std::string("channels_last");
  auto s = config.String(key);
  if (!s.ok()) return s.status();
  std::string lower = *s;
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (lower != "channels_last" && lower != "channels_first") {
    return config.Error(key, util::StrCat("expected 'channels_last' or 'channels_first', got '", *s, "'"));
  }
  return lower;
}

std::vector<int64_t> SpatialAxes(std::string_view data_format, int64_t rank) {
  std::vector<int64_t> axes;
  int64_t first = data_format == "channels_first" ? 2 : 1;
  int64_t last = data_format == "channels_first" ? rank : rank - 1;
  for (int64_t i = first; i < last; ++i) axes.push_back(i);
  return axes;
}

std::optional<int64_t> KnownProduct(const graph::Dims& dims, size_t begin, size_t end) {
  int64_t p = 1;
  for (size_t i = begin; i < end && i < dims.size(); ++i) {
    if (dims[i] < 0) return std::nullopt;
    if (__builtin_mul_overflow(p, dims[i], &p) || p > kMaxDim * kMaxUnits) return std::nullopt;
  }
  return p;
}

absl::Status CheckRank(const graph::TensorSpec& spec, int64_t min_rank, int64_t max_rank, std::string_view what) {
  int64_t rank = static_cast<int64_t>(spec.shape.size());
  if (rank >= min_rank && rank <= max_rank) return absl::OkStatus();
  std::string expected = min_rank == max_rank ? util::StrCat("rank ", min_rank)
                         : max_rank >= kMaxRank ? util::StrCat("rank >= ", min_rank)
                                                : util::StrCat("rank ", min_rank, "..", max_rank);
  return ShapeError(util::StrCat("expected ", what, " of ", expected, " (incl. batch), got shape ",
                                 graph::ShapeString(spec.shape), " (rank ", rank, ")"));
}

util::DType ComputeDType(const graph::Layer& layer, util::DType fallback) {
  const std::string* name = layer.attrs.Get<std::string>("compute_dtype");
  if (name == nullptr) return fallback;
  std::optional<util::DType> t = util::ParseDType(*name);
  return t ? *t : fallback;
}

const graph::TensorSpec* CallInputs::Keyword(std::string_view name) const {
  if (node == nullptr) return nullptr;
  for (size_t i = 0; i < node->keyword_inputs.size(); ++i) {
    size_t at = positional.size() + i;
    if (node->keyword_inputs[i].first == name && at < all.size()) return &all[at];
  }
  return nullptr;
}

absl::StatusOr<CallInputs> SplitCallInputs(const graph::Layer& layer, std::span<const graph::TensorSpec> inputs,
                                           const graph::Node& node, size_t min_positional, size_t max_positional,
                                           std::initializer_list<std::string_view> keywords) {
  size_t npos = node.inputs.size();
  if (npos + node.keyword_inputs.size() != inputs.size()) {
    return LayerError(layer, util::StrCat("internal: the call lists ", npos, " positional and ",
                                          node.keyword_inputs.size(), " keyword tensors but ", inputs.size(),
                                          " were given"));
  }
  if (npos < min_positional || npos > max_positional) {
    std::string expected = min_positional == max_positional
                               ? util::StrCat(min_positional)
                               : util::StrCat("between ", min_positional, " and ", max_positional);
    return LayerError(layer, util::StrCat("expected ", expected, " input tensor(s), got ", npos));
  }
  for (const auto& [name, ref] : node.keyword_inputs) {
    bool ok = name == "mask";
    for (std::string_view k : keywords) ok = ok || name == k;
    if (!ok) return LayerError(layer, util::StrCat("unexpected tensor argument '", name, "' in this call"));
  }
  CallInputs out;
  out.positional = inputs.subspan(0, npos);
  out.all = inputs;
  out.node = &node;
  return out;
}

absl::Status RefuseQuantization(const ConfigView& config) {
  if (!config.IsNull("quantization_config")) {
    return config.Error("quantization_config", "quantized layers are not supported by kgate");
  }
  if (!config.IsNull("lora_rank")) {
    auto rank = config.Int("lora_rank", 0, kMaxUnits);
    if (!rank.ok()) return rank.status();
    if (*rank != 0) return config.Error("lora_rank", "LoRA-enabled layers are not supported by kgate");
  }
  if (!config.IsNull("lora_alpha")) {
    auto alpha = config.Float("lora_alpha");
    if (!alpha.ok()) return alpha.status();
  }
  return absl::OkStatus();
}

}  // namespace kgate::keras::layers
