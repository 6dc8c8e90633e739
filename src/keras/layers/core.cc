// Core layers: InputLayer, Dense, EinsumDense (core_einsum.cc), Activation,
// Identity, Masking, Embedding (core_embedding.cc) and the regularization
// layers that are the identity at inference (Dropout, SpatialDropout1D/2D/3D,
// GaussianNoise, GaussianDropout, AlphaDropout).
//
// Attributes each class stores (besides compute_dtype/variable_dtype):
//   InputLayer:      batch_shape (ints, -1 = unknown), dtype (string), optional (bool)
//   Dense:           units (int), activation (string), use_bias (bool)
//   EinsumDense:     equation (string), output_shape (ints, -1 = None),
//                    bias_axes (string, "" = no bias), activation (string)
//   Activation:      activation (string)
//   Identity:        none
//   Masking:         mask_value (double)
//   Embedding:       input_dim, output_dim (int), mask_zero (bool)
//   Dropout, AlphaDropout: rate (double), noise_shape (ints, -1 = None; absent = null)
//   SpatialDropout1D: rate; SpatialDropout2D/3D: rate, data_format (string)
//   GaussianNoise:   stddev (double);  GaussianDropout: rate (double)
// None of the dropout/noise layers does anything at inference.
#include <limits>

#include "keras/activations.h"
#include "keras/layers/common_shapes.h"
#include "keras/layers/families.h"
#include "util/status_macros.h"
#include "util/strings.h"

