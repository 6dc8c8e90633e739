// Embedding and Masking (part of the core family; attributes in core.cc).
#include "keras/layers/common_shapes.h"
#include "keras/layers/families.h"
#include "util/status_macros.h"
#include "util/strings.h"

namespace kgate::keras::layers::core_internal {

absl::Status ParseEmbedding(const ConfigView& config, const ParseContext&, graph::Layer& layer) {
  if (config.Has("input_length")) {
    return config.Error("input_length", "input_length is a Keras 2 field that Keras 3 no longer accepts");
  }
  KGATE_RETURN_IF_ERROR(config.OnlyKeys({"input_dim", "output_dim", "embeddings_initializer",
                                         "embeddings_regularizer", "activity_regularizer", "embeddings_constraint",
                                         "mask_zero", "quantization_config", "lora_rank", "lora_alpha"}));
  KGATE_RETURN_IF_ERROR(RefuseQuantization(config));
  KGATE_ASSIGN_OR_RETURN(int64_t input_dim, config.Int("input_dim", 1, kMaxUnits));
  KGATE_ASSIGN_OR_RETURN(int64_t output_dim, config.Int("output_dim", 1, kMaxUnits));
  KGATE_ASSIGN_OR_RETURN(bool mask_zero, config.Bool("mask_zero", false));
  layer.attrs.Set("input_dim", input_dim);
  layer.attrs.Set("output_dim", output_dim);
  layer.attrs.Set("mask_zero", mask_zero);
  return absl::OkStatus();
}

absl::Status BuildEmbedding(graph::Layer& layer, std::span<const graph::TensorSpec> inputs,
                            const graph::Node& node, std::vector<graph::TensorSpec>* outputs) {
  KGATE_ASSIGN_OR_RETURN(CallInputs call, SplitCallInputs(layer, inputs, node, 1, 1));
  const graph::TensorSpec& x = call.positional[0];
  // The output adds one dimension.
  KGATE_RETURN_IF_ERROR(ForLayer(layer, CheckRank(x, 1, kMaxRank - 1)));
  if (x.dtype == util::DType::kBool || x.dtype == util::DType::kString) {
    return LayerError(layer, util::StrCat("expected integer (or float) token ids, got ", util::DTypeName(x.dtype)));
  }
  int64_t input_dim = layer.attrs.GetInt("input_dim", 1);
  int64_t output_dim = layer.attrs.GetInt("output_dim", 1);
  KGATE_RETURN_IF_ERROR(DeclareWeights(layer, {{"embeddings", {input_dim, output_dim}, true, ""}}));
  graph::TensorSpec out{ComputeDType(layer, util::DType::kFloat32), x.shape};
  out.shape.push_back(output_dim);
  outputs->push_back(std::move(out));
  return absl::OkStatus();
}

absl::Status ParseMasking(const ConfigView& config, const ParseContext&, graph::Layer& layer) {
  KGATE_RETURN_IF_ERROR(config.OnlyKeys({"mask_value", "activity_regularizer"}));
  KGATE_ASSIGN_OR_RETURN(double mask_value, config.Float("mask_value", 0.0));
  layer.attrs.Set("mask_value", mask_value);
  return absl::OkStatus();
}

}  // namespace kgate::keras::layers::core_internal
