// Recurrent layers: SimpleRNN, LSTM, GRU (this file) and Bidirectional
// (recurrent_bidirectional.cc), with Keras 3's rnn.RNN semantics. kgate
// serves stateless requests, so stateful=true is refused.
//
// Attributes (SimpleRNN, LSTM, GRU):
//   "units"                 int64
//   "activation"            string  default "tanh" when the key is absent
//   "recurrent_activation"  string  LSTM, GRU; default "sigmoid" when absent
//   "use_bias"              bool
//   "return_sequences"      bool    output (batch, T, units) instead of (batch, units)
//   "return_state"          bool    also output the final states
//   "go_backwards"          bool    process the sequence reversed (sequence output stays reversed)
//   "stateful"              bool    always false
//   "unroll"                bool    no effect on results
//   "zero_output_for_mask"  bool    masked steps output zeros instead of the previous output
//   "dropout", "recurrent_dropout"  double, clipped to [0, 1]; no effect at inference
//   "unit_forget_bias"      bool    LSTM (initializer only)
//   "reset_after"           bool    GRU: reset gate applied after the recurrent matmul
//
// Variables (group "cell", Keras save order):
//   SimpleRNN  kernel (in, u), recurrent_kernel (u, u), [bias (u,)]
//   LSTM       kernel (in, 4u), recurrent_kernel (u, 4u), [bias (4u,)]     gates i, f, c, o
//   GRU        kernel (in, 3u), recurrent_kernel (u, 3u), [bias (2, 3u) if reset_after else (3u,)]  gates z, r, h
//
// A call takes the sequence (batch, T, in) as its first positional tensor;
// initial states come as further positional tensors or keyword "initial_state"
// tensors (LSTM: h then c; others: h), each (batch, units); a keyword "mask"
// (batch, T) is accepted. Outputs: the sequence or last output, then, with
// return_state, the final states (LSTM: h, c; others: h).
#include <span>
#include <vector>

#include "keras/activations.h"
#include "keras/layers/common_shapes.h"
#include "keras/layers/conv_shapes.h"
#include "keras/layers/families.h"
#include "util/status_macros.h"
#include "util/strings.h"

