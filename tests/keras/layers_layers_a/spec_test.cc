// Hand-written checks of the layers_a specs: what Keras accepts that the
// generated fixture does not show (legacy spellings, the InputLayer), and
// configs and calls that must be refused with KG-K010, including every named
// limit at N and N+1.
#include <gtest/gtest.h>

#include "harness.h"
#include "keras/config_view.h"
#include "util/strings.h"

namespace kgate::keras::layers_a_test {
namespace {

using graph::Dims;
using graph::kUnknownDim;
constexpr int64_t N = kUnknownDim;

// Expects `s` to be a KG-K010 refusal whose message contains `needle`.
#define EXPECT_REFUSED(expr, needle)                                                         \
  do {                                                                                       \
    auto kg_result_ = (expr);                                                                \
    ASSERT_FALSE(kg_result_.ok()) << #expr << " was accepted";                               \
    EXPECT_EQ(RuleIdOf(kg_result_.status()), "KG-K010") << kg_result_.status();             \
    EXPECT_NE(kg_result_.status().message().find(needle), absl::string_view::npos)           \
        << "message: " << kg_result_.status().message() << "\nexpected to contain: " << needle; \
  } while (false)

std::string Shape(const absl::StatusOr<std::vector<graph::TensorSpec>>& r, size_t i = 0) {
  if (!r.ok()) return util::StrCat("error: ", util::ToStd(r.status().message()));
  if (i >= r->size()) return "missing output";
  return graph::ShapeString((*r)[i].shape);
}

std::vector<graph::TensorSpec> BuildInput(graph::Layer& layer) {
  std::vector<graph::TensorSpec> out;
  EXPECT_TRUE(BuildCall(layer, {}, 0, {}, {}, &out).ok());
  return out;
}

// ---- InputLayer ----

TEST(InputLayer, BatchShapeAsKeras3WritesIt) {
  auto l = ParseConfigText("InputLayer", R"({"batch_shape": [null, 28, 28, 1], "dtype": "float32",
      "sparse": false, "ragged": false, "name": "input_layer", "optional": false})");
  ASSERT_TRUE(l.ok()) << l.status();
  auto out = BuildInput(**l);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].shape, (Dims{N, 28, 28, 1}));
  EXPECT_EQ(out[0].dtype, util::DType::kFloat32);
  EXPECT_TRUE((*l)->weights.empty());
}

TEST(InputLayer, ShapeWithBatchSizeAndLegacyForms) {
  auto a = ParseConfigText("InputLayer", R"({"shape": [3], "batch_size": 8, "dtype": "int32"})");
  ASSERT_TRUE(a.ok()) << a.status();
  auto out = BuildInput(**a);
  EXPECT_EQ(out[0].shape, (Dims{8, 3}));
  EXPECT_EQ(out[0].dtype, util::DType::kInt32);
  auto b = ParseConfigText("InputLayer", R"({"batch_input_shape": [null, 5]})");
  ASSERT_TRUE(b.ok()) << b.status();
  EXPECT_EQ(BuildInput(**b)[0].shape, (Dims{N, 5}));
  auto c = ParseConfigText("InputLayer", R"({"input_shape": [null, 5]})");
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(BuildInput(**c)[0].shape, (Dims{N, N, 5}));
  auto d = ParseConfigText("InputLayer", R"({"batch_shape": [null, 2], "optional": true})");
  ASSERT_TRUE(d.ok());
  EXPECT_TRUE((*d)->attrs.GetBool("optional", false));
}