namespace kgate::keras::layers {

// Defined in core_einsum.cc and core_embedding.cc (same family table).
namespace core_internal {
absl::Status ParseEinsumDense(const ConfigView& config, const ParseContext& ctx, graph::Layer& layer);
absl::Status BuildEinsumDense(graph::Layer& layer, std::span<const graph::TensorSpec> inputs,
                              const graph::Node& node, std::vector<graph::TensorSpec>* outputs);
absl::Status ParseEmbedding(const ConfigView& config, const ParseContext& ctx, graph::Layer& layer);
absl::Status BuildEmbedding(graph::Layer& layer, std::span<const graph::TensorSpec> inputs,
                            const graph::Node& node, std::vector<graph::TensorSpec>* outputs);
absl::Status ParseMasking(const ConfigView& config, const ParseContext& ctx, graph::Layer& layer);
}  // namespace core_internal

namespace {

using graph::TensorSpec;
using Span = std::span<const TensorSpec>;

// ---- InputLayer ----

absl::Status ParseInputLayer(const ConfigView& config, const ParseContext&, graph::Layer& layer) {
  KGATE_RETURN_IF_ERROR(config.OnlyKeys(
      {"batch_shape", "batch_input_shape", "shape", "input_shape", "batch_size", "sparse", "ragged", "optional"}));
  int given = 0;
  std::string_view key;
  for (std::string_view k : {"batch_shape", "batch_input_shape", "shape", "input_shape"}) {
    if (!config.IsNull(k)) {
      ++given;
      key = k;
    }
  }
  if (given != 1) {
    return config.Error("batch_shape", "expected exactly one of batch_shape / shape (or the legacy "
                                       "batch_input_shape / input_shape)");
  }
  KGATE_ASSIGN_OR_RETURN(graph::Dims dims, config.Shape(key));
  graph::Dims batch_shape;
  if (key == "shape" || key == "input_shape") {
    KGATE_ASSIGN_OR_RETURN(std::optional<int64_t> batch, config.OptionalInt("batch_size", 1, kMaxDim));
    if (dims.size() + 1 > static_cast<size_t>(kMaxRank)) {
      return config.Error(key, util::StrCat("rank ", dims.size() + 1, " exceeds kMaxRank (", kMaxRank, ")"));
    }
    batch_shape.push_back(batch ? *batch : graph::kUnknownDim);
    batch_shape.insert(batch_shape.end(), dims.begin(), dims.end());
  } else {
    if (!config.IsNull("batch_size")) {
      return config.Error("batch_size", "batch_size cannot be given together with a batch shape");
    }
    if (dims.empty()) return config.Error(key, "a batch shape needs at least the batch dimension");
    batch_shape = std::move(dims);
  }
  std::string dtype = "float32";
  if (!config.IsNull("dtype")) {
    if (!config.Find("dtype")->is_string()) {
      return config.Error("dtype", "an InputLayer dtype must be a dtype name string");
    }
    dtype = config.Find("dtype")->string();
  }
  std::optional<util::DType> parsed = util::ParseDType(dtype);
  if (!parsed || *parsed == util::DType::kString) {
    return config.Error("dtype", util::StrCat("unsupported input dtype '", dtype, "'"));
  }
  KGATE_ASSIGN_OR_RETURN(bool sparse, config.Bool("sparse", false));
  if (sparse) return config.Error("sparse", "sparse inputs are not supported");
  KGATE_ASSIGN_OR_RETURN(bool ragged, config.Bool("ragged", false));
  if (ragged) return config.Error("ragged", "ragged inputs are not supported");
  KGATE_ASSIGN_OR_RETURN(bool optional, config.Bool("optional", false));
  layer.attrs.Set("batch_shape", batch_shape);
  layer.attrs.Set("dtype", dtype);
  layer.attrs.Set("optional", optional);
  return absl::OkStatus();
}

absl::Status BuildInputLayer(graph::Layer& layer, Span inputs, const graph::Node& node,
                             std::vector<TensorSpec>* outputs) {
  if (!inputs.empty()) return LayerError(layer, "an InputLayer takes no input tensors");
  KGATE_RETURN_IF_ERROR(DeclareWeights(layer, {}));
  TensorSpec out;
  out.dtype = util::ParseDType(layer.attrs.GetString("dtype", "float32")).value_or(util::DType::kFloat32);
  out.shape = layer.attrs.GetInts("batch_shape");
  outputs->push_back(std::move(out));
  return absl::OkStatus();
}

// ---- Dense ----

absl::Status ParseDense(const ConfigView& config, const ParseContext&, graph::Layer& layer) {
  KGATE_RETURN_IF_ERROR(config.OnlyKeys({"units", "activation", "use_bias", "kernel_initializer",
                                         "bias_initializer", "kernel_regularizer", "bias_regularizer",
                                         "activity_regularizer", "kernel_constraint", "bias_constraint",
                                         "quantization_config", "lora_rank", "lora_alpha"}));
  KGATE_RETURN_IF_ERROR(RefuseQuantization(config));
  KGATE_ASSIGN_OR_RETURN(int64_t units, config.Int("units", 1, kMaxUnits));
  KGATE_ASSIGN_OR_RETURN(std::string activation, ReadActivation(config, "activation"));
  KGATE_ASSIGN_OR_RETURN(bool use_bias, config.Bool("use_bias", true));
  layer.attrs.Set("units", units);
  layer.attrs.Set("activation", activation);
  layer.attrs.Set("use_bias", use_bias);
  return absl::OkStatus();
}

absl::Status BuildDense(graph::Layer& layer, Span inputs, const graph::Node& node, std::vector<TensorSpec>* outputs) {
  KGATE_ASSIGN_OR_RETURN(CallInputs call, SplitCallInputs(layer, inputs, node, 1, 1));
  const TensorSpec& x = call.positional[0];
  KGATE_RETURN_IF_ERROR(ForLayer(layer, CheckRank(x, 2, kMaxRank)));
  int64_t in = x.shape.back();
  if (in == graph::kUnknownDim) {
    return LayerError(layer, util::StrCat("the last input dimension must be known to build the kernel; got ",
                                          graph::ShapeString(x.shape)));
  }
  int64_t units = layer.attrs.GetInt("units", 1);
  std::vector<WeightDecl> weights = {{"kernel", {in, units}, true, ""}};
  if (layer.attrs.GetBool("use_bias", true)) weights.push_back({"bias", {units}, true, ""});
  KGATE_RETURN_IF_ERROR(DeclareWeights(layer, std::move(weights)));
  TensorSpec out{ComputeDType(layer, x.dtype), x.shape};
  out.shape.back() = units;
  outputs->push_back(std::move(out));
  return absl::OkStatus();
}

// ---- Shape-preserving layers ----

// One input (plus an optional mask), same shape out, in `rank_min..rank_max`.
absl::Status SameShape(graph::Layer& layer, Span inputs, const graph::Node& node, std::vector<TensorSpec>* outputs,
                       int64_t rank_min, int64_t rank_max, bool keep_input_dtype) {
  KGATE_ASSIGN_OR_RETURN(CallInputs call, SplitCallInputs(layer, inputs, node, 1, 1));
  const TensorSpec& x = call.positional[0];
  KGATE_RETURN_IF_ERROR(ForLayer(layer, CheckRank(x, rank_min, rank_max)));
  KGATE_RETURN_IF_ERROR(DeclareWeights(layer, {}));
  outputs->push_back({keep_input_dtype ? x.dtype : ComputeDType(layer, x.dtype), x.shape});
  return absl::OkStatus();
}

absl::Status BuildAnyRank(graph::Layer& layer, Span inputs, const graph::Node& node, std::vector<TensorSpec>* out) {
  return SameShape(layer, inputs, node, out, 1, kMaxRank, false);
}
absl::Status BuildIdentity(graph::Layer& layer, Span inputs, const graph::Node& node, std::vector<TensorSpec>* out) {
  return SameShape(layer, inputs, node, out, 1, kMaxRank, true);
}
absl::Status BuildRank3(graph::Layer& layer, Span inputs, const graph::Node& node, std::vector<TensorSpec>* out) {
  return SameShape(layer, inputs, node, out, 3, 3, false);
}
absl::Status BuildRank4(graph::Layer& layer, Span inputs, const graph::Node& node, std::vector<TensorSpec>* out) {
  return SameShape(layer, inputs, node, out, 4, 4, false);
}
absl::Status BuildRank5(graph::Layer& layer, Span inputs, const graph::Node& node, std::vector<TensorSpec>* out) {
  return SameShape(layer, inputs, node, out, 5, 5, false);
}

absl::Status ParseActivation(const ConfigView& config, const ParseContext&, graph::Layer& layer) {
  KGATE_RETURN_IF_ERROR(config.OnlyKeys({"activation", "activity_regularizer"}));
  KGATE_ASSIGN_OR_RETURN(std::string activation, ReadActivation(config, "activation"));
  layer.attrs.Set("activation", activation);
  return absl::OkStatus();
}

absl::Status ParseIdentity(const ConfigView& config, const ParseContext&, graph::Layer&) {
  return config.OnlyKeys({"activity_regularizer"});
}

// ---- Dropout and noise ----

absl::Status ReadSeed(const ConfigView& config) {
  return config.OptionalInt("seed", std::numeric_limits<int64_t>::min(), std::numeric_limits<int64_t>::max())
      .status();
}

absl::Status ReadRate(const ConfigView& config, std::string_view key, graph::Layer& layer) {
  KGATE_ASSIGN_OR_RETURN(double rate, config.Float(key));
  if (rate < 0.0 || rate > 1.0) return config.Error(key, util::StrCat("expected a value in [0, 1], got ", rate));
  layer.attrs.Set(std::string(key), rate);
  return absl::OkStatus();
}

// noise_shape: null, or a list of positive ints / nulls (Dropout._validate_noise_shape).
absl::Status ReadNoiseShape(const ConfigView& config, graph::Layer& layer) {
  if (config.IsNull("noise_shape")) return absl::OkStatus();
  const io::json::Value* v = config.Find("noise_shape");
  if (v->is_array()) {
    for (const io::json::Value& e : v->array()) {
      if (e.is_number() && e.number().integer && *e.number().integer == 0) {
        return config.Error("noise_shape", "dimensions must be positive or null");
      }
    }
  }
  KGATE_ASSIGN_OR_RETURN(graph::Dims dims, config.Shape("noise_shape"));
  layer.attrs.Set("noise_shape", dims);
  return absl::OkStatus();
}

absl::Status ParseDropout(const ConfigView& config, const ParseContext&, graph::Layer& layer) {
  KGATE_RETURN_IF_ERROR(config.OnlyKeys({"rate", "noise_shape", "seed", "activity_regularizer"}));
  KGATE_RETURN_IF_ERROR(ReadRate(config, "rate", layer));
  KGATE_RETURN_IF_ERROR(ReadNoiseShape(config, layer));
  return ReadSeed(config);
}

absl::Status ParseSpatialDropout1D(const ConfigView& config, const ParseContext&, graph::Layer& layer) {
  KGATE_RETURN_IF_ERROR(config.OnlyKeys({"rate", "seed"}));
  KGATE_RETURN_IF_ERROR(ReadRate(config, "rate", layer));
  return ReadSeed(config);
}

absl::Status ParseSpatialDropoutND(const ConfigView& config, const ParseContext&, graph::Layer& layer) {
  KGATE_RETURN_IF_ERROR(config.OnlyKeys({"rate", "seed", "data_format"}));
  KGATE_RETURN_IF_ERROR(ReadRate(config, "rate", layer));
  KGATE_ASSIGN_OR_RETURN(std::string data_format, ReadDataFormat(config));
  layer.attrs.Set("data_format", data_format);
  return ReadSeed(config);
}

absl::Status ParseGaussianNoise(const ConfigView& config, const ParseContext&, graph::Layer& layer) {
  KGATE_RETURN_IF_ERROR(config.OnlyKeys({"stddev", "seed", "activity_regularizer"}));
  KGATE_RETURN_IF_ERROR(ReadRate(config, "stddev", layer));
  return ReadSeed(config);
}

absl::Status ParseGaussianDropout(const ConfigView& config, const ParseContext&, graph::Layer& layer) {
  KGATE_RETURN_IF_ERROR(config.OnlyKeys({"rate", "seed", "activity_regularizer"}));
  KGATE_RETURN_IF_ERROR(ReadRate(config, "rate", layer));
  return ReadSeed(config);
}

constexpr LayerSpec kSpecs[] = {
    {"Activation", ParseActivation, BuildAnyRank},
    {"AlphaDropout", ParseDropout, BuildAnyRank},
    {"Dense", ParseDense, BuildDense},
    {"Dropout", ParseDropout, BuildAnyRank},
    {"EinsumDense", core_internal::ParseEinsumDense, core_internal::BuildEinsumDense},
    {"Embedding", core_internal::ParseEmbedding, core_internal::BuildEmbedding},
    {"GaussianDropout", ParseGaussianDropout, BuildAnyRank},
    {"GaussianNoise", ParseGaussianNoise, BuildAnyRank},
    {"Identity", ParseIdentity, BuildIdentity},
    {"InputLayer", ParseInputLayer, BuildInputLayer},
    {"Masking", core_internal::ParseMasking, BuildAnyRank},
    {"SpatialDropout1D", ParseSpatialDropout1D, BuildRank3},
    {"SpatialDropout2D", ParseSpatialDropoutND, BuildRank4},
    {"SpatialDropout3D", ParseSpatialDropoutND, BuildRank5},
};

}  // namespace

std::span<const LayerSpec> CoreLayerSpecs() { return kSpecs; }

}  // namespace kgate::keras::layers
