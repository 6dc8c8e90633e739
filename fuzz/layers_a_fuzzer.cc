// Fuzzes the layers_a layer specs (core, reshaping, merging, normalization,
// activation, preprocessing, attention): config parsing and shape inference
// on arbitrary configs and input shapes, as the loader would run them.
//
// Input layout (tools/fixtures/make_layer_cases_layers_a.py --corpus writes
// seeds in this layout from the Keras fixture):
//   byte 0: class (index into kClasses, modulo)
//   byte 1: bits 0-1 positional count, bits 2-3 keyword count,
//           bit 4 return_attention_scores, bit 5 use_causal_mask
//   one byte per keyword: name (index into kKeywords, modulo)
//   per tensor: dtype byte, rank byte (mod 7), rank dim bytes (255 = unknown)
//   the rest: the layer's config object as JSON text.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "graph/graph.h"
#include "io/json/json.h"
#include "keras/config_view.h"
#include "keras/layer_registry.h"

namespace {

using kgate::graph::TensorSpec;

constexpr std::string_view kClasses[] = {
    "InputLayer", "Dense", "EinsumDense", "Activation", "Identity", "Dropout", "SpatialDropout1D",
    "SpatialDropout2D", "SpatialDropout3D", "GaussianNoise", "GaussianDropout", "AlphaDropout", "Masking",
    "Embedding", "Flatten", "Reshape", "Permute", "RepeatVector", "ZeroPadding1D", "ZeroPadding2D",
    "ZeroPadding3D", "Cropping1D", "Cropping2D", "Cropping3D", "UpSampling1D", "UpSampling2D", "UpSampling3D",
    "Add", "Subtract", "Multiply", "Average", "Maximum", "Minimum", "Concatenate", "Dot", "BatchNormalization",
    "LayerNormalization", "GroupNormalization", "UnitNormalization", "ReLU", "LeakyReLU", "PReLU", "ELU",
    "Softmax", "Rescaling", "Normalization", "CenterCrop", "Resizing", "MultiHeadAttention"};
constexpr std::string_view kKeywords[] = {"key", "attention_mask", "mask", "query_mask", "value_mask", "bogus"};
constexpr kgate::util::DType kDTypes[] = {kgate::util::DType::kFloat32, kgate::util::DType::kInt32,
                                          kgate::util::DType::kBool, kgate::util::DType::kInt64};

struct Reader {
  const uint8_t* p;
  size_t n;
  bool Byte(uint8_t* out) {
    if (n == 0) return false;
    *out = *p++;
    --n;
    return true;
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  Reader r{data, size};
  uint8_t cls, flags;
  if (!r.Byte(&cls) || !r.Byte(&flags)) return 0;
  const size_t positional = flags & 3, keywords = (flags >> 2) & 3;
  std::vector<std::string> names;
  for (size_t i = 0; i < keywords; ++i) {
    uint8_t k;
    if (!r.Byte(&k)) return 0;
    names.emplace_back(kKeywords[k % std::size(kKeywords)]);
  }
  std::vector<TensorSpec> inputs;
  for (size_t i = 0; i < positional + keywords; ++i) {
    uint8_t dt, rank;
    if (!r.Byte(&dt) || !r.Byte(&rank)) return 0;
    TensorSpec t;
    t.dtype = kDTypes[dt % std::size(kDTypes)];
    for (int d = 0; d < rank % 7; ++d) {
      uint8_t b;
      if (!r.Byte(&b)) return 0;
      t.shape.push_back(b == 255 ? kgate::graph::kUnknownDim : b);
    }
    inputs.push_back(std::move(t));
  }
  auto json = kgate::io::json::Parse(std::string_view(reinterpret_cast<const char*>(r.p), r.n));
  if (!json.ok() || !json->is_object()) return 0;

  std::string_view class_name = kClasses[cls % std::size(kClasses)];
  const kgate::keras::LayerSpec* spec = kgate::keras::FindLayerSpec(class_name);
  if (spec == nullptr) return 0;
  kgate::graph::Layer layer;
  layer.name = "fuzz";
  layer.class_name = std::string(class_name);
  layer.attrs.Set("compute_dtype", std::string("float32"));
  kgate::keras::ConfigView view(*json, "fuzz.json:/config");
  kgate::keras::ParseContext ctx;
  ctx.parse_layer = [](const kgate::io::json::Value&,
                       std::string) -> absl::StatusOr<std::unique_ptr<kgate::graph::Layer>> {
    return absl::InvalidArgumentError("no nested layers");
  };
  if (!spec->parse(view, ctx, layer).ok()) return 0;

  kgate::graph::Node node;
  for (size_t i = 0; i < positional; ++i) node.inputs.push_back({static_cast<int32_t>(i), 0});
  for (size_t i = 0; i < keywords; ++i) {
    node.keyword_inputs.emplace_back(names[i], kgate::graph::TensorRef{static_cast<int32_t>(positional + i), 0});
  }
  node.call_args.Set("return_attention_scores", (flags & 16) != 0);
  node.call_args.Set("use_causal_mask", (flags & 32) != 0);
  for (int call = 0; call < 2; ++call) {  // the second call takes the shared-layer path
    std::vector<TensorSpec> outputs;
    if (!kgate::keras::BuildLayer(layer, inputs, node, &outputs).ok()) break;
    for (const TensorSpec& o : outputs) {
      for (int64_t d : o.shape) {
        if (d < kgate::graph::kUnknownDim || d > kgate::keras::kMaxDim) __builtin_trap();
      }
    }
  }
  for (const kgate::graph::Weight& w : layer.weights) {
    for (int64_t d : w.shape) {
      if (d < 0 || d > kgate::keras::kMaxDim) __builtin_trap();
    }
  }
  return 0;
}
