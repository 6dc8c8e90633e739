// File: families.h
// Each layer family file under keras/layers/ exposes its specs here; the
// registry (layer_registry.cc) joins them into one allowlist.
#pragma once

#include <span>

#include "keras/layer_registry.h"

namespace kgate::keras::layers {

std::span<const LayerSpec> CoreLayerSpecs();           // core.cc: InputLayer, Dense, EinsumDense, Activation, Identity, Embedding, Masking, dropout/noise
std::span<const LayerSpec> ReshapingLayerSpecs();      // reshaping.cc: Flatten, Reshape, Permute, RepeatVector, ZeroPadding*, Cropping*, UpSampling*
std::span<const LayerSpec> MergeLayerSpecs();          // merging.cc: Add, Subtract, Multiply, Average, Maximum, Minimum, Concatenate, Dot
std::span<const LayerSpec> NormalizationLayerSpecs();  // normalization.cc: BatchNormalization, LayerNormalization, GroupNormalization, UnitNormalization
std::span<const LayerSpec> ActivationLayerSpecs();     // activation_layers.cc: ReLU, LeakyReLU, PReLU, ELU, Softmax
std::span<const LayerSpec> PreprocessingLayerSpecs();  // preprocessing.cc: Rescaling, Normalization, CenterCrop, Resizing
std::span<const LayerSpec> AttentionLayerSpecs();      // attention.cc: MultiHeadAttention
std::span<const LayerSpec> ConvolutionLayerSpecs();    // convolution.cc: Conv*, Conv*Transpose, DepthwiseConv*, SeparableConv*
std::span<const LayerSpec> PoolingLayerSpecs();        // pooling.cc: Max/AveragePooling*, GlobalMax/AveragePooling*
std::span<const LayerSpec> RecurrentLayerSpecs();      // recurrent.cc: SimpleRNN, LSTM, GRU, Bidirectional
std::span<const LayerSpec> WrapperLayerSpecs();        // wrappers.cc: TimeDistributed
std::span<const LayerSpec> ApplicationLayerSpecs();    // applications.cc: classes keras.applications architectures save
std::span<const LayerSpec> NumpyOpLayerSpecs();        // numpy_ops.cc: keras.ops calls recorded as functional nodes
std::span<const LayerSpec> ModelLayerSpecs();          // keras/model_builder.cc: Sequential, Functional as layers

}  // namespace kgate::keras::layers
