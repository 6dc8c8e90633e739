// Bidirectional (Keras 3 rnn/bidirectional.py) over SimpleRNN, LSTM or GRU.
//
// Config: "layer" (the forward RNN envelope), "backward_layer" (optional;
// when absent or null the forward config is reused with go_backwards=true),
// "merge_mode" ("concat" default, "sum", "mul", "ave", or null).
//
// Sublayers (graph::Layer::sublayers, Keras tracking order), each parsed
// through ParseContext::parse_layer, so they go through the same allowlist:
//   [0] attr_key "forward_layer"   name "forward_<layer name without forward_>"
//   [1] attr_key "backward_layer"  name as configured, or "backward_<...>" when derived
// Their variables sit in their own group "cell", so the saved paths are
// forward_layer/cell/vars and backward_layer/cell/vars. As in Keras, both
// get zero_output_for_mask = return_sequences.
// The directions may differ in class and units (Keras allows an LSTM forward
// and a GRU backward); kgate infers the shapes that actually come out: concat
// adds both widths, while sum/mul/ave need equal widths.
//
// Attributes:
//   "merge_mode"        string  "concat" | "sum" | "mul" | "ave" | "none"
//   "return_sequences"  bool    (of both directions)
//   "return_state"      bool
// The Bidirectional layer has no variables of its own.
//
// A call takes the sequence, optional initial states (positional after the
// sequence or keyword "initial_state": the first half go to the forward
// layer, the rest to the backward one) and an optional keyword "mask".
// Outputs: merged output (two outputs, forward then backward, for "none"),
// then with return_state the forward states followed by the backward states.
// The backward sequence is flipped back to forward time before merging.
#include <span>
#include <string>
#include <vector>

#include "keras/layers/common_shapes.h"
#include "keras/layers/conv_shapes.h"
#include "keras/layers/families.h"
#include "util/rules.h"
#include "util/status_macros.h"
#include "util/strings.h"