TEST(InputLayer, Refusals) {
  EXPECT_REFUSED(ParseConfigText("InputLayer", R"({"batch_shape": [null, 2], "shape": [2]})"), "exactly one");
  EXPECT_REFUSED(ParseConfigText("InputLayer", R"({})"), "exactly one");
  EXPECT_REFUSED(ParseConfigText("InputLayer", R"({"batch_shape": [null, 2], "batch_size": 3})"), "batch_size");
  EXPECT_REFUSED(ParseConfigText("InputLayer", R"({"batch_shape": [null, 2], "sparse": true})"), "sparse");
  EXPECT_REFUSED(ParseConfigText("InputLayer", R"({"batch_shape": [null, 2], "ragged": true})"), "ragged");
  EXPECT_REFUSED(ParseConfigText("InputLayer", R"({"batch_shape": [null, 2], "dtype": "string"})"), "dtype");
  EXPECT_REFUSED(ParseConfigText("InputLayer", R"({"batch_shape": [null, 2], "dtype": "float128"})"), "dtype");
  EXPECT_REFUSED(ParseConfigText("InputLayer", R"({"batch_shape": []})"), "batch dimension");
  EXPECT_REFUSED(ParseConfigText("InputLayer", R"({"batch_shape": [null, -3]})"), "dimension 1");
  EXPECT_REFUSED(ParseConfigText("InputLayer", R"({"batch_shape": [null, 2], "input_tensor": null})"),
                 "input_tensor");
  // kMaxRank (8) dims incl. batch: shape of 7 is fine, 8 is one too many.
  EXPECT_TRUE(ParseConfigText("InputLayer", R"({"shape": [1,1,1,1,1,1,1]})").ok());
  EXPECT_REFUSED(ParseConfigText("InputLayer", R"({"shape": [1,1,1,1,1,1,1,1]})"), "kMaxRank");
  auto l = ParseConfigText("InputLayer", R"({"batch_shape": [null, 2]})");
  std::vector<graph::TensorSpec> out;
  absl::Status s = BuildCall(**l, {{util::DType::kFloat32, {N, 2}}}, 1, {}, {}, &out);
  EXPECT_FALSE(s.ok());
}

// ---- Dense / EinsumDense / Embedding ----

TEST(Dense, UnitsLimitAtNAndNPlusOne) {
  EXPECT_TRUE(ParseConfigText("Dense", util::StrCat(R"({"units": )", kMaxUnits, "}")).ok());
  EXPECT_REFUSED(ParseConfigText("Dense", util::StrCat(R"({"units": )", kMaxUnits + 1, "}")), "units");
  EXPECT_REFUSED(ParseConfigText("Dense", R"({"units": 0})"), "units");
  EXPECT_REFUSED(ParseConfigText("Dense", R"({"units": 2.5})"), "units");
  EXPECT_REFUSED(ParseConfigText("Dense", R"({})"), "units");
}

TEST(Dense, QuantizationAndLoraRefused) {
  EXPECT_REFUSED(ParseConfigText("Dense", R"({"units": 2, "quantization_config": {"class_name": "Int8"}})"),
                 "quantiz");
  EXPECT_REFUSED(ParseConfigText("Dense", R"({"units": 2, "lora_rank": 4, "lora_alpha": 4})"), "LoRA");
  EXPECT_TRUE(ParseConfigText("Dense", R"({"units": 2, "lora_rank": null})").ok());
  EXPECT_REFUSED(ParseConfigText("EinsumDense", R"({"equation": "ab,bc->ac", "output_shape": 2,
      "gptq_unpacked_column_size": 4})"), "GPTQ");
  EXPECT_REFUSED(ParseConfigText("Embedding", R"({"input_dim": 4, "output_dim": 2, "lora_rank": 2})"), "LoRA");
}

TEST(Dense, ActivationAndShapes) {
  EXPECT_REFUSED(ParseConfigText("Dense", R"({"units": 2, "activation": "os.system"})"), "activation");
  EXPECT_EQ(Shape(ParseAndBuild("Dense", R"({"units": 3})", {{N, 5, 4}})), "[None, 5, 3]");
  EXPECT_REFUSED(ParseAndBuild("Dense", R"({"units": 3})", {{N}}), "rank");
  EXPECT_REFUSED(ParseAndBuild("Dense", R"({"units": 3})", {{N, 2}, {N, 2}}), "input tensor");
}

TEST(Dense, SharedLayerWithOtherInputWidthIsRefused) {
  auto l = ParseConfigText("Dense", R"({"units": 3})");
  ASSERT_TRUE(Build(**l, {{N, 4}}).ok());
  EXPECT_TRUE(Build(**l, {{N, 7, 4}}).ok());
  EXPECT_REFUSED(Build(**l, {{N, 5}}), "shared layer");
}