namespace kgate::keras::layers {

// Defined in recurrent_bidirectional.cc; joined into RecurrentLayerSpecs().
std::span<const LayerSpec> BidirectionalLayerSpecs();

namespace {

using graph::Dims;
using graph::TensorSpec;

enum class Cell { kSimple, kLstm, kGru };

int64_t GateCount(Cell cell) { return cell == Cell::kLstm ? 4 : cell == Cell::kGru ? 3 : 1; }
int64_t StateCount(Cell cell) { return cell == Cell::kLstm ? 2 : 1; }

Cell CellOf(std::string_view class_name) {
  return class_name == "LSTM" ? Cell::kLstm : class_name == "GRU" ? Cell::kGru : Cell::kSimple;
}

// Keys every RNN layer's get_config writes (plus "seed", which SimpleRNN
// accepts but does not write, and "implementation", which LSTM/GRU accept).
#define KGATE_RNN_COMMON_KEYS                                                                              \
  "return_sequences", "return_state", "go_backwards", "stateful", "unroll", "zero_output_for_mask", "units", \
      "activation", "use_bias", "kernel_initializer", "recurrent_initializer", "bias_initializer",          \
      "kernel_regularizer", "recurrent_regularizer", "bias_regularizer", "activity_regularizer",            \
      "kernel_constraint", "recurrent_constraint", "bias_constraint", "dropout", "recurrent_dropout", "seed"

absl::Status CheckKeys(const ConfigView& config, Cell cell) {
  switch (cell) {
    case Cell::kSimple:
      return config.OnlyKeys({KGATE_RNN_COMMON_KEYS});
    case Cell::kLstm:
      return config.OnlyKeys({KGATE_RNN_COMMON_KEYS, "recurrent_activation", "unit_forget_bias", "implementation"});
    case Cell::kGru:
      return config.OnlyKeys({KGATE_RNN_COMMON_KEYS, "recurrent_activation", "reset_after", "implementation"});
  }
  return absl::OkStatus();
}

#undef KGATE_RNN_COMMON_KEYS

// An activation whose Keras default (when the key is absent) is `fallback`.
absl::StatusOr<std::string> ActivationOr(const ConfigView& config, std::string_view key, std::string_view fallback) {
  if (!config.Has(key)) return std::string(fallback);
  return ReadActivation(config, key);
}

absl::StatusOr<double> Rate(const ConfigView& config, std::string_view key) {
  KGATE_ASSIGN_OR_RETURN(double rate, config.Float(key, 0.0));
  return rate < 0.0 ? 0.0 : rate > 1.0 ? 1.0 : rate;  // Keras clips to [0, 1]
}

absl::Status ParseRnn(const ConfigView& config, const ParseContext&, graph::Layer& layer) {
  const Cell cell = CellOf(layer.class_name);
  KGATE_RETURN_IF_ERROR(CheckKeys(config, cell));
  graph::Attributes& a = layer.attrs;
  KGATE_ASSIGN_OR_RETURN(int64_t units, config.Int("units", 1, kMaxUnits));
  KGATE_ASSIGN_OR_RETURN(bool stateful, config.Bool("stateful", false));
  if (stateful) {
    return config.Error("stateful", "stateful RNNs keep state between requests; kgate serves stateless requests only");
  }
  KGATE_ASSIGN_OR_RETURN(std::string activation, ActivationOr(config, "activation", "tanh"));
  a.Set("units", units);
  a.Set("activation", std::move(activation));
  if (cell != Cell::kSimple) {
    KGATE_ASSIGN_OR_RETURN(std::string recurrent, ActivationOr(config, "recurrent_activation", "sigmoid"));
    a.Set("recurrent_activation", std::move(recurrent));
    KGATE_RETURN_IF_ERROR(config.Int("implementation", 1, 2, 2).status());
  }
  for (std::string_view key : {"return_sequences", "return_state", "go_backwards", "unroll", "zero_output_for_mask"}) {
    KGATE_ASSIGN_OR_RETURN(bool v, config.Bool(key, false));
    a.Set(std::string(key), v);
  }
  a.Set("stateful", false);
  KGATE_ASSIGN_OR_RETURN(bool use_bias, config.Bool("use_bias", true));
  a.Set("use_bias", use_bias);
  KGATE_ASSIGN_OR_RETURN(double dropout, Rate(config, "dropout"));
  KGATE_ASSIGN_OR_RETURN(double recurrent_dropout, Rate(config, "recurrent_dropout"));
  a.Set("dropout", dropout);
  a.Set("recurrent_dropout", recurrent_dropout);
  KGATE_RETURN_IF_ERROR(config.OptionalInt("seed", INT64_MIN, INT64_MAX).status());
  if (cell == Cell::kLstm) {
    KGATE_ASSIGN_OR_RETURN(bool unit_forget_bias, config.Bool("unit_forget_bias", true));
    a.Set("unit_forget_bias", unit_forget_bias);
  }
  if (cell == Cell::kGru) {
    KGATE_ASSIGN_OR_RETURN(bool reset_after, config.Bool("reset_after", true));
    a.Set("reset_after", reset_after);
  }
  return absl::OkStatus();
}

absl::Status BuildRnn(graph::Layer& layer, std::span<const TensorSpec> inputs, const graph::Node& node,
                      std::vector<TensorSpec>* outputs) {
  const Cell cell = CellOf(layer.class_name);
  const size_t positional = node.inputs.size();
  if (positional < 1) return LayerError(layer, "expected the input sequence as the first positional tensor");
  KGATE_RETURN_IF_ERROR(CheckCallInputs(layer, inputs, node, positional, {"initial_state", "mask"}));
  const int64_t units = layer.attrs.GetInt("units", 0);
  const TensorSpec& seq = inputs[0];
  KGATE_RETURN_IF_ERROR(ForLayer(layer, CheckRank(seq, 3, 3, "input sequence")));
  const int64_t batch = seq.shape[0];
  const int64_t steps = seq.shape[1];
  const int64_t features = seq.shape[2];
  if (features == graph::kUnknownDim) {
    return LayerError(layer, util::StrCat("the feature dimension of input ", graph::ShapeString(seq.shape),
                                          " must be known to build the kernel"));
  }

  // Initial states: extra positional tensors, then keyword "initial_state" ones.
  std::vector<const TensorSpec*> states;
  for (size_t i = 1; i < positional; ++i) states.push_back(&inputs[i]);
  for (size_t i = 0; i < node.keyword_inputs.size(); ++i) {
    if (node.keyword_inputs[i].first == "initial_state") states.push_back(&inputs[positional + i]);
  }
  const size_t want = static_cast<size_t>(StateCount(cell));
  if (!states.empty() && states.size() != want) {
    return LayerError(layer, util::StrCat("expected ", want, " initial state tensor(s), got ", states.size()));
  }
  for (size_t i = 0; i < states.size(); ++i) {
    const Dims& s = states[i]->shape;
    if (s.size() != 2 || !DimsCompatible(s[0], batch) || !DimsCompatible(s[1], units)) {
      return LayerError(layer, util::StrCat("initial state ", i, " has shape ", graph::ShapeString(s),
                                            "; expected (batch, ", units, ")"));
    }
  }
  if (const TensorSpec* mask = KeywordInput(inputs, node, "mask")) {
    const Dims& m = mask->shape;
    if (m.size() != 2 || !DimsCompatible(m[0], batch) || !DimsCompatible(m[1], steps)) {
      return LayerError(layer, util::StrCat("mask has shape ", graph::ShapeString(m), "; expected (batch, steps) ",
                                            "matching input ", graph::ShapeString(seq.shape)));
    }
  }

  const int64_t gates = GateCount(cell) * units;
  std::vector<WeightDecl> weights = {{"kernel", {features, gates}, true, "cell"},
                                     {"recurrent_kernel", {units, gates}, true, "cell"}};
  if (layer.attrs.GetBool("use_bias", true)) {
    Dims bias = {gates};
    if (cell == Cell::kGru && layer.attrs.GetBool("reset_after", true)) bias = {2, gates};
    weights.push_back({"bias", std::move(bias), true, "cell"});
  }
  KGATE_RETURN_IF_ERROR(DeclareWeights(layer, std::move(weights)));

  const util::DType dtype = OutputDType(layer);
  if (layer.attrs.GetBool("return_sequences", false)) {
    outputs->push_back({dtype, {batch, steps, units}});
  } else {
    outputs->push_back({dtype, {batch, units}});
  }
  if (layer.attrs.GetBool("return_state", false)) {
    for (size_t i = 0; i < want; ++i) outputs->push_back({dtype, {batch, units}});
  }
  return absl::OkStatus();
}

constexpr LayerSpec kRnnSpecs[] = {
    {"GRU", &ParseRnn, &BuildRnn},
    {"LSTM", &ParseRnn, &BuildRnn},
    {"SimpleRNN", &ParseRnn, &BuildRnn},
};

}  // namespace

std::span<const LayerSpec> RecurrentLayerSpecs() {
  static const std::vector<LayerSpec>* all = [] {
    auto* v = new std::vector<LayerSpec>(std::begin(kRnnSpecs), std::end(kRnnSpecs));
    for (const LayerSpec& s : BidirectionalLayerSpecs()) v->push_back(s);
    return v;
  }();
  return *all;
}

}  // namespace kgate::keras::layers
