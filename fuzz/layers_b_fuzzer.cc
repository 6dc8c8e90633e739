// Fuzzes the layers_b layer specs (convolution, pooling, recurrent,
// Bidirectional, TimeDistributed, application layers and keras.ops nodes):
// config parsing, nested-layer parsing and shape inference on arbitrary
// configs and input shapes, as the loader would run them.
//
// Input layout (tools/fixtures/make_layer_cases_layers_b.py --corpus writes
// seeds in this layout from the Keras fixture):
//   byte 0: class (index into kClasses, modulo)
//   byte 1: bits 0-1 positional count, bits 2-4 keyword count,
//           bit 5 a numeric call argument "scalar" (3.0)
//   one byte per keyword: name (index into kKeywords, modulo)
//   per tensor: dtype byte, rank byte (mod 7), rank dim bytes
//               (255 = unknown, 254 = kMaxDim, 253 = 2^20, else the value)
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
using kgate::io::json::Value;

constexpr std::string_view kClasses[] = {
    "Conv1D", "Conv2D", "Conv3D", "Conv1DTranspose", "Conv2DTranspose", "Conv3DTranspose", "DepthwiseConv1D",
    "DepthwiseConv2D", "SeparableConv1D", "SeparableConv2D", "MaxPooling1D", "MaxPooling2D", "MaxPooling3D",
    "AveragePooling1D", "AveragePooling2D", "AveragePooling3D", "GlobalMaxPooling1D", "GlobalMaxPooling2D",
    "GlobalMaxPooling3D", "GlobalAveragePooling1D", "GlobalAveragePooling2D", "GlobalAveragePooling3D",
    "SimpleRNN", "LSTM", "GRU", "Bidirectional", "TimeDistributed", "LayerScale", "CustomScaleLayer",
    "ops.numpy.Add", "ops.numpy.Multiply"};
constexpr std::string_view kKeywords[] = {"mask", "initial_state", "bogus"};
constexpr kgate::util::DType kDTypes[] = {kgate::util::DType::kFloat32, kgate::util::DType::kInt32,
                                          kgate::util::DType::kBool, kgate::util::DType::kFloat16};

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

// The loader's nested-layer parsing, reduced to what the specs rely on.
absl::StatusOr<std::unique_ptr<kgate::graph::Layer>> ParseNested(const Value& env, std::string location) {
  const Value* cls = env.Find("class_name");
  const Value* config = env.Find("config");
  if (cls == nullptr || !cls->is_string() || config == nullptr || !config->is_object()) {
    return absl::InvalidArgumentError("bad envelope");
  }
  const kgate::keras::LayerSpec* spec = kgate::keras::FindLayerSpec(cls->string());
  if (spec == nullptr) return absl::InvalidArgumentError("unknown class");
  auto layer = std::make_unique<kgate::graph::Layer>();
  layer->name = "nested";
  layer->class_name = cls->string();
  kgate::keras::ParseContext ctx;
  ctx.parse_layer = ParseNested;
  absl::Status s = spec->parse(kgate::keras::ConfigView(*config, location + "/config"), ctx, *layer);
  if (!s.ok()) return s;
  return layer;
}

void CheckDims(const kgate::graph::Layer& layer) {
  for (const kgate::graph::Weight& w : layer.weights) {
    for (int64_t d : w.shape) {
      if (d < 0 || d > kgate::keras::kMaxDim) __builtin_trap();
    }
  }
  for (const auto& s : layer.sublayers) CheckDims(*s);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  Reader r{data, size};
  uint8_t cls, flags;
  if (!r.Byte(&cls) || !r.Byte(&flags)) return 0;
  const size_t positional = flags & 3, keywords = (flags >> 2) & 7;
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
      t.shape.push_back(b == 255   ? kgate::graph::kUnknownDim
                        : b == 254 ? kgate::keras::kMaxDim
                        : b == 253 ? int64_t{1} << 20
                                   : b);
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
  kgate::keras::ParseContext ctx;
  ctx.parse_layer = ParseNested;
  if (!spec->parse(kgate::keras::ConfigView(*json, "fuzz.json:/config"), ctx, layer).ok()) return 0;

  kgate::graph::Node node;
  for (size_t i = 0; i < positional; ++i) node.inputs.push_back({static_cast<int32_t>(i), 0});
  for (size_t i = 0; i < keywords; ++i) {
    node.keyword_inputs.emplace_back(names[i], kgate::graph::TensorRef{static_cast<int32_t>(positional + i), 0});
  }
  if (flags & 32) node.call_args.Set("scalar", 3.0);
  for (int call = 0; call < 2; ++call) {  // the second call takes the shared-layer path
    std::vector<TensorSpec> outputs;
    if (!kgate::keras::BuildLayer(layer, inputs, node, &outputs).ok()) break;
    for (const TensorSpec& o : outputs) {
      for (int64_t d : o.shape) {
        if (d < kgate::graph::kUnknownDim || d > kgate::keras::kMaxDim) __builtin_trap();
      }
    }
  }
  CheckDims(layer);
  return 0;
}
