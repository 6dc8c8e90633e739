// ZeroPadding1D/2D/3D, Cropping1D/2D/3D and UpSampling1D/2D/3D (part of the
// reshaping family; attributes listed in reshaping.cc).
#include <cctype>

#include "keras/layers/common_shapes.h"
#include "keras/layers/families.h"
#include "util/status_macros.h"
#include "util/strings.h"

namespace kgate::keras::layers::reshaping_internal {
namespace {

using graph::kUnknownDim;
using graph::TensorSpec;
using Span = std::span<const TensorSpec>;
using io::json::Value;

// An int or a list of 2 ints, each >= 0 (standardize_tuple(..., 2, allow_zero=True)).
absl::Status ReadPair(const ConfigView& config, std::string_view key, const Value& v, std::string_view where,
                      std::vector<int64_t>* out) {
  auto as_int = [&](const Value& e) -> std::optional<int64_t> {
    if (!e.is_number() || !e.number().integer) return std::nullopt;
    int64_t i = *e.number().integer;
    if (i < 0 || i > kMaxDim) return std::nullopt;
    return i;
  };
  std::string expected = util::StrCat(where, ": expected an integer in [0, ", kMaxDim, "] or a list of two");
  if (v.is_array()) {
    if (v.array().size() != 2) return config.Error(key, expected);
    for (const Value& e : v.array()) {
      std::optional<int64_t> i = as_int(e);
      if (!i) return config.Error(key, expected);
      out->push_back(*i);
    }
    return absl::OkStatus();
  }
  std::optional<int64_t> i = as_int(v);
  if (!i) return config.Error(key, expected);
  out->push_back(*i);
  out->push_back(*i);
  return absl::OkStatus();
}

// `n` (before, after) pairs: for n == 1 an int or a pair; for n > 1 an int
// (all sides) or a list of n entries, each an int or a pair.
absl::StatusOr<std::vector<int64_t>> ReadPairs(const ConfigView& config, std::string_view key, size_t n) {
  const Value* v = config.Find(key);
  if (v == nullptr) return config.Error(key, "required field is missing");
  std::vector<int64_t> out;
  if (n == 1 || !v->is_array()) {
    KGATE_RETURN_IF_ERROR(ReadPair(config, key, *v, "value", &out));
    if (n > 1) out = std::vector<int64_t>(2 * n, out[0]);
    return out;
  }
  if (v->array().size() != n) {
    return config.Error(key, util::StrCat("expected ", n, " entries, got ", v->array().size()));
  }
  for (size_t i = 0; i < n; ++i) {
    KGATE_RETURN_IF_ERROR(ReadPair(config, key, v->array()[i], util::StrCat("entry ", i), &out));
  }
  return out;
}


absl::StatusOr<std::string> ReadFormatAttr(const ConfigView& config, graph::Layer& layer) {
  KGATE_ASSIGN_OR_RETURN(std::string data_format, ReadDataFormat(config));
  layer.attrs.Set("data_format", data_format);
  return data_format;
}

template <int64_t n>
absl::Status ParsePadding(const ConfigView& config, const ParseContext&, graph::Layer& layer) {
  KGATE_RETURN_IF_ERROR(config.OnlyKeys({"padding", "data_format", "activity_regularizer"}));
  KGATE_ASSIGN_OR_RETURN(std::vector<int64_t> padding, ReadPairs(config, "padding", n));
  layer.attrs.Set("padding", padding);
  return ReadFormatAttr(config, layer).status();
}

template <int64_t n>
absl::Status ParseCropping(const ConfigView& config, const ParseContext&, graph::Layer& layer) {
  if (n == 1) {
    KGATE_RETURN_IF_ERROR(config.OnlyKeys({"cropping", "activity_regularizer"}));
    layer.attrs.Set("data_format", std::string("channels_last"));
  } else {
    KGATE_RETURN_IF_ERROR(config.OnlyKeys({"cropping", "data_format", "activity_regularizer"}));
    KGATE_RETURN_IF_ERROR(ReadFormatAttr(config, layer).status());
  }
  KGATE_ASSIGN_OR_RETURN(std::vector<int64_t> cropping, ReadPairs(config, "cropping", n));
  layer.attrs.Set("cropping", cropping);
  return absl::OkStatus();
}

// Shared build: spatial dim i becomes f(i, dim) where dim is known.
template <typename F>
absl::Status BuildSpatial(graph::Layer& layer, Span inputs, const graph::Node& node, std::vector<TensorSpec>* out,
                          int64_t n, F&& f) {
  KGATE_ASSIGN_OR_RETURN(CallInputs call, SplitCallInputs(layer, inputs, node, 1, 1));
  const TensorSpec& x = call.positional[0];
  KGATE_RETURN_IF_ERROR(ForLayer(layer, CheckRank(x, n + 2, n + 2)));
  std::string data_format = layer.attrs.GetString("data_format", "channels_last");
  std::vector<int64_t> axes = SpatialAxes(data_format, n + 2);
  TensorSpec y{ComputeDType(layer, x.dtype), x.shape};
  for (int64_t i = 0; i < n; ++i) {
    int64_t& d = y.shape[axes[i]];
    if (d == kUnknownDim) continue;
    KGATE_ASSIGN_OR_RETURN(d, f(i, d));
  }
  KGATE_RETURN_IF_ERROR(DeclareWeights(layer, {}));
  out->push_back(std::move(y));
  return absl::OkStatus();
}

absl::StatusOr<int64_t> CappedDim(const graph::Layer& layer, int64_t d) {
  if (d > kMaxDim) return LayerError(layer, util::StrCat("output dimension ", d, " exceeds kMaxDim (", kMaxDim, ")"));
  return d;
}

template <int64_t n>
absl::Status BuildPadding(graph::Layer& layer, Span inputs, const graph::Node& node, std::vector<TensorSpec>* out) {
  std::vector<int64_t> p = layer.attrs.GetInts("padding");
  if (p.size() != 2 * n) return LayerError(layer, "internal: padding attribute missing");
  return BuildSpatial(layer, inputs, node, out, n, [&](int64_t i, int64_t d) -> absl::StatusOr<int64_t> {
    return CappedDim(layer, d + p[2 * i] + p[2 * i + 1]);
  });
}

template <int64_t n>
absl::Status BuildCropping(graph::Layer& layer, Span inputs, const graph::Node& node, std::vector<TensorSpec>* out) {
  std::vector<int64_t> c = layer.attrs.GetInts("cropping");
  if (c.size() != 2 * n) return LayerError(layer, "internal: cropping attribute missing");
  return BuildSpatial(layer, inputs, node, out, n, [&](int64_t i, int64_t d) -> absl::StatusOr<int64_t> {
    int64_t r = d - c[2 * i] - c[2 * i + 1];
    if (r <= 0) {
      return LayerError(layer, util::StrCat("cropping (", c[2 * i], ", ", c[2 * i + 1],
                                            ") must be smaller than the spatial dimension ", d));
    }
    return r;
  });
}

template <int64_t n>
absl::Status ParseUpSampling(const ConfigView& config, const ParseContext&, graph::Layer& layer) {
  if (n == 1) {
    KGATE_RETURN_IF_ERROR(config.OnlyKeys({"size", "activity_regularizer"}));
    KGATE_ASSIGN_OR_RETURN(int64_t size, config.Int("size", 1, kMaxKernelExtent));
    layer.attrs.Set("size", size);
    layer.attrs.Set("data_format", std::string("channels_last"));
    return absl::OkStatus();
  }
  if (n == 2) {
    KGATE_RETURN_IF_ERROR(config.OnlyKeys({"size", "data_format", "interpolation", "activity_regularizer"}));
    // ops.image.resize's methods; UpSampling2D lower-cases the name.
    std::string interpolation = "nearest";
    if (!config.IsNull("interpolation")) {
      KGATE_ASSIGN_OR_RETURN(interpolation, config.String("interpolation"));
      for (char& ch : interpolation) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
      bool ok = false;
      for (std::string_view m : {"nearest", "bilinear", "bicubic", "lanczos3", "lanczos5", "area"}) {
        ok = ok || interpolation == m;
      }
      if (!ok) return config.Error("interpolation", util::StrCat("unknown interpolation '", interpolation, "'"));
    }
    layer.attrs.Set("interpolation", interpolation);
  } else {
    KGATE_RETURN_IF_ERROR(config.OnlyKeys({"size", "data_format", "activity_regularizer"}));
  }
  KGATE_ASSIGN_OR_RETURN(std::vector<int64_t> size, config.IntTuple("size", n, 1, kMaxKernelExtent));
  layer.attrs.Set("size", size);
  return ReadFormatAttr(config, layer).status();
}

template <int64_t n>
absl::Status BuildUpSampling(graph::Layer& layer, Span inputs, const graph::Node& node, std::vector<TensorSpec>* out) {
  std::vector<int64_t> size = layer.attrs.GetInts("size");
  if (n == 1) size = {layer.attrs.GetInt("size", 1)};
  if (size.size() != n) return LayerError(layer, "internal: size attribute missing");
  return BuildSpatial(layer, inputs, node, out, n, [&](int64_t i, int64_t d) -> absl::StatusOr<int64_t> {
    return CappedDim(layer, d * size[i]);
  });
}

constexpr LayerSpec kSpecs[] = {
    {"Cropping1D", ParseCropping<1>, BuildCropping<1>},
    {"Cropping2D", ParseCropping<2>, BuildCropping<2>},
    {"Cropping3D", ParseCropping<3>, BuildCropping<3>},
    {"UpSampling1D", ParseUpSampling<1>, BuildUpSampling<1>},
    {"UpSampling2D", ParseUpSampling<2>, BuildUpSampling<2>},
    {"UpSampling3D", ParseUpSampling<3>, BuildUpSampling<3>},
    {"ZeroPadding1D", ParsePadding<1>, BuildPadding<1>},
    {"ZeroPadding2D", ParsePadding<2>, BuildPadding<2>},
    {"ZeroPadding3D", ParsePadding<3>, BuildPadding<3>},
};

}  // namespace

std::span<const LayerSpec> PaddingSpecs() { return kSpecs; }

}  // namespace kgate::keras::layers::reshaping_internal