namespace kgate::keras::layers {

std::span<const LayerSpec> BidirectionalLayerSpecs();

namespace {

using graph::Dims;
using graph::TensorSpec;

std::string RemovePrefix(const std::string& s, std::string_view prefix) {
  return s.compare(0, prefix.size(), prefix) == 0 ? s.substr(prefix.size()) : s;
}

bool IsRnnClass(std::string_view c) { return c == "SimpleRNN" || c == "LSTM" || c == "GRU"; }

absl::StatusOr<std::unique_ptr<graph::Layer>> ParseInner(const ConfigView& config, const ParseContext& ctx,
                                                         std::string_view key) {
  const io::json::Value* envelope = config.Find(key);
  if (!ctx.parse_layer) return config.Error(key, "nested layers cannot be parsed in this context");
  if (envelope == nullptr || !envelope->is_object()) return config.Error(key, "expected a layer object");
  KGATE_ASSIGN_OR_RETURN(std::unique_ptr<graph::Layer> inner, ctx.parse_layer(*envelope, config.Location(key)));
  if (inner == nullptr) return config.Error(key, "nested layer could not be parsed");
  if (!IsRnnClass(inner->class_name)) {
    return config.Error(key, util::StrCat("Bidirectional wraps SimpleRNN, LSTM or GRU only, got '",
                                          inner->class_name, "'"));
  }
  return inner;
}

absl::Status ParseBidirectional(const ConfigView& config, const ParseContext& ctx, graph::Layer& layer) {
  KGATE_RETURN_IF_ERROR(config.OnlyKeys({"layer", "merge_mode", "backward_layer"}));
  std::string merge_mode = "concat";
  if (config.Has("merge_mode")) {
    if (config.IsNull("merge_mode")) {
      merge_mode = "none";
    } else {
      KGATE_ASSIGN_OR_RETURN(merge_mode, config.Enum("merge_mode", {"concat", "sum", "mul", "ave"}));
    }
  }
  KGATE_ASSIGN_OR_RETURN(std::unique_ptr<graph::Layer> forward, ParseInner(config, ctx, "layer"));
  std::unique_ptr<graph::Layer> backward;
  if (config.IsNull("backward_layer")) {
    // Keras: the forward layer's config with go_backwards=True.
    KGATE_ASSIGN_OR_RETURN(backward, ParseInner(config, ctx, "layer"));
    backward->attrs.Set("go_backwards", true);
    backward->name = util::StrCat("backward_", RemovePrefix(forward->name, "backward_"));
  } else {
    KGATE_ASSIGN_OR_RETURN(backward, ParseInner(config, ctx, "backward_layer"));
  }
  forward->name = util::StrCat("forward_", RemovePrefix(forward->name, "forward_"));

  const graph::Attributes& f = forward->attrs;
  const graph::Attributes& b = backward->attrs;
  if (f.GetBool("go_backwards", false) == b.GetBool("go_backwards", false)) {
    return config.Error("backward_layer", "forward and backward layers must have different go_backwards values");
  }
  for (std::string_view key : {"stateful", "return_sequences", "return_state"}) {
    if (f.GetBool(key, false) != b.GetBool(key, false)) {
      return config.Error("backward_layer", util::StrCat("forward and backward layers must have the same ", key));
    }
  }
  const bool return_sequences = f.GetBool("return_sequences", false);
  forward->attrs.Set("zero_output_for_mask", return_sequences);
  backward->attrs.Set("zero_output_for_mask", return_sequences);
  layer.attrs.Set("merge_mode", merge_mode);
  layer.attrs.Set("return_sequences", return_sequences);
  layer.attrs.Set("return_state", f.GetBool("return_state", false));
  forward->attr_key = "forward_layer";
  backward->attr_key = "backward_layer";
  layer.sublayers.clear();
  layer.sublayers.push_back(std::move(forward));
  layer.sublayers.push_back(std::move(backward));
  return absl::OkStatus();
}

graph::Layer* Sublayer(graph::Layer& layer, std::string_view attr_key) {
  for (auto& s : layer.sublayers) {
    if (s != nullptr && s->attr_key == attr_key) return s.get();
  }
  return nullptr;
}

// Builds one direction on the sequence, its share of the states and the mask.
absl::Status BuildDirection(graph::Layer& outer, graph::Layer& inner, const TensorSpec& seq,
                            std::span<const TensorSpec* const> states, const TensorSpec* mask,
                            std::vector<TensorSpec>* out) {
  graph::Node node;
  node.inputs.push_back(graph::TensorRef{});
  std::vector<TensorSpec> in = {seq};
  for (const TensorSpec* s : states) {
    node.keyword_inputs.emplace_back("initial_state", graph::TensorRef{});
    in.push_back(*s);
  }
  if (mask != nullptr) {
    node.keyword_inputs.emplace_back("mask", graph::TensorRef{});
    in.push_back(*mask);
  }
  return util::Annotate(BuildLayer(inner, in, node, out),
                        util::StrCat("layer '", outer.name, "' (", outer.class_name, "), ", inner.attr_key, ": "));
}

absl::Status BuildBidirectional(graph::Layer& layer, std::span<const TensorSpec> inputs, const graph::Node& node,
                                std::vector<TensorSpec>* outputs) {
  const size_t positional = node.inputs.size();
  if (positional < 1) return LayerError(layer, "expected the input sequence as the first positional tensor");
  KGATE_RETURN_IF_ERROR(CheckCallInputs(layer, inputs, node, positional, {"initial_state", "mask"}));
  graph::Layer* forward = Sublayer(layer, "forward_layer");
  graph::Layer* backward = Sublayer(layer, "backward_layer");
  if (forward == nullptr || backward == nullptr) return LayerError(layer, "forward/backward layers are missing");

  std::vector<const TensorSpec*> states;
  for (size_t i = 1; i < positional; ++i) states.push_back(&inputs[i]);
  for (size_t i = 0; i < node.keyword_inputs.size(); ++i) {
    if (node.keyword_inputs[i].first == "initial_state") states.push_back(&inputs[positional + i]);
  }
  if (states.size() % 2 != 0) {
    return LayerError(layer, util::StrCat("expected an even number of initial states (forward then backward), got ",
                                          states.size()));
  }
  const TensorSpec* mask = KeywordInput(inputs, node, "mask");
  const size_t half = states.size() / 2;
  std::span<const TensorSpec* const> all(states);
  std::vector<TensorSpec> fwd, bwd;
  KGATE_RETURN_IF_ERROR(BuildDirection(layer, *forward, inputs[0], all.subspan(0, half), mask, &fwd));
  KGATE_RETURN_IF_ERROR(BuildDirection(layer, *backward, inputs[0], all.subspan(half), mask, &bwd));
  if (fwd.empty() || bwd.empty()) return LayerError(layer, "a direction produced no output");
  KGATE_RETURN_IF_ERROR(DeclareWeights(layer, {}));

  const util::DType dtype = OutputDType(layer);
  const std::string mode = layer.attrs.GetString("merge_mode", "concat");
  Dims y = fwd[0].shape;
  if (mode == "none") {
    outputs->push_back({dtype, y});
    outputs->push_back({dtype, bwd[0].shape});
  } else {
    const int64_t fw = fwd[0].shape.back(), bw = bwd[0].shape.back();
    if (mode == "concat") {
      y.back() = fw + bw;
    } else if (fw != bw) {
      return LayerError(layer, util::StrCat("merge_mode '", mode, "' needs both directions to have the same width; got ",
                                            fw, " and ", bw));
    }
    outputs->push_back({dtype, std::move(y)});
  }
  for (size_t i = 1; i < fwd.size(); ++i) outputs->push_back({dtype, fwd[i].shape});
  for (size_t i = 1; i < bwd.size(); ++i) outputs->push_back({dtype, bwd[i].shape});
  return absl::OkStatus();
}

constexpr LayerSpec kSpecs[] = {
    {"Bidirectional", &ParseBidirectional, &BuildBidirectional},
};

}  // namespace

std::span<const LayerSpec> BidirectionalLayerSpecs() { return kSpecs; }

}  // namespace kgate::keras::layers