TEST(EinsumDense, MalformedEquations) {
  for (std::string_view eq : {"ab,bc", "ab,bc->ac...", "...ab,bc->ac", "ab...,bc->...ac", "aab,bc->ac",
                              "ab,bbc->ac", "a1,bc->ac", "ab,bc->ac ", ",bc->c", "ab,->a", "a...,ab->b...",
                              "ab,bc->ac->x", ""}) {
    SCOPED_TRACE(eq);
    EXPECT_REFUSED(ParseConfigText("EinsumDense", util::StrCat(R"({"equation": ")", eq, R"(", "output_shape": 2})")),
                   "equation");
  }
  std::string long_eq(300, 'a');
  EXPECT_REFUSED(ParseConfigText("EinsumDense", util::StrCat(R"({"equation": ")", long_eq, R"(", "output_shape": 2})")),
                 "too long");
}

TEST(EinsumDense, ShapeErrorsAtBuild) {
  EXPECT_REFUSED(ParseAndBuild("EinsumDense", R"({"equation": "ab,bc->ad", "output_shape": 2})", {{N, 3}}),
                 "'d'");
  EXPECT_REFUSED(ParseAndBuild("EinsumDense", R"({"equation": "ab,bc->ac", "output_shape": 2, "bias_axes": "x"})",
                               {{N, 3}}),
                 "bias axis 'x'");
  EXPECT_REFUSED(ParseConfigText("EinsumDense", R"({"equation": "ab,bc->ac", "output_shape": 2, "bias_axes": ""})"),
                 "bias_axes");
  EXPECT_REFUSED(ParseAndBuild("EinsumDense", R"({"equation": "ab,bc->ac", "output_shape": 2})", {{N, 3, 4}}),
                 "does not fit");
  EXPECT_REFUSED(ParseAndBuild("EinsumDense", R"({"equation": "ab,bc->ac", "output_shape": [2, 3]})", {{N, 3}}),
                 "output_shape");
  EXPECT_REFUSED(ParseAndBuild("EinsumDense", R"({"equation": "ab,bc->ac", "output_shape": 2})", {{N, N}}),
                 "unknown");
}

TEST(EinsumDense, LeftEllipsisKeepsElidedOrder) {
  // Keras's symbolic shape would be [None, 4, 3, 7]; the einsum gives [None, 3, 4, 7].
  EXPECT_EQ(Shape(ParseAndBuild("EinsumDense", R"({"equation": "...b,bc->...c", "output_shape": 7})",
                                {{N, 3, 4, 5}})),
            "[None, 3, 4, 7]");
}

TEST(Embedding, Keras2FieldsAndIds) {
  EXPECT_REFUSED(ParseConfigText("Embedding", R"({"input_dim": 4, "output_dim": 2, "input_length": 10})"),
                 "input_length");
  EXPECT_REFUSED(ParseConfigText("Embedding", R"({"input_dim": 0, "output_dim": 2})"), "input_dim");
  EXPECT_TRUE(ParseConfigText("Embedding", R"({"input_dim": 4, "output_dim": 2,
      "embeddings_constraint": {"class_name": "NonNeg", "config": {}}})").ok());
  auto l = ParseConfigText("Embedding", R"({"input_dim": 4, "output_dim": 2})");
  std::vector<graph::TensorSpec> out;
  EXPECT_FALSE(BuildCall(**l, {{util::DType::kBool, {N, 3}}}, 1, {}, {}, &out).ok());
  // The output adds a dimension: a rank-8 input has no room.
  EXPECT_REFUSED(ParseAndBuild("Embedding", R"({"input_dim": 4, "output_dim": 2})", {{N, 1, 1, 1, 1, 1, 1, 1}}),
                 "rank");
}

// ---- Dropout family, Masking, Activation ----

