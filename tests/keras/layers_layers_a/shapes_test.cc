// layers/common_shapes: the shape arithmetic shared by the layer families,
// checked against numbers Keras 3.15.1 gives (operation_utils.py).
#include <gtest/gtest.h>

#include "harness.h"
#include "io/json/json.h"
#include "keras/layers/common_shapes.h"

namespace kgate::keras::layers {
namespace {

using graph::Dims;
using graph::kUnknownDim;
constexpr int64_t N = kUnknownDim;

TEST(NormalizeAxis, Range) {
  EXPECT_EQ(*NormalizeAxis(-1, 3), 2);
  EXPECT_EQ(*NormalizeAxis(-3, 3), 0);
  EXPECT_EQ(*NormalizeAxis(2, 3), 2);
  EXPECT_FALSE(NormalizeAxis(3, 3).ok());
  EXPECT_FALSE(NormalizeAxis(-4, 3).ok());
  EXPECT_FALSE(NormalizeAxis(0, 0).ok());
  EXPECT_EQ(layers_a_test::RuleIdOf(NormalizeAxis(9, 2).status()), "KG-K010");
}

TEST(BroadcastShapes, KerasRules) {
  EXPECT_EQ(*BroadcastShapes({5, 3}, {1, 3}), (Dims{5, 3}));
  EXPECT_EQ(*BroadcastShapes({3}, {4, 1, 3}), (Dims{4, 1, 3}));
  EXPECT_EQ(*BroadcastShapes({N, 1}, {1, 4}), (Dims{N, 4}));
  EXPECT_EQ(*BroadcastShapes({N}, {1}), (Dims{N}));
  EXPECT_EQ(*BroadcastShapes({N}, {5}), (Dims{5}));
  EXPECT_EQ(*BroadcastShapes({5}, {N}), (Dims{5}));
  EXPECT_EQ(*BroadcastShapes({}, {2}), (Dims{2}));
  auto bad = BroadcastShapes({2, 3}, {4, 3});
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("2 against 4"), absl::string_view::npos) << bad.status();
}

TEST(ConvOutputLength, MatchesKeras) {
  // compute_conv_output_shape: valid floor((n - d*(k-1) - 1)/s) + 1; same/causal floor((n-1)/s) + 1.
  EXPECT_EQ(*ConvOutputLength(10, 3, "valid", 1, 1), 8);
  EXPECT_EQ(*ConvOutputLength(11, 3, "same", 2, 1), 6);
  EXPECT_EQ(*ConvOutputLength(9, 3, "causal", 1, 2), 9);
  EXPECT_EQ(*ConvOutputLength(9, 3, "valid", 1, 2), 5);
  EXPECT_EQ(*ConvOutputLength(7, 2, "valid", 3, 1), 2);
  EXPECT_EQ(*ConvOutputLength(1, 1, "valid", 1, 1), 1);
  EXPECT_EQ(*ConvOutputLength(N, 3, "valid", 2, 1), N);
  EXPECT_EQ(*ConvOutputLength(N, 3, "same", 2, 1), N);
  // Zero or negative output is an error (Keras raises), N and N+1.
  EXPECT_EQ(*ConvOutputLength(5, 5, "valid", 1, 1), 1);
  EXPECT_FALSE(ConvOutputLength(4, 5, "valid", 1, 1).ok());
  EXPECT_FALSE(ConvOutputLength(4, 3, "valid", 1, 2).ok());
  EXPECT_FALSE(ConvOutputLength(4, 3, "full", 1, 1).ok());
  EXPECT_FALSE(ConvOutputLength(4, 0, "valid", 1, 1).ok());
  EXPECT_FALSE(ConvOutputLength(4, 1, "valid", 0, 1).ok());
}

TEST(PoolOutputLength, MatchesKeras) {
  EXPECT_EQ(*PoolOutputLength(9, 2, "valid", 2), 4);
  EXPECT_EQ(*PoolOutputLength(9, 3, "same", 2), 5);
  EXPECT_EQ(*PoolOutputLength(N, 3, "same", 2), N);
  EXPECT_FALSE(PoolOutputLength(2, 3, "valid", 1).ok());
  EXPECT_FALSE(PoolOutputLength(2, 3, "causal", 1).ok());
}

TEST(DeconvOutputLength, MatchesKeras) {
  // _get_output_shape_given_tf_padding.
  EXPECT_EQ(*DeconvOutputLength(5, 3, "valid", 1, 1, std::nullopt), 7);
  EXPECT_EQ(*DeconvOutputLength(5, 2, "valid", 3, 1, std::nullopt), 15);
  EXPECT_EQ(*DeconvOutputLength(5, 3, "same", 2, 1, 1), 10);
  EXPECT_EQ(*DeconvOutputLength(4, 4, "same", 2, 1, 0), 6);
  EXPECT_EQ(*DeconvOutputLength(4, 3, "same", 2, 1, std::nullopt), 8);
  EXPECT_EQ(*DeconvOutputLength(6, 3, "valid", 1, 2, std::nullopt), 10);
  EXPECT_EQ(*DeconvOutputLength(N, 3, "same", 2, 1, std::nullopt), N);
  EXPECT_FALSE(DeconvOutputLength(5, 3, "causal", 1, 1, std::nullopt).ok());
  auto big = DeconvOutputLength(kMaxDim, 4096, "valid", 4096, 1, std::nullopt);
  ASSERT_FALSE(big.ok());
  EXPECT_EQ(big.status().code(), absl::StatusCode::kResourceExhausted);
}

TEST(DataFormat, ReadAndAxes) {
  auto v = io::json::Parse(R"({"a": "Channels_First", "b": null, "c": "NCHW", "d": 3})");
  ASSERT_TRUE(v.ok());
  ConfigView c(*v, "t");
  EXPECT_EQ(*ReadDataFormat(c, "a"), "channels_first");
  EXPECT_EQ(*ReadDataFormat(c, "b"), "channels_last");
  EXPECT_EQ(*ReadDataFormat(c, "missing"), "channels_last");
  EXPECT_FALSE(ReadDataFormat(c, "c").ok());
  EXPECT_FALSE(ReadDataFormat(c, "d").ok());
  EXPECT_EQ(ChannelAxis("channels_first", 4), 1);
  EXPECT_EQ(ChannelAxis("channels_last", 4), 3);
  EXPECT_EQ(SpatialAxes("channels_first", 4), (std::vector<int64_t>{2, 3}));
  EXPECT_EQ(SpatialAxes("channels_last", 5), (std::vector<int64_t>{1, 2, 3}));
}

TEST(KnownProduct, UnknownAndOverflow) {
  EXPECT_EQ(KnownProduct({N, 3, 4}, 1, 3), 12);
  EXPECT_EQ(KnownProduct({N, 3, 4}, 0, 3), std::nullopt);
  EXPECT_EQ(KnownProduct({N}, 1, 1), 1);
  EXPECT_EQ(KnownProduct({kMaxDim, kMaxDim, kMaxDim}, 0, 3), std::nullopt);
}

TEST(AnalyzeEinsum, KerasShapes) {
  auto a = AnalyzeEinsum("ab,bc->ac", "c", {N, 3}, {4});
  ASSERT_TRUE(a.ok()) << a.status();
  EXPECT_EQ(a->kernel, (Dims{3, 4}));
  EXPECT_EQ(*a->bias, (Dims{4}));
  EXPECT_EQ(a->output, (Dims{N, 4}));
  // Bias over an inner axis gets trailing 1s up to the end of the output spec.
  auto b = AnalyzeEinsum("abc,cde->abde", "d", {N, 6, 8}, {N, 2, 4});
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b->kernel, (Dims{8, 2, 4}));
  EXPECT_EQ(*b->bias, (Dims{2, 1}));
  EXPECT_EQ(b->output, (Dims{N, N, 2, 4}));
  // Right ellipsis: bias gets one 1 per elided dim.
  auto c = AnalyzeEinsum("ab...,bc->ac...", "c", {N, 4, 5}, {7});
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(*c->bias, (Dims{7, 1}));
  EXPECT_EQ(c->output, (Dims{N, 7, 5}));
  // Left ellipsis over three dims keeps their order.
  auto d = AnalyzeEinsum("...b,bc->...c", "", {N, 3, 4, 5}, {7});
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->output, (Dims{N, 3, 4, 7}));
  EXPECT_FALSE(d->bias.has_value());
  // Shared dimension mismatch, as Keras (also unknown input vs known output).
  EXPECT_FALSE(AnalyzeEinsum("abc,cd->abd", "", {N, 5, 3}, {4, 6}).ok());
  EXPECT_FALSE(AnalyzeEinsum("abc,cd->abd", "", {N, N, 3}, {4, 6}).ok());
  EXPECT_FALSE(AnalyzeEinsum("ab,bc->ac", "", {}, {4}).ok());
}

}  // namespace
}  // namespace kgate::keras::layers
