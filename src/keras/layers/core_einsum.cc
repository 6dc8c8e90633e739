// EinsumDense (part of the core family, see core.cc for its attributes) and
// the einsum analysis it shares with MultiHeadAttention (AnalyzeEinsum,
// declared in common_shapes.h).
#include <algorithm>
#include <array>

#include "keras/activations.h"
#include "keras/layers/common_shapes.h"
#include "keras/layers/families.h"
#include "util/rules.h"
#include "util/status_macros.h"
#include "util/strings.h"

namespace kgate::keras::layers {
namespace {

using graph::kUnknownDim;

// Longest equation accepted: 52 letters per operand is the alphabet; real
// equations are under 20 characters.
constexpr size_t kMaxEquationLength = 256;

absl::Status EinsumError(std::string_view equation, std::string_view message) {
  return util::RuleError(util::rules::kConfigInvalid,
                         util::StrCat("einsum equation '", equation, "': ", message));
}

bool IsLetter(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

enum class Elision { kNone, kLeft, kRight };

struct SplitEquation {
  std::string input, weight, output;
  Elision elision = Elision::kNone;
};

// Reads a run of letters starting at `*pos`.
std::string Letters(std::string_view s, size_t* pos) {
  size_t start = *pos;
  while (*pos < s.size() && IsLetter(s[*pos])) ++*pos;
  return std::string(s.substr(start, *pos - start));
}

bool Consume(std::string_view s, size_t* pos, std::string_view token) {
  if (s.substr(*pos, token.size()) != token) return false;
  *pos += token.size();
  return true;
}

bool UniqueLetters(std::string_view s) {
  std::array<bool, 128> seen{};
  for (char c : s) {
    if (seen[static_cast<unsigned char>(c)]) return false;
    seen[static_cast<unsigned char>(c)] = true;
  }
  return true;
}

// The three forms _analyze_einsum_string accepts, matched in full (Keras's
// re.match would ignore trailing characters that the einsum then rejects).
absl::StatusOr<SplitEquation> Split(std::string_view eq) {
  if (eq.size() > kMaxEquationLength) return EinsumError("...", "equation is too long");
  SplitEquation out;
  size_t pos = 0;
  bool left = Consume(eq, &pos, "...");
  out.input = Letters(eq, &pos);
  bool right = !left && Consume(eq, &pos, "...");
  bool ok = !out.input.empty() && Consume(eq, &pos, ",");
  if (ok) out.weight = Letters(eq, &pos);
  ok = ok && !out.weight.empty() && Consume(eq, &pos, "->");
  ok = ok && (!left || Consume(eq, &pos, "..."));
  if (ok) out.output = Letters(eq, &pos);
  ok = ok && !out.output.empty() && (!right || Consume(eq, &pos, "...")) && pos == eq.size();
  if (ok && right && out.input.size() < 2) ok = false;  // Keras: "([a-zA-Z]{2,})0,..."
  if (!ok) {
    return EinsumError(eq, "expected the form X,Y->Z, ...X,Y->...Z or X...,Y->Z... (X, Y, Z letters)");
  }
  if (!UniqueLetters(out.input) || !UniqueLetters(out.weight) || !UniqueLetters(out.output)) {
    return EinsumError(eq, "a letter repeats within one operand");
  }
  out.elision = left ? Elision::kLeft : right ? Elision::kRight : Elision::kNone;
  return out;
}

}  // namespace

absl::StatusOr<EinsumShapes> AnalyzeEinsum(std::string_view equation, std::string_view bias_axes,
                                           const graph::Dims& input_shape, const graph::Dims& partial_output_shape) {
  KGATE_ASSIGN_OR_RETURN(SplitEquation sp, Split(equation));
  const int64_t in_rank = static_cast<int64_t>(input_shape.size());
  const int64_t elided = in_rank - static_cast<int64_t>(sp.input.size());
  if (elided < 0 || (sp.elision == Elision::kNone && elided != 0) || in_rank < 1) {
    return EinsumError(equation, util::StrCat("input spec '", sp.input, "' does not fit an input of shape ",
                                              graph::ShapeString(input_shape)));
  }
  const bool left = sp.elision == Elision::kLeft;
  graph::Dims output;
  output.push_back(input_shape[0]);
  if (left) {
    for (int64_t i = 1; i < elided; ++i) output.push_back(input_shape[i]);
  }
  output.insert(output.end(), partial_output_shape.begin(), partial_output_shape.end());
  if (!left) {
    for (int64_t i = in_rank - elided; i < in_rank; ++i) output.push_back(input_shape[i]);
  }
  if (static_cast<int64_t>(output.size()) != static_cast<int64_t>(sp.output.size()) + elided) {
    return EinsumError(equation, util::StrCat("output_shape ", graph::ShapeString(partial_output_shape),
                                              " does not fit output spec '", sp.output, "' for an input of shape ",
                                              graph::ShapeString(input_shape)));
  }
  const int64_t offset = left ? elided : 0;
  auto in_index = [&](char c) -> int64_t {
    size_t p = sp.input.find(c);
    return p == std::string::npos ? -1 : static_cast<int64_t>(p) + offset;
  };
  auto out_index = [&](char c) -> int64_t {
    size_t p = sp.output.find(c);
    return p == std::string::npos ? -1 : static_cast<int64_t>(p) + offset;
  };
  for (char c : sp.input) {
    int64_t o = out_index(c);
    if (o >= 0 && output[o] != kUnknownDim && output[o] != input_shape[in_index(c)]) {
      return EinsumError(equation, util::StrCat("input and output shapes differ at shared dimension '", c,
                                                "': input ", input_shape[in_index(c)], ", output ", output[o]));
    }
  }
  for (char c : sp.output) {
    if (sp.input.find(c) == std::string::npos && sp.weight.find(c) == std::string::npos) {
      return EinsumError(equation, util::StrCat("output dimension '", c, "' is in neither the input nor the weight"));
    }
  }
  EinsumShapes shapes;
  for (char c : sp.weight) {
    int64_t o = out_index(c), i = in_index(c);
    if (o < 0 && i < 0) {
      return EinsumError(equation, util::StrCat("weight dimension '", c, "' is in neither the input nor the output"));
    }
    int64_t d = o >= 0 ? output[o] : input_shape[i];
    if (d == kUnknownDim) {
      return EinsumError(equation, util::StrCat("weight dimension '", c, "' would be unknown (input ",
                                                graph::ShapeString(input_shape), ", output ",
                                                graph::ShapeString(output), ")"));
    }
    shapes.kernel.push_back(d);
  }
  if (!bias_axes.empty()) {
    size_t first = sp.output.size();
    for (char c : bias_axes) {
      size_t p = sp.output.find(c);
      if (p == std::string::npos) {
        return EinsumError(equation, util::StrCat("bias axis '", c, "' is not in the output spec '", sp.output, "'"));
      }
      first = std::min(first, p);
    }
    graph::Dims bias;
    for (size_t p = first; p < sp.output.size(); ++p) {
      char c = sp.output[p];
      int64_t d = bias_axes.find(c) != std::string_view::npos ? output[p + offset] : 1;
      if (d == kUnknownDim) {
        return EinsumError(equation, util::StrCat("bias dimension '", c, "' would be unknown"));
      }
      bias.push_back(d);
    }
    if (!left) bias.insert(bias.end(), static_cast<size_t>(elided), 1);
    shapes.bias = std::move(bias);
  }
  shapes.output = std::move(output);
  return shapes;
}

namespace core_internal {

absl::Status ParseEinsumDense(const ConfigView& config, const ParseContext&, graph::Layer& layer) {
  KGATE_RETURN_IF_ERROR(config.OnlyKeys(
      {"output_shape", "equation", "activation", "bias_axes", "kernel_initializer", "bias_initializer",
       "kernel_regularizer", "bias_regularizer", "activity_regularizer", "kernel_constraint", "bias_constraint",
       "quantization_config", "lora_rank", "lora_alpha", "gptq_unpacked_column_size"}));
  KGATE_RETURN_IF_ERROR(RefuseQuantization(config));
  if (!config.IsNull("gptq_unpacked_column_size")) {
    return config.Error("gptq_unpacked_column_size", "GPTQ-quantized layers are not supported by kgate");
  }
  KGATE_ASSIGN_OR_RETURN(std::string equation, config.String("equation"));
  absl::Status split = Split(equation).status();
  if (!split.ok()) return config.Error("equation", util::ToStd(split.message()));
  graph::Dims output_shape;
  const io::json::Value* os = config.Find("output_shape");
  if (os != nullptr && os->is_array()) {
    KGATE_ASSIGN_OR_RETURN(output_shape, config.Shape("output_shape"));
  } else {
    KGATE_ASSIGN_OR_RETURN(int64_t d, config.Int("output_shape", 0, kMaxDim));
    output_shape.push_back(d);
  }
  std::string bias_axes;
  if (!config.IsNull("bias_axes")) {
    KGATE_ASSIGN_OR_RETURN(bias_axes, config.String("bias_axes"));
    if (bias_axes.empty()) return config.Error("bias_axes", "expected null or at least one axis letter");
  }
  KGATE_ASSIGN_OR_RETURN(std::string activation, ReadActivation(config, "activation"));
  layer.attrs.Set("equation", equation);
  layer.attrs.Set("output_shape", output_shape);
  layer.attrs.Set("bias_axes", bias_axes);
  layer.attrs.Set("activation", activation);
  return absl::OkStatus();
}

absl::Status BuildEinsumDense(graph::Layer& layer, std::span<const graph::TensorSpec> inputs,
                              const graph::Node& node, std::vector<graph::TensorSpec>* outputs) {
  KGATE_ASSIGN_OR_RETURN(CallInputs call, SplitCallInputs(layer, inputs, node, 1, 1));
  const graph::TensorSpec& x = call.positional[0];
  auto shapes = AnalyzeEinsum(layer.attrs.GetString("equation", ""), layer.attrs.GetString("bias_axes", ""),
                              x.shape, layer.attrs.GetInts("output_shape"));
  if (!shapes.ok()) return ForLayer(layer, shapes.status());
  std::vector<WeightDecl> weights = {{"kernel", shapes->kernel, true, ""}};
  if (shapes->bias) weights.push_back({"bias", *shapes->bias, true, ""});
  KGATE_RETURN_IF_ERROR(DeclareWeights(layer, std::move(weights)));
  outputs->push_back({ComputeDType(layer, x.dtype), shapes->output});
  return absl::OkStatus();
}

}  // namespace core_internal
}  // namespace kgate::keras::layers