TEST(Dropout, RatesAndNoiseShape) {
  EXPECT_TRUE(ParseConfigText("Dropout", R"({"rate": 1.0})").ok());
  EXPECT_REFUSED(ParseConfigText("Dropout", R"({"rate": 1.5})"), "rate");
  EXPECT_REFUSED(ParseConfigText("Dropout", R"({"rate": -0.1})"), "rate");
  EXPECT_REFUSED(ParseConfigText("Dropout", R"({})"), "rate");
  EXPECT_REFUSED(ParseConfigText("Dropout", R"({"rate": 0.1, "noise_shape": [null, 0]})"), "noise_shape");
  EXPECT_REFUSED(ParseConfigText("Dropout", R"({"rate": 0.1, "noise_shape": "abc"})"), "noise_shape");
  EXPECT_REFUSED(ParseConfigText("Dropout", R"({"rate": 0.1, "seed": "x"})"), "seed");
  EXPECT_REFUSED(ParseConfigText("GaussianNoise", R"({"stddev": 2})"), "stddev");
  EXPECT_REFUSED(ParseConfigText("SpatialDropout2D", R"({"rate": 0.1, "data_format": "NHWC"})"), "data_format");
  EXPECT_TRUE(ParseConfigText("SpatialDropout2D", R"({"rate": 0.1, "data_format": "Channels_First"})").ok());
  EXPECT_REFUSED(ParseConfigText("SpatialDropout1D", R"({"rate": 0.1, "data_format": "channels_last"})"),
                 "data_format");
  EXPECT_REFUSED(ParseAndBuild("SpatialDropout3D", R"({"rate": 0.1})", {{N, 2, 3, 4}}), "rank 5");
}

TEST(Activation, NamesAndMasks) {
  EXPECT_REFUSED(ParseConfigText("Activation", R"({"activation": "nope"})"), "activation");
  EXPECT_EQ(Shape(ParseAndBuild("Activation", R"({"activation": null})", {{N, 3}})), "[None, 3]");
  auto l = ParseConfigText("Masking", R"({"mask_value": 0})");
  ASSERT_TRUE(l.ok());
  std::vector<graph::TensorSpec> out;
  EXPECT_TRUE(BuildCall(**l, {{util::DType::kFloat32, {N, 3, 2}}, {util::DType::kBool, {N, 3}}}, 1, {"mask"}, {},
                        &out)
                  .ok());
  EXPECT_FALSE(BuildCall(**l, {{util::DType::kFloat32, {N, 3, 2}}, {util::DType::kBool, {N, 3}}}, 1, {"query"}, {},
                         &out)
                   .ok());
}

// ---- Reshaping ----

