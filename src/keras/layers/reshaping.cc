// Reshaping layers: Flatten, Reshape, Permute, RepeatVector (here) and
// ZeroPadding1D/2D/3D, Cropping1D/2D/3D, UpSampling1D/2D/3D
// (reshaping_padding.cc).
//
// Attributes each class stores:
//   Flatten:       data_format ("channels_last" | "channels_first")
//   Reshape:       target_shape (ints; at most one -1, as in the config)
//   Permute:       dims (ints, 1-based as in Keras)
//   RepeatVector:  n (int)
//   ZeroPadding1D: padding (2 ints: before, after), data_format
//   ZeroPadding2D: padding (4 ints: top, bottom, left, right), data_format
//   ZeroPadding3D: padding (6 ints: d1 before/after, d2 ..., d3 ...), data_format
//   Cropping1D:    cropping (2 ints)
//   Cropping2D/3D: cropping (4 / 6 ints, same layout as padding), data_format
//   UpSampling1D:  size (int)
//   UpSampling2D:  size (2 ints), data_format, interpolation (string)
//   UpSampling3D:  size (3 ints), data_format
// Flatten, Reshape and Permute keep the input dtype (their Keras
// compute_output_spec does); the others give the layer's compute dtype.
#include <algorithm>

#include "keras/layers/common_shapes.h"
#include "keras/layers/families.h"
#include "util/status_macros.h"
#include "util/strings.h"

