// Targeted checks of the layers_b specs beyond the Keras fixture: limits at
// N and N+1, refusals kgate adds on purpose (stateful, LoRA, mixed
// Bidirectional directions), call-shape errors, wrapper plumbing and stored
// attributes the engine relies on.
#include <gtest/gtest.h>

#include "harness.h"
#include "keras/config_view.h"
#include "util/strings.h"

namespace kgate::keras::testing {
namespace {

using io::json::Value;

const Value& Config(std::string_view id) {
  const Value* c = FindCase(id);
  if (c == nullptr) {
    ADD_FAILURE() << "no fixture case " << id;
    std::abort();
  }
  return *c->Find("config");
}

std::unique_ptr<graph::Layer> MustParse(std::string_view cls, const Value& config) {
  auto layer = ParseConfig(cls, config);
  EXPECT_TRUE(layer.ok()) << layer.status();
  return layer.ok() ? std::move(*layer) : nullptr;
}

void ExpectK010(const absl::Status& s, std::string_view needle) {
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(RuleIdOf(s), "KG-K010") << s;
  EXPECT_NE(s.message().find(std::string(needle)), absl::string_view::npos) << s;
}

TEST(ConvSpec, StoresNormalisedAttributes) {
  auto layer = MustParse("Conv1D", Config("conv1d_causal_dilated"));
  ASSERT_NE(layer, nullptr);
  const auto& a = layer->attrs;
  EXPECT_EQ(a.GetInt("rank", 0), 1);
  EXPECT_EQ(a.GetInt("filters", 0), 5);
  EXPECT_EQ(a.GetInt("groups", 0), 1);
  EXPECT_EQ(a.GetInts("kernel_size"), (std::vector<int64_t>{3}));
  EXPECT_EQ(a.GetInts("dilation_rate"), (std::vector<int64_t>{2}));
  EXPECT_EQ(a.GetString("padding", ""), "causal");
  EXPECT_EQ(a.GetString("data_format", ""), "channels_last");
  EXPECT_EQ(a.GetString("activation", ""), "linear");
  EXPECT_TRUE(a.GetBool("use_bias", false));
}

TEST(ConvSpec, IntKernelSizeExpandsAndPaddingIsCaseInsensitive) {
  Value config = With(With(Config("conv2d_valid"), "kernel_size", Value::Int(3)), "padding", Value::String("SAME"));
  auto layer = MustParse("Conv2D", config);
  ASSERT_NE(layer, nullptr);
  EXPECT_EQ(layer->attrs.GetInts("kernel_size"), (std::vector<int64_t>{3, 3}));
  EXPECT_EQ(layer->attrs.GetString("padding", ""), "same");
}

TEST(ConvSpec, LimitsAtNAndNPlus1) {
  const Value& base = Config("conv2d_valid");
  EXPECT_TRUE(ParseConfig("Conv2D", With(base, "filters", Value::Int(kMaxUnits))).ok());
  ExpectK010(ParseConfig("Conv2D", With(base, "filters", Value::Int(kMaxUnits + 1))).status(), "/config/filters");
  Value k = Value::MakeArray({Value::Int(kMaxKernelExtent), Value::Int(1)});
  EXPECT_TRUE(ParseConfig("Conv2D", With(base, "kernel_size", k)).ok());
  Value k1 = Value::MakeArray({Value::Int(kMaxKernelExtent + 1), Value::Int(1)});
  ExpectK010(ParseConfig("Conv2D", With(base, "kernel_size", k1)).status(), "/config/kernel_size");
  ExpectK010(ParseConfig("Conv2D", With(base, "strides", Value::Int(-1))).status(), "/config/strides");
}

TEST(ConvSpec, LoraIsRefusedButNullLoraIsFine) {
  const Value& base = Config("conv2d_valid");
  EXPECT_TRUE(ParseConfig("Conv2D", With(base, "lora_rank", Value::Null())).ok());
  ExpectK010(ParseConfig("Conv2D", With(base, "lora_rank", Value::Int(4))).status(), "LoRA");
}

TEST(ConvSpec, ListPaddingIsRefused) {
  Value pads = Value::MakeArray({Value::Int(1), Value::Int(1)});
  ExpectK010(ParseConfig("Conv2D", With(Config("conv2d_valid"), "padding", pads)).status(), "/config/padding");
}

TEST(ConvSpec, CallErrorsNameTheLayer) {
  auto layer = MustParse("Conv2D", Config("conv2d_valid"));
  ASSERT_NE(layer, nullptr);
  std::vector<graph::TensorSpec> out;
  graph::TensorSpec x{util::DType::kFloat32, {-1, 9, 7, 3}};
  ExpectK010(BuildCall(*layer, {x, x}, 2, {}, &out), "expected 1 positional input");
  ExpectK010(BuildCall(*layer, {x, x}, 1, {"mask"}, &out), "unexpected keyword input tensor 'mask'");
  ExpectK010(BuildOne(*layer, {-1, 9, 7, -1}).status(), "channel dimension");
  ExpectK010(BuildOne(*layer, {-1, 9, 7}).status(), "rank 4");
  EXPECT_NE(BuildOne(*layer, {-1, 9, 7}).status().message().find("conv2d"), absl::string_view::npos);
  EXPECT_FALSE(layer->built);
}

TEST(ConvSpec, SharedLayerWithOtherChannelsIsRefused) {
  auto layer = MustParse("Conv2D", Config("conv2d_valid"));
  ASSERT_NE(layer, nullptr);
  ASSERT_TRUE(BuildOne(*layer, {-1, 9, 7, 3}).ok());
  EXPECT_TRUE(BuildOne(*layer, {-1, 12, 12, 3}).ok());  // other spatial dims: same variables
  ExpectK010(BuildOne(*layer, {-1, 9, 7, 4}).status(), "shared layer");
}

TEST(ConvSpec, OversizedOutputsAreRefused) {
  // Depthwise: channels * multiplier beyond kMaxDim.
  Value dw = With(Config("depthwise2d"), "depth_multiplier", Value::Int(kMaxUnits));
  auto layer = MustParse("DepthwiseConv2D", dw);
  ASSERT_NE(layer, nullptr);
  ExpectK010(BuildOne(*layer, {-1, 9, 9, 1024}).status(), "kMaxDim");
  // Transposed conv: output length beyond kMaxDim.
  Value tr = With(Config("conv1d_transpose_valid"), "strides", Value::Int(kMaxKernelExtent));
  auto t = MustParse("Conv1DTranspose", tr);
  ASSERT_NE(t, nullptr);
  auto st = BuildOne(*t, {-1, kMaxDim, 2}).status();
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.code(), absl::StatusCode::kResourceExhausted) << st;
  EXPECT_EQ(RuleIdOf(st), "KG-K010");
}

TEST(ConvSpec, TransposeOutputPaddingStoredOnlyWhenSet) {
  auto none = MustParse("Conv2DTranspose", Config("conv2d_transpose_same"));
  ASSERT_NE(none, nullptr);
  EXPECT_FALSE(none->attrs.Has("output_padding"));
  auto set = MustParse("Conv2DTranspose", Config("conv2d_transpose_valid_outpad"));
  ASSERT_NE(set, nullptr);
  EXPECT_EQ(set->attrs.GetInts("output_padding"), (std::vector<int64_t>{1, 2}));
}

TEST(PoolingSpec, NullStridesMeanPoolSize) {
  auto layer = MustParse("MaxPooling2D", With(Config("maxpool2d_default"), "strides", Value::Null()));
  ASSERT_NE(layer, nullptr);
  EXPECT_EQ(layer->attrs.GetInts("strides"), (std::vector<int64_t>{2, 2}));
  auto out = BuildOne(*layer, {-1, 9, 8, 3});
  ASSERT_TRUE(out.ok());
  EXPECT_EQ((*out)[0].shape, (graph::Dims{-1, 4, 4, 3}));
}

TEST(PoolingSpec, ZeroStridesAndUpperCasePaddingAreRefused) {
  const Value& base = Config("maxpool2d_default");
  ExpectK010(ParseConfig("MaxPooling2D", With(base, "strides", Value::Int(0))).status(), "/config/strides");
  ExpectK010(ParseConfig("MaxPooling2D", With(base, "padding", Value::String("SAME"))).status(), "/config/padding");
}

TEST(PoolingSpec, MaskOnlyForGlobalAveragePooling1D) {
  auto avg = MustParse("GlobalAveragePooling1D", Config("gavgpool1d"));
  auto max = MustParse("GlobalMaxPooling1D", Config("gmaxpool1d"));
  ASSERT_TRUE(avg && max);
  graph::TensorSpec x{util::DType::kFloat32, {-1, 7, 3}};
  graph::TensorSpec m{util::DType::kBool, {-1, 7}};
  graph::TensorSpec bad{util::DType::kBool, {-1, 6}};
  std::vector<graph::TensorSpec> out;
  EXPECT_TRUE(BuildCall(*avg, {x, m}, 1, {"mask"}, &out).ok());
  ExpectK010(BuildCall(*avg, {x, bad}, 1, {"mask"}, &out), "mask of shape");
  ExpectK010(BuildCall(*max, {x, m}, 1, {"mask"}, &out), "unexpected keyword");
}

TEST(RnnSpec, StatefulIsRefused) {
  ExpectK010(ParseConfig("LSTM", With(Config("lstm"), "stateful", Value::Bool(true))).status(), "stateless");
}

TEST(RnnSpec, UnitsLimitAndDefaults) {
  const Value& base = Config("gru");
  EXPECT_TRUE(ParseConfig("GRU", With(base, "units", Value::Int(kMaxUnits))).ok());
  ExpectK010(ParseConfig("GRU", With(base, "units", Value::Int(kMaxUnits + 1))).status(), "/config/units");
  auto layer = MustParse("GRU", Without(Without(base, "activation"), "recurrent_activation"));
  ASSERT_NE(layer, nullptr);
  EXPECT_EQ(layer->attrs.GetString("activation", ""), "tanh");
  EXPECT_EQ(layer->attrs.GetString("recurrent_activation", ""), "sigmoid");
  EXPECT_TRUE(layer->attrs.GetBool("reset_after", false));
  auto nulled = MustParse("GRU", With(base, "activation", Value::Null()));
  ASSERT_NE(nulled, nullptr);
  EXPECT_EQ(nulled->attrs.GetString("activation", ""), "linear");
  auto clipped = MustParse("GRU", With(base, "dropout", Value::Double(7.5)));
  ASSERT_NE(clipped, nullptr);
  EXPECT_EQ(clipped->attrs.GetFloat("dropout", 0), 1.0);
}

TEST(RnnSpec, KeysOfOtherCellsAreRefused) {
  ExpectK010(ParseConfig("SimpleRNN", With(Config("simple_rnn"), "recurrent_activation", Value::String("sigmoid")))
                 .status(),
             "/config/recurrent_activation");
  ExpectK010(ParseConfig("LSTM", With(Config("lstm"), "reset_after", Value::Bool(true))).status(),
             "/config/reset_after");
  EXPECT_TRUE(ParseConfig("LSTM", With(Config("lstm"), "implementation", Value::Int(1))).ok());
  EXPECT_TRUE(ParseConfig("SimpleRNN", With(Config("simple_rnn"), "seed", Value::Int(3))).ok());
}

TEST(RnnSpec, InitialStatesAndMaskAreChecked) {
  auto lstm = MustParse("LSTM", Config("lstm"));  // units 5
  ASSERT_NE(lstm, nullptr);
  graph::TensorSpec x{util::DType::kFloat32, {-1, 7, 3}};
  graph::TensorSpec h{util::DType::kFloat32, {-1, 5}};
  graph::TensorSpec wrong{util::DType::kFloat32, {-1, 4}};
  graph::TensorSpec m{util::DType::kBool, {-1, 7}};
  std::vector<graph::TensorSpec> out;
  ExpectK010(BuildCall(*lstm, {x, h}, 1, {"initial_state"}, &out), "expected 2 initial state");
  ExpectK010(BuildCall(*lstm, {x, h, wrong}, 1, {"initial_state", "initial_state"}, &out), "initial state 1");
  ExpectK010(BuildCall(*lstm, {x, m, m}, 1, {"mask", "mask"}, &out), "more than once");
  ExpectK010(BuildCall(*lstm, {x, h}, 1, {"mask"}, &out), "mask has shape");
  ExpectK010(BuildOne(*lstm, {-1, 7, -1}).status(), "feature dimension");
  // Positional states (lstm(x, [h, c])) are accepted.
  out.clear();
  ASSERT_TRUE(BuildCall(*lstm, {x, h, h}, 3, {}, &out).ok());
  EXPECT_EQ(out.size(), 1u);
}

TEST(BidirectionalSpec, SublayersAndAttributes) {
  auto layer = MustParse("Bidirectional", Config("bidi_lstm_none"));
  ASSERT_NE(layer, nullptr);
  ASSERT_EQ(layer->sublayers.size(), 2u);
  EXPECT_EQ(layer->sublayers[0]->attr_key, "forward_layer");
  EXPECT_EQ(layer->sublayers[1]->attr_key, "backward_layer");
  EXPECT_EQ(layer->sublayers[0]->name.rfind("forward_", 0), 0u);
  EXPECT_EQ(layer->sublayers[1]->name.rfind("backward_", 0), 0u);
  EXPECT_TRUE(layer->sublayers[1]->attrs.GetBool("go_backwards", false));
  EXPECT_EQ(layer->attrs.GetString("merge_mode", ""), "none");
}

TEST(BidirectionalSpec, MissingBackwardLayerIsDerivedLikeKeras) {
  Value inner = *Config("bidi_lstm_concat").Find("layer");
  Value inner_config = With(*inner.Find("config"), "name", Value::String("lstm"));
  Value config = Without(With(Config("bidi_lstm_concat"), "layer", With(inner, "config", inner_config)),
                         "backward_layer");
  auto layer = MustParse("Bidirectional", config);
  ASSERT_NE(layer, nullptr);
  EXPECT_EQ(layer->sublayers[0]->name, "forward_lstm");
  EXPECT_EQ(layer->sublayers[1]->name, "backward_lstm");
  EXPECT_FALSE(layer->sublayers[0]->attrs.GetBool("go_backwards", true));
  EXPECT_TRUE(layer->sublayers[1]->attrs.GetBool("go_backwards", false));
  auto out = BuildOne(*layer, {-1, 5, 3});
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ((*out)[0].shape, (graph::Dims{-1, 8}));
  EXPECT_EQ(layer->ParamCount(), 256);
}

TEST(BidirectionalSpec, InconsistentDirectionsAreRefused) {
  const Value& base = Config("bidi_lstm_concat");
  const Value& fwd = *base.Find("layer");
  const Value& bwd = *base.Find("backward_layer");
  auto with_inner = [](const Value& env, std::string_view key, Value v) {
    return With(env, "config", With(*env.Find("config"), key, std::move(v)));
  };
  ExpectK010(ParseConfig("Bidirectional", With(base, "backward_layer", with_inner(bwd, "go_backwards",
                                                                                  Value::Bool(false))))
                 .status(),
             "go_backwards");
  ExpectK010(ParseConfig("Bidirectional", With(base, "backward_layer", with_inner(bwd, "return_sequences",
                                                                                  Value::Bool(true))))
                 .status(),
             "return_sequences");
  // Directions of different widths are fine for concat (Keras allows them),
  // and refused at build for the element-wise merge modes.
  auto wide = ParseConfig("Bidirectional", With(base, "backward_layer", with_inner(bwd, "units", Value::Int(7))));
  ASSERT_TRUE(wide.ok()) << wide.status();
  auto wide_out = BuildOne(**wide, {-1, 5, 3});
  ASSERT_TRUE(wide_out.ok()) << wide_out.status();
  EXPECT_EQ((*wide_out)[0].shape, (graph::Dims{-1, 4 + 7}));
  auto summed = ParseConfig("Bidirectional", With(With(base, "merge_mode", Value::String("sum")), "backward_layer",
                                                  with_inner(bwd, "units", Value::Int(7))));
  ASSERT_TRUE(summed.ok()) << summed.status();
  ExpectK010(BuildOne(**summed, {-1, 5, 3}).status(), "same width");
  Value dense = Value::MakeObject({{"class_name", Value::String("Dense")},
                                   {"config", Value::MakeObject({{"name", Value::String("d")},
                                                                 {"units", Value::Int(2)}})}});
  auto s = ParseConfig("Bidirectional", With(base, "layer", dense)).status();
  ASSERT_FALSE(s.ok());
  ExpectK010(ParseConfig("Bidirectional", With(base, "layer", Value::String("lstm"))).status(), "/config/layer");
  ExpectK010(ParseConfig("Bidirectional", Without(base, "layer")).status(), "/config/layer");
  // Errors inside the wrapped config carry the nested JSON Pointer.
  auto nested = ParseConfig("Bidirectional", With(base, "layer", with_inner(fwd, "units", Value::Int(-3))));
  ExpectK010(nested.status(), "/config/layer/config/units");
}

TEST(BidirectionalSpec, OddInitialStatesAreRefused) {
  auto layer = MustParse("Bidirectional", Config("bidi_lstm_initial_state"));
  ASSERT_NE(layer, nullptr);
  graph::TensorSpec x{util::DType::kFloat32, {-1, 5, 3}};
  graph::TensorSpec h{util::DType::kFloat32, {-1, 2}};
  std::vector<graph::TensorSpec> out;
  ExpectK010(BuildCall(*layer, {x, h, h, h}, 1, {"initial_state", "initial_state", "initial_state"}, &out), "even");
  ExpectK010(BuildCall(*layer, {x, h, h}, 1, {"initial_state", "initial_state"}, &out), "forward_layer");
}

TEST(BidirectionalSpec, NoParseContextIsRefused) {
  ParseContext empty;
  graph::Layer layer;
  layer.class_name = "Bidirectional";
  ConfigView view(Config("bidi_lstm_concat"), "x.json:/config");
  ExpectK010(FindLayerSpec("Bidirectional")->parse(view, empty, layer), "cannot be parsed");
}

TEST(TimeDistributedSpec, InnerLayerPlumbing) {
  auto layer = MustParse("TimeDistributed", Config("td_conv2d"));
  ASSERT_NE(layer, nullptr);
  ASSERT_EQ(layer->sublayers.size(), 1u);
  EXPECT_EQ(layer->sublayers[0]->attr_key, "layer");
  EXPECT_EQ(layer->sublayers[0]->class_name, "Conv2D");
  ExpectK010(BuildOne(*layer, {-1, 3, 8, 8}).status(), "TimeDistributed");
  auto ok = BuildOne(*layer, {-1, 3, 8, 8, 1});
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ((*ok)[0].shape, (graph::Dims{-1, 3, 4, 4, 2}));
}

TEST(TimeDistributedSpec, MultiOutputInnerAndBadMaskAreRefused) {
  Value lstm = *Config("td_lstm").Find("layer");
  Value state = With(lstm, "config", With(*lstm.Find("config"), "return_state", Value::Bool(true)));
  auto layer = MustParse("TimeDistributed", With(Config("td_lstm"), "layer", state));
  ASSERT_NE(layer, nullptr);
  ExpectK010(BuildOne(*layer, {-1, 3, 4, 5}).status(), "one tensor");
  auto td = MustParse("TimeDistributed", Config("td_dense"));
  ASSERT_NE(td, nullptr);
  std::vector<graph::TensorSpec> out;
  graph::TensorSpec x{util::DType::kFloat32, {-1, 4, 5}};
  ExpectK010(BuildCall(*td, {x, {util::DType::kBool, {-1}}}, 1, {"mask"}, &out), "mask of shape");
  EXPECT_TRUE(BuildCall(*td, {x, {util::DType::kBool, {-1, 4}}}, 1, {"mask"}, &out).ok());
}

TEST(TimeDistributedSpec, UnknownInnerClassIsRefusedAsUnknown) {
  Value lambda = Value::MakeObject({{"class_name", Value::String("Lambda")},
                                    {"config", Value::MakeObject({{"name", Value::String("l")}})}});
  auto s = ParseConfig("TimeDistributed", With(Config("td_dense"), "layer", lambda)).status();
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(RuleIdOf(s), "KG-K007") << s;
}

TEST(ApplicationSpec, LayerScaleAndCustomScale) {
  auto ls = MustParse("LayerScale", Config("layer_scale"));
  ASSERT_NE(ls, nullptr);
  EXPECT_EQ(ls->attrs.GetInt("projection_dim", 0), 8);
  ExpectK010(BuildOne(*ls, {-1, 5, 5, 7}).status(), "broadcast");
  ExpectK010(ParseConfig("LayerScale", Without(Config("layer_scale"), "projection_dim")).status(),
             "/config/projection_dim");
  auto cs = MustParse("CustomScaleLayer", Config("custom_scale"));
  ASSERT_NE(cs, nullptr);
  EXPECT_DOUBLE_EQ(cs->attrs.GetFloat("scale", 0), 0.17);
  ExpectK010(BuildOne(*cs, {-1, 5, 5, 8}).status(), "expected 2 positional");
  ExpectK010(ParseConfig("CustomScaleLayer", With(Config("custom_scale"), "scale", Value::String("x"))).status(),
             "/config/scale");
}

TEST(NumpyOpSpec, ScalarOperandAndDtypes) {
  auto add = MustParse("ops.numpy.Add", Config("numpy_add_scalar"));
  ASSERT_NE(add, nullptr);
  graph::Attributes scalar;
  scalar.Set("scalar", 3.0);
  std::vector<graph::TensorSpec> out;
  graph::TensorSpec x{util::DType::kFloat32, {-1, 4}};
  graph::TensorSpec i{util::DType::kInt32, {-1, 4}};
  ASSERT_TRUE(BuildCall(*add, {i}, 1, {}, &out, scalar).ok());
  EXPECT_EQ(out.back().dtype, util::DType::kFloat32);  // int tensor + 3.0 -> float32
  graph::Attributes int_scalar;
  int_scalar.Set("scalar", int64_t{3});
  ASSERT_TRUE(BuildCall(*add, {i}, 1, {}, &out, int_scalar).ok());
  EXPECT_EQ(out.back().dtype, util::DType::kInt32);
  graph::Attributes text;
  text.Set("scalar", std::string("3"));
  ExpectK010(BuildCall(*add, {x}, 1, {}, &out, text), "number");
  ExpectK010(BuildCall(*add, {x}, 1, {}, &out), "expected 2 positional");
  ExpectK010(BuildCall(*add, {x, i}, 2, {}, &out), "different dtypes");
  ExpectK010(BuildCall(*add, {x, {util::DType::kFloat32, {-1, 5}}}, 2, {}, &out), "broadcast");
  ExpectK010(ParseConfig("ops.numpy.Add", With(Config("numpy_add_scalar"), "units", Value::Int(1))).status(),
             "/config/units");
}

}  // namespace
}  // namespace kgate::keras::testing