TEST(Reshaping, Refusals) {
  EXPECT_REFUSED(ParseConfigText("Reshape", R"({"target_shape": [-1, -1]})"), "-1");
  EXPECT_REFUSED(ParseConfigText("Reshape", R"({"target_shape": [-2, 3]})"), "target_shape");
  EXPECT_REFUSED(ParseConfigText("Reshape", R"({"target_shape": 6})"), "list");
  EXPECT_REFUSED(ParseConfigText("Reshape", R"({"target_shape": [1,1,1,1,1,1,1,1]})"), "at most 7");
  EXPECT_REFUSED(ParseAndBuild("Reshape", R"({"target_shape": [0, -1]})", {{N, 4}}), "divisible");
  EXPECT_EQ(Shape(ParseAndBuild("Reshape", R"({"target_shape": [0, 3]})", {{N, 0}})), "[None, 0, 3]");
  EXPECT_REFUSED(ParseConfigText("Permute", R"({"dims": [1, 1]})"), "permutation");
  EXPECT_REFUSED(ParseConfigText("Permute", R"({"dims": [0, 1]})"), "dims");
  EXPECT_REFUSED(ParseConfigText("RepeatVector", R"({"n": 0})"), "n");
  EXPECT_REFUSED(ParseConfigText("ZeroPadding2D", R"({"padding": -1})"), "padding");
  EXPECT_REFUSED(ParseConfigText("ZeroPadding2D", R"({"padding": [[1, 2], [3]]})"), "entry 1");
  EXPECT_REFUSED(ParseConfigText("ZeroPadding2D", R"({"padding": [1, 2, 3]})"), "expected 2 entries");
  EXPECT_REFUSED(ParseConfigText("ZeroPadding1D", R"({"padding": [[1, 2]]})"), "padding");
  EXPECT_REFUSED(ParseConfigText("Cropping3D", R"({"cropping": [1, [2, -1], 0]})"), "entry 1");
  EXPECT_REFUSED(ParseConfigText("Cropping1D", R"({"cropping": 1, "data_format": "channels_last"})"), "data_format");
  EXPECT_REFUSED(ParseConfigText("UpSampling2D", R"({"size": 2, "interpolation": "magic"})"), "interpolation");
  EXPECT_REFUSED(ParseConfigText("UpSampling1D", R"({"size": [2]})"), "size");
  EXPECT_REFUSED(ParseConfigText("UpSampling3D", R"({"size": [2, 2]})"), "size");
  EXPECT_TRUE(ParseConfigText("UpSampling2D", R"({"size": 2, "interpolation": "BILINEAR"})").ok());
  // Outputs beyond kMaxDim are refused, kMaxDim itself is fine.
  EXPECT_EQ(Shape(ParseAndBuild("ZeroPadding1D", util::StrCat(R"({"padding": [0, )", kMaxDim - 1, "]}"),
                                {{N, 1, 1}})),
            util::StrCat("[None, ", kMaxDim, ", 1]"));
  EXPECT_REFUSED(ParseAndBuild("ZeroPadding1D", util::StrCat(R"({"padding": [0, )", kMaxDim, "]}"), {{N, 1, 1}}),
                 "kMaxDim");
  EXPECT_REFUSED(ParseAndBuild("Flatten", "{}", {{N, 65536, 65536}}), "kMaxDim");
  EXPECT_EQ(Shape(ParseAndBuild("Flatten", "{}", {{N, 65536, 32768}})), util::StrCat("[None, ", kMaxDim, "]"));
}

// ---- Merging ----

TEST(Merging, Refusals) {
  EXPECT_REFUSED(ParseAndBuild("Add", "{}", {}), "input tensor");
  EXPECT_REFUSED(ParseAndBuild("Subtract", "{}", {{N, 2}}), "2 input");
  EXPECT_REFUSED(ParseAndBuild("Concatenate", R"({"axis": 3})", {{N, 2}, {N, 2}}), "axis");
  EXPECT_REFUSED(ParseConfigText("Concatenate", R"({"axis": 8})"), "axis");
  EXPECT_REFUSED(ParseAndBuild("Dot", R"({"axes": [0, 1]})", {{N, 2}, {N, 2}}), "batch");
  EXPECT_REFUSED(ParseConfigText("Dot", R"({"axes": [1, 2, 3]})"), "axes");
  EXPECT_REFUSED(ParseConfigText("Dot", R"({"axes": [1]})"), "two");
  EXPECT_REFUSED(ParseConfigText("Dot", R"({})"), "axes");
  EXPECT_REFUSED(ParseAndBuild("Dot", R"({"axes": 1})", {{N, 2}, {N, 2}, {N, 2}}), "input tensor");
  EXPECT_EQ(Shape(ParseAndBuild("Add", "{}", {{N, 3}})), "[None, 3]");
  EXPECT_EQ(Shape(ParseAndBuild("Add", "{}", {{N, 1, 3}, {5, 4, 1}})), "[5, 4, 3]");
}

// ---- Normalization ----