namespace kgate::keras::layers {

namespace reshaping_internal {
// Defined in reshaping_padding.cc.
std::span<const LayerSpec> PaddingSpecs();
}  // namespace reshaping_internal

namespace {

using graph::kUnknownDim;
using graph::TensorSpec;
using Span = std::span<const TensorSpec>;

absl::StatusOr<const TensorSpec*> OneInput(const graph::Layer& layer, Span inputs, const graph::Node& node,
                                           int64_t min_rank, int64_t max_rank) {
  KGATE_ASSIGN_OR_RETURN(CallInputs call, SplitCallInputs(layer, inputs, node, 1, 1));
  KGATE_RETURN_IF_ERROR(ForLayer(layer, CheckRank(call.positional[0], min_rank, max_rank)));
  return &call.positional[0];
}

// ---- Flatten ----

absl::Status ParseFlatten(const ConfigView& config, const ParseContext&, graph::Layer& layer) {
  KGATE_RETURN_IF_ERROR(config.OnlyKeys({"data_format", "activity_regularizer"}));
  KGATE_ASSIGN_OR_RETURN(std::string data_format, ReadDataFormat(config));
  layer.attrs.Set("data_format", data_format);
  return absl::OkStatus();
}

absl::Status BuildFlatten(graph::Layer& layer, Span inputs, const graph::Node& node, std::vector<TensorSpec>* out) {
  KGATE_ASSIGN_OR_RETURN(const TensorSpec* x, OneInput(layer, inputs, node, 1, kMaxRank));
  int64_t flat = kUnknownDim;
  if (x->shape.size() == 1) {
    flat = 1;
  } else if (std::none_of(x->shape.begin() + 1, x->shape.end(), [](int64_t d) { return d == kUnknownDim; })) {
    std::optional<int64_t> p = KnownProduct(x->shape, 1, x->shape.size());
    if (!p || *p > kMaxDim) {
      return LayerError(layer, util::StrCat("flattening ", graph::ShapeString(x->shape), " exceeds kMaxDim (",
                                            kMaxDim, ") elements per sample"));
    }
    flat = *p;
  }
  KGATE_RETURN_IF_ERROR(DeclareWeights(layer, {}));
  out->push_back({x->dtype, {x->shape[0], flat}});
  return absl::OkStatus();
}

// ---- Reshape ----

absl::Status ParseReshape(const ConfigView& config, const ParseContext&, graph::Layer& layer) {
  KGATE_RETURN_IF_ERROR(config.OnlyKeys({"target_shape", "activity_regularizer"}));
  KGATE_ASSIGN_OR_RETURN(std::vector<int64_t> target,
                         config.IntList("target_shape", kMaxRank - 1, -1, kMaxDim));
  if (!config.Find("target_shape")->is_array()) {
    return config.Error("target_shape", "expected a list of dimensions");
  }
  if (std::count(target.begin(), target.end(), -1) > 1) {
    return config.Error("target_shape", "at most one dimension may be -1");
  }
  layer.attrs.Set("target_shape", target);
  return absl::OkStatus();
}

// operation_utils.compute_reshape_output_shape over the non-batch dims.
absl::Status BuildReshape(graph::Layer& layer, Span inputs, const graph::Node& node, std::vector<TensorSpec>* out) {
  KGATE_ASSIGN_OR_RETURN(const TensorSpec* x, OneInput(layer, inputs, node, 1, kMaxRank));
  graph::Dims target = layer.attrs.GetInts("target_shape");
  graph::Dims shape = {x->shape[0]};
  bool input_known = std::none_of(x->shape.begin() + 1, x->shape.end(), [](int64_t d) { return d == kUnknownDim; });
  if (!input_known) {
    for (int64_t d : target) shape.push_back(d == -1 ? kUnknownDim : d);
  } else {
    std::optional<int64_t> in_size = KnownProduct(x->shape, 1, x->shape.size());
    int64_t known = 1;
    size_t hole = target.size();
    for (size_t i = 0; i < target.size(); ++i) {
      if (target[i] == -1) {
        hole = i;
      } else if (__builtin_mul_overflow(known, target[i], &known) || known > kMaxDim * kMaxUnits) {
        return LayerError(layer, "target_shape has too many elements");
      }
    }
    std::string what = util::StrCat("cannot reshape ", graph::ShapeString(x->shape), " to target_shape [",
                                    util::StrJoin(target, ", "), "]");
    if (!in_size) return LayerError(layer, util::StrCat(what, ": input too large"));
    if (hole == target.size()) {
      if (known != *in_size) return LayerError(layer, util::StrCat(what, ": the total size must be unchanged"));
    } else {
      if (known == 0 || *in_size % known != 0) {
        return LayerError(layer, util::StrCat(what, ": the input size is not divisible by the known dimensions"));
      }
      target[hole] = *in_size / known;
      if (target[hole] > kMaxDim) {
        return LayerError(layer, util::StrCat(what, ": the inferred dimension exceeds kMaxDim (", kMaxDim, ")"));
      }
    }
    shape.insert(shape.end(), target.begin(), target.end());
  }
  KGATE_RETURN_IF_ERROR(DeclareWeights(layer, {}));
  out->push_back({x->dtype, std::move(shape)});
  return absl::OkStatus();
}

// ---- Permute ----

absl::Status ParsePermute(const ConfigView& config, const ParseContext&, graph::Layer& layer) {
  KGATE_RETURN_IF_ERROR(config.OnlyKeys({"dims", "activity_regularizer"}));
  KGATE_ASSIGN_OR_RETURN(std::vector<int64_t> dims, config.IntList("dims", kMaxRank - 1, 1, kMaxRank - 1));
  std::vector<int64_t> sorted = dims;
  std::sort(sorted.begin(), sorted.end());
  for (size_t i = 0; i < sorted.size(); ++i) {
    if (sorted[i] != static_cast<int64_t>(i) + 1) {
      return config.Error("dims", "must be a permutation of 1..n (the batch axis cannot move)");
    }
  }
  layer.attrs.Set("dims", dims);
  return absl::OkStatus();
}

absl::Status BuildPermute(graph::Layer& layer, Span inputs, const graph::Node& node, std::vector<TensorSpec>* out) {
  graph::Dims dims = layer.attrs.GetInts("dims");
  int64_t rank = static_cast<int64_t>(dims.size()) + 1;
  KGATE_ASSIGN_OR_RETURN(const TensorSpec* x, OneInput(layer, inputs, node, rank, rank));
  graph::Dims shape = {x->shape[0]};
  for (int64_t d : dims) shape.push_back(x->shape[d]);
  KGATE_RETURN_IF_ERROR(DeclareWeights(layer, {}));
  out->push_back({x->dtype, std::move(shape)});
  return absl::OkStatus();
}

// ---- RepeatVector ----

absl::Status ParseRepeatVector(const ConfigView& config, const ParseContext&, graph::Layer& layer) {
  KGATE_RETURN_IF_ERROR(config.OnlyKeys({"n", "activity_regularizer"}));
  KGATE_ASSIGN_OR_RETURN(int64_t n, config.Int("n", 1, kMaxDim));
  layer.attrs.Set("n", n);
  return absl::OkStatus();
}

absl::Status BuildRepeatVector(graph::Layer& layer, Span inputs, const graph::Node& node,
                               std::vector<TensorSpec>* out) {
  KGATE_ASSIGN_OR_RETURN(const TensorSpec* x, OneInput(layer, inputs, node, 2, 2));
  KGATE_RETURN_IF_ERROR(DeclareWeights(layer, {}));
  out->push_back({ComputeDType(layer, x->dtype), {x->shape[0], layer.attrs.GetInt("n", 1), x->shape[1]}});
  return absl::OkStatus();
}

constexpr LayerSpec kSpecs[] = {
    {"Flatten", ParseFlatten, BuildFlatten},
    {"Permute", ParsePermute, BuildPermute},
    {"RepeatVector", ParseRepeatVector, BuildRepeatVector},
    {"Reshape", ParseReshape, BuildReshape},
};

}  // namespace

std::span<const LayerSpec> ReshapingLayerSpecs() {
  static const std::vector<LayerSpec>* all = [] {
    auto* v = new std::vector<LayerSpec>(std::begin(kSpecs), std::end(kSpecs));
    for (const LayerSpec& s : reshaping_internal::PaddingSpecs()) v->push_back(s);
    return v;
  }();
  return *all;
}

}  // namespace kgate::keras::layers
