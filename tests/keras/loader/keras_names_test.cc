#include "keras/keras_names.h"

#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace kgate::keras {
namespace {

TEST(ToSnakeCase, MatchesKerasForEveryClassInTheFormatSpec) {
  // keras-format.md c.1, checked against keras.src.utils.naming.to_snake_case.
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"InputLayer", "input_layer"},
      {"Dense", "dense"},
      {"Conv2D", "conv2d"},
      {"Conv2DTranspose", "conv2d_transpose"},
      {"DepthwiseConv2D", "depthwise_conv2d"},
      {"SeparableConv2D", "separable_conv2d"},
      {"BatchNormalization", "batch_normalization"},
      {"LayerNormalization", "layer_normalization"},
      {"RMSNormalization", "rms_normalization"},
      {"SimpleRNN", "simple_rnn"},
      {"LSTM", "lstm"},
      {"GRU", "gru"},
      {"MultiHeadAttention", "multi_head_attention"},
      {"ReLU", "re_lu"},
      {"LeakyReLU", "leaky_re_lu"},
      {"PReLU", "p_re_lu"},
      {"ELU", "elu"},
      {"UpSampling2D", "up_sampling2d"},
      {"ZeroPadding2D", "zero_padding2d"},
      {"GlobalAveragePooling2D", "global_average_pooling2d"},
      {"TimeDistributed", "time_distributed"},
      {"Functional", "functional"},
      {"Sequential", "sequential"},
      {"EinsumDense", "einsum_dense"},
      {"Conv1DTranspose", "conv1d_transpose"},
      {"GlobalMaxPooling1D", "global_max_pooling1d"},
      {"AveragePooling3D", "average_pooling3d"},
      {"HTTPServer", "http_server"},
      {"ABC", "abc"},
      {"aB", "a_b"},
      {"A", "a"},
      {"", ""},
      {"Has Space-And.Dots", "has_space_and_dots"},
      {"already_snake", "already_snake"},
  };
  for (const auto& [in, want] : cases) EXPECT_EQ(ToSnakeCase(in), want) << in;
}

TEST(SaveKeys, SuffixesRepeatsInListOrder) {
  std::vector<std::string> classes = {"InputLayer", "Dense", "Dropout", "Dense", "Dense", "Functional", "Functional"};
  std::vector<std::string> want = {"input_layer", "dense", "dropout", "dense_1", "dense_2", "functional",
                                   "functional_1"};
  EXPECT_EQ(SaveKeys(classes), want);
  EXPECT_TRUE(SaveKeys(std::vector<std::string>{}).empty());
}

TEST(IsSafeName, AcceptsKerasNames) {
  for (const char* n : {"dense", "dense_1", "input_layer", "conv2d.block-1", "A", "x9", "forward_lstm", "..a", "a..b"}) {
    EXPECT_TRUE(IsSafeName(n)) << n;
    EXPECT_EQ(UnsafeNameReason(n), "") << n;
  }
}

TEST(IsSafeName, RefusesPathsAndControlCharacters) {
  for (const char* n : {"", ".", "..", "../x", "a/b", "/abs", "a\\b", "a b", "a\tb", "a\nb", "caf\xc3\xa9", "a:b"}) {
    EXPECT_FALSE(IsSafeName(n)) << n;
    EXPECT_NE(UnsafeNameReason(n), "") << n;
  }
  EXPECT_NE(UnsafeNameReason(std::string("a\0b", 3)).find("0x00"), std::string::npos);
}

TEST(IsSafeName, LengthLimitAtNAndNPlusOne) {
  EXPECT_TRUE(IsSafeName(std::string(kMaxNameBytes, 'a')));
  EXPECT_FALSE(IsSafeName(std::string(kMaxNameBytes + 1, 'a')));
  EXPECT_NE(UnsafeNameReason(std::string(kMaxNameBytes + 1, 'a')).find("257 bytes"), std::string::npos);
}

}  // namespace
}  // namespace kgate::keras