TEST(Normalization, Refusals) {
  EXPECT_REFUSED(ParseConfigText("BatchNormalization", R"({"epsilon": -1})"), "epsilon");
  EXPECT_REFUSED(ParseConfigText("BatchNormalization", R"({"axis": [1, 2]})"), "axis");
  EXPECT_REFUSED(ParseConfigText("BatchNormalization", R"({"renorm": true, "renorm_clipping": {"rmid": 1}})"),
                 "rmid");
  EXPECT_REFUSED(ParseAndBuild("BatchNormalization", R"({"axis": 2})", {{N, 4}}), "out of range");
  EXPECT_REFUSED(ParseAndBuild("LayerNormalization", R"({"axis": [1, -1]})", {{N, 4}}), "twice");
  EXPECT_REFUSED(ParseConfigText("LayerNormalization", R"({"axis": []})"), "axis");
  EXPECT_REFUSED(ParseConfigText("GroupNormalization", R"({"groups": 0})"), "groups");
  EXPECT_REFUSED(ParseConfigText("GroupNormalization", R"({"groups": -2})"), "groups");
  EXPECT_REFUSED(ParseAndBuild("GroupNormalization", R"({"groups": 2})", {{N, N}}), "known");
  EXPECT_REFUSED(ParseAndBuild("UnitNormalization", R"({"axis": [1, 5]})", {{N, 4}}), "out of range");
  // GroupNormalization(groups=-1) resolves to the channel count on build.
  auto l = ParseConfigText("GroupNormalization", R"({"groups": -1})");
  ASSERT_TRUE(Build(**l, {{N, 6}}).ok());
  EXPECT_EQ((*l)->attrs.GetInt("groups", 0), 6);
}

// ---- Activation layers ----

TEST(ActivationLayers, ValuesAndAliases) {
  EXPECT_REFUSED(ParseConfigText("ReLU", R"({"negative_slope": null})"), "negative_slope");
  EXPECT_REFUSED(ParseConfigText("ReLU", R"({"max_value": -1})"), "max_value");
  EXPECT_REFUSED(ParseConfigText("ReLU", R"({"threshold": -0.5})"), "threshold");
  auto relu = ParseConfigText("ReLU", R"({"max_value": null})");
  ASSERT_TRUE(relu.ok());
  EXPECT_FALSE((*relu)->attrs.Has("max_value"));
  auto leaky = ParseConfigText("LeakyReLU", R"({"alpha": 0.1})");
  ASSERT_TRUE(leaky.ok()) << leaky.status();
  EXPECT_DOUBLE_EQ((*leaky)->attrs.GetFloat("negative_slope", 0), 0.1);
  EXPECT_REFUSED(ParseConfigText("LeakyReLU", R"({"alpha": 0.1, "negative_slope": 0.2})"), "alias");
  EXPECT_REFUSED(ParseConfigText("PReLU", R"({"shared_axes": [0]})"), "shared_axes");
  EXPECT_REFUSED(ParseAndBuild("PReLU", R"({"shared_axes": [3]})", {{N, 2, 3}}), "out of range");
  EXPECT_REFUSED(ParseAndBuild("PReLU", "{}", {{N, N, 3}}), "unknown");
  EXPECT_REFUSED(ParseAndBuild("Softmax", R"({"axis": 2})", {{N, 3}}), "out of range");
  auto sm = ParseConfigText("Softmax", "{}");
  std::vector<graph::TensorSpec> out;
  EXPECT_FALSE(BuildCall(**sm, {{util::DType::kFloat32, {N, 3, 4}}, {util::DType::kBool, {N, 3, 5}}}, 1, {"mask"},
                         {}, &out)
                   .ok());
  EXPECT_TRUE(BuildCall(**sm, {{util::DType::kFloat32, {N, 3, 4}}, {util::DType::kBool, {N, 1, 4}}}, 1, {"mask"}, {},
                        &out)
                  .ok());
}

// ---- Preprocessing ----

TEST(Preprocessing, RescalingForms) {
  EXPECT_TRUE(ParseConfigText("Rescaling", R"({"scale": {"class_name": "__numpy__",
      "config": {"value": [1, 2, 3], "dtype": "float32"}}, "offset": 0})").ok());
  EXPECT_REFUSED(ParseConfigText("Rescaling", R"({"scale": {"class_name": "__lambda__", "config": {}}})"), "scale");
  EXPECT_REFUSED(ParseConfigText("Rescaling", R"({"scale": [[1, 2], [3, 4]]})"), "flat");
  EXPECT_REFUSED(ParseConfigText("Rescaling", R"({"offset": 1})"), "scale");
  EXPECT_REFUSED(ParseAndBuild("Rescaling", R"({"scale": [1, 2]})", {{N, 3}}), "broadcast");
  EXPECT_EQ(Shape(ParseAndBuild("Rescaling", R"({"scale": [1, 2]})", {{N, 5, N}})), "[None, 5, None]");
}

