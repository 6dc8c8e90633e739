// File: op_registry.h
// Which op runs each allowlisted layer class. One table per family of layers
// (engine/ops/<family>.cc, mirroring keras/layers/), joined here; a class the
// keras loader accepts but no table lists is refused when the model is
// compiled, with the class named, never silently skipped.
#pragma once

#include <memory>
#include <span>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "engine/op.h"

namespace kgate::engine {

using OpFactory = absl::StatusOr<std::unique_ptr<Op>> (*)(const OpContext& ctx);

struct OpSpec {
  std::string_view class_name;  // as graph::Layer::class_name ("Dense", "ops.numpy.Add")
  OpFactory create;
  // The factory honours OpContext::epilogue (see Epilogue in op.h).
  bool accepts_epilogue = false;
  // ... and its `residual` and `input_padding` parts.
  bool accepts_residual = false;
  bool accepts_input_padding = false;
};

// The spec for `class_name`, or nullptr.
const OpSpec* FindOpSpec(std::string_view class_name);
// Every class with an op, sorted (docs and tests).
std::vector<std::string_view> SupportedClasses();

// Per-family tables (engine/ops/*.cc).
namespace ops {
std::span<const OpSpec> CoreOps();           // core.cc: InputLayer, Dense, EinsumDense, Activation, Embedding, Masking, dropout/noise
std::span<const OpSpec> ActivationOps();     // activation_layers.cc: ReLU, LeakyReLU, PReLU, ELU, Softmax
std::span<const OpSpec> MergingOps();        // merging.cc: Add ... Concatenate, Dot
std::span<const OpSpec> NumpyOps();          // numpy_ops.cc: ops.numpy.* nodes; LayerScale, CustomScaleLayer
std::span<const OpSpec> ReshapingOps();      // reshaping.cc: Flatten, Reshape, Permute, RepeatVector, padding, cropping, upsampling
std::span<const OpSpec> PreprocessingOps();  // preprocessing.cc: Rescaling, Normalization, CenterCrop, Resizing
std::span<const OpSpec> ConvolutionOps();    // convolution.cc: Conv*, DepthwiseConv*, SeparableConv*, Conv*Transpose
std::span<const OpSpec> PoolingOps();        // pooling.cc
std::span<const OpSpec> NormalizationOps();  // normalization.cc: Batch/Layer/Group/UnitNormalization
std::span<const OpSpec> RecurrentOps();      // recurrent.cc: SimpleRNN, LSTM, GRU, Bidirectional
std::span<const OpSpec> AttentionOps();      // attention.cc: MultiHeadAttention
std::span<const OpSpec> WrapperOps();        // wrappers.cc: TimeDistributed
}  // namespace ops

// Creates the op for a layer that another op wraps (TimeDistributed's inner
// layer, Bidirectional's directions), through the same table.
absl::StatusOr<std::unique_ptr<Op>> CreateOp(const OpContext& ctx);

}  // namespace kgate::engine