TEST(Preprocessing, NormalizationStatistics) {
  EXPECT_REFUSED(ParseConfigText("Normalization", R"({"axis": [-1], "mean": [1.0], "variance": null})"),
                 "together");
  EXPECT_REFUSED(ParseConfigText("Normalization", R"({"axis": [-1], "mean": [[1.0]], "variance": [[1.0]]})"),
                 "rank");
  EXPECT_REFUSED(ParseConfigText("Normalization", R"({"axis": [-1], "mean": [1.0, 2.0], "variance": [1.0]})"),
                 "differs");
  EXPECT_REFUSED(ParseConfigText("Normalization", R"({"axis": [1, 2], "mean": [[1, 2], [3]],
      "variance": [[1, 2], [3]]})"), "rectangular");
  EXPECT_REFUSED(ParseConfigText("Normalization", R"({"axis": [-1], "mean": [1], "variance": [-1]})"), ">= 0");
  EXPECT_REFUSED(ParseConfigText("Normalization", R"({"axis": [-1], "mean": ["a"], "variance": ["b"]})"), "numbers");
  EXPECT_REFUSED(ParseAndBuild("Normalization", R"({"axis": [-1], "mean": [1, 2], "variance": [1, 1]})", {{N, 3}}),
                 "broadcast");
  EXPECT_REFUSED(ParseAndBuild("Normalization", R"({"axis": [1, 1]})", {{N, 3}}), "twice");
  auto l = ParseConfigText("Normalization", R"({"axis": [-1], "mean": [1, 2, 3], "variance": [1, 1, 1]})");
  ASSERT_TRUE(l.ok());
  ASSERT_TRUE(Build(**l, {{N, 3}}).ok());
  EXPECT_TRUE((*l)->weights.empty());
  EXPECT_EQ((*l)->attrs.GetInts("mean_shape"), (Dims{3}));
}

TEST(Preprocessing, ImageLayers) {
  EXPECT_REFUSED(ParseConfigText("Resizing", R"({"height": 2, "width": 2, "crop_to_aspect_ratio": true,
      "pad_to_aspect_ratio": true})"), "only one");
  EXPECT_REFUSED(ParseConfigText("Resizing", R"({"height": 2, "width": 2, "fill_mode": "reflect"})"), "fill_mode");
  EXPECT_REFUSED(ParseConfigText("Resizing", R"({"height": 2, "width": 2, "interpolation": "x"})"), "interpolation");
  EXPECT_REFUSED(ParseConfigText("CenterCrop", R"({"height": 0, "width": 2})"), "height");
  EXPECT_REFUSED(ParseAndBuild("CenterCrop", R"({"height": 2, "width": 2})", {{N, 5, 5}}), "rank 4");
}

// ---- MultiHeadAttention ----

constexpr char kMha[] = R"({"num_heads": 2, "key_dim": 4})";

TEST(MultiHeadAttention, ConfigLimits) {
  EXPECT_REFUSED(ParseConfigText("MultiHeadAttention", R"({"num_heads": 0, "key_dim": 4})"), "num_heads");
  EXPECT_REFUSED(ParseConfigText("MultiHeadAttention", R"({"num_heads": 2, "key_dim": 4, "sliding_window": 0})"),
                 "sliding_window");
  EXPECT_REFUSED(ParseConfigText("MultiHeadAttention", R"({"num_heads": 2, "key_dim": 4, "dropout": 2})"),
                 "dropout");
  // num_heads * key_dim <= kMaxUnits: N accepted, N+1 refused.
  EXPECT_TRUE(ParseConfigText("MultiHeadAttention",
                              util::StrCat(R"({"num_heads": 2, "key_dim": )", kMaxUnits / 2, "}"))
                  .ok());
  EXPECT_REFUSED(ParseConfigText("MultiHeadAttention",
                                 util::StrCat(R"({"num_heads": 2, "key_dim": )", kMaxUnits / 2 + 1, "}")),
                 "kMaxUnits");
  // A constructor argument that get_config never writes: refused like any unknown field.
  EXPECT_REFUSED(ParseConfigText("MultiHeadAttention", R"({"num_heads": 2, "key_dim": 4, "flash_attention": true})"),
                 "flash_attention");
}

TEST(MultiHeadAttention, CallRefusals) {
  EXPECT_REFUSED(ParseAndBuild("MultiHeadAttention", kMha, {{N, 8}, {N, 8}}), "rank");
  EXPECT_REFUSED(ParseAndBuild("MultiHeadAttention", kMha, {{N, 5, 8}}), "input tensor");
  EXPECT_REFUSED(ParseAndBuild("MultiHeadAttention", kMha, {{N, 5, 8}, {N, 2, 5, 8}}), "same rank");
  EXPECT_REFUSED(ParseAndBuild("MultiHeadAttention", kMha, {{N, 5, N}, {N, 5, 8}}), "unknown");
  EXPECT_REFUSED(ParseAndBuild("MultiHeadAttention",
                               R"({"num_heads": 2, "key_dim": 4, "attention_axes": [0]})", {{N, 5, 8}, {N, 5, 8}}),
                 "attention_axes");
  EXPECT_REFUSED(ParseAndBuild("MultiHeadAttention",
                               R"({"num_heads": 2, "key_dim": 4, "attention_axes": [2]})", {{N, 5, 8}, {N, 5, 8}}),
                 "attention_axes");
  auto l = ParseConfigText("MultiHeadAttention", kMha);
  std::vector<graph::TensorSpec> x = {{util::DType::kFloat32, {N, 5, 8}}, {util::DType::kFloat32, {N, 5, 8}},
                                      {util::DType::kFloat32, {N, 5, 8}}};
  std::vector<graph::TensorSpec> out;
  EXPECT_FALSE(BuildCall(**l, x, 2, {"bogus"}, {}, &out).ok());
  EXPECT_FALSE(BuildCall(**l, {x[0], x[1], x[2], x[2]}, 3, {"key"}, {}, &out).ok());
  // attention_mask must broadcast to the scores (batch, heads, T, S) after
  // Keras inserts the heads axis.
  graph::TensorSpec good_mask{util::DType::kBool, {N, 5, 5}}, bad_mask{util::DType::kBool, {N, 5, 6}};
  EXPECT_TRUE(BuildCall(**l, {x[0], x[1], good_mask}, 2, {"attention_mask"}, {}, &out).ok());
  absl::Status s = BuildCall(**l, {x[0], x[1], bad_mask}, 2, {"attention_mask"}, {}, &out);
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("does not broadcast"), absl::string_view::npos) << s;
  graph::TensorSpec rank5_mask{util::DType::kBool, {N, 1, 1, 5, 5}};
  EXPECT_FALSE(BuildCall(**l, {x[0], x[1], rank5_mask}, 2, {"attention_mask"}, {}, &out).ok());
}

TEST(MultiHeadAttention, EquationsRecorded) {
  auto l = ParseConfigText("MultiHeadAttention", R"({"num_heads": 2, "key_dim": 4, "use_gate": true})");
  ASSERT_TRUE(Build(**l, {{N, 5, 8}, {N, 5, 8}}).ok());
  EXPECT_EQ((*l)->attrs.GetString("query_equation", ""), "abc,cde->abde");
  EXPECT_EQ((*l)->attrs.GetString("gate_equation", ""), "abc,cde->abde");
  EXPECT_EQ((*l)->attrs.GetString("output_equation", ""), "abcd,cde->abe");
  EXPECT_EQ((*l)->attrs.GetInts("attention_axes"), (Dims{1}));
}

// ---- Allowlist ----

TEST(Allowlist, LegacyOnlyClassesAreNotAllowlisted) {
  for (std::string_view cls : {"ThresholdedReLU", "Lambda", "TFSMLayer", "Input"}) {
    EXPECT_EQ(FindLayerSpec(cls), nullptr) << cls;
  }
}

}  // namespace
}  // namespace kgate::keras::layers_a_test
