// BatchNormalization folding and activation fusion. At inference Keras's
// BatchNormalization is y = gamma * (x - mean) / sqrt(var + eps) + beta, an
// affine map per channel, so after an op with a linear activation it becomes
// that op's epilogue: scale = gamma / sqrt(var + eps), shift = beta - mean *
// scale (computed in double). A residual Add of the result and a tensor
// computed earlier then joins a convolution's epilogue (oneDNN's sum
// post-op), and an elementwise activation after that (an Activation layer,
// or ReLU with Keras's defaults or max_value 6) joins the epilogue too. A
// ZeroPadding layer before a "valid" convolution becomes that convolution's
// own padding (the same zeros). Folding happens only when the intermediate
// tensors have no other reader and are not model outputs, so nothing
// observable changes.
#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "engine/kernels/activation.h"
#include "engine/op_registry.h"
#include "engine/program.h"
#include "util/strings.h"

namespace kgate::engine {
namespace {

struct Readers {
  std::vector<int> count;     // per value: steps reading it (+1 for a model output)
  std::vector<int> consumer;  // per value: the last step reading it
};

Readers CountReaders(const std::vector<Value>& values, const std::vector<Step>& steps,
                     const std::vector<int>& outputs) {
  Readers r{std::vector<int>(values.size(), 0), std::vector<int>(values.size(), -1)};
  for (size_t s = 0; s < steps.size(); ++s) {
    for (int v : steps[s].inputs) {
      ++r.count[v];
      r.consumer[v] = static_cast<int>(s);
    }
  }
  for (int v : outputs) ++r.count[v];
  return r;
}

// The axis (non-negative) over which `step`'s output channels run.
int ChannelAxis(const Step& step, size_t rank) {
  const std::string format = step.layer->attrs.GetString("data_format", "channels_last");
  return format == "channels_first" ? 1 : static_cast<int>(rank) - 1;
}

const graph::Weight* FindWeight(const graph::Layer& layer, std::string_view name) {
  for (const graph::Weight& w : layer.weights) {
    if (w.name == name) return &w;
  }
  return nullptr;
}

// Scale and shift of an inference-mode BatchNormalization over `channels`.
bool BatchNormAffine(const graph::Layer& bn, int64_t channels, std::vector<float>* scale, std::vector<float>* shift) {
  const graph::Weight* mean = FindWeight(bn, "moving_mean");
  const graph::Weight* var = FindWeight(bn, "moving_variance");
  const graph::Weight* gamma = FindWeight(bn, "gamma");
  const graph::Weight* beta = FindWeight(bn, "beta");
  auto ok = [&](const graph::Weight* w) { return w == nullptr || static_cast<int64_t>(w->values.size()) == channels; };
  if (mean == nullptr || var == nullptr || !ok(mean) || !ok(var) || !ok(gamma) || !ok(beta)) return false;
  const double eps = bn.attrs.GetFloat("epsilon", 1e-3);
  scale->resize(channels);
  shift->resize(channels);
  for (int64_t c = 0; c < channels; ++c) {
    const double g = gamma != nullptr ? gamma->values[c] : 1.0;
    const double b = beta != nullptr ? beta->values[c] : 0.0;
    const double s = g / std::sqrt(static_cast<double>(var->values[c]) + eps);
    (*scale)[c] = static_cast<float>(s);
    (*shift)[c] = static_cast<float>(b - mean->values[c] * s);
  }
  return true;
}

// The elementwise activation `step` computes, if it is a pure activation layer.
std::string ActivationOf(const Step& step) {
  const graph::Layer& l = *step.layer;
  if (l.class_name == "Activation") {
    std::string a = l.attrs.GetString("activation", "");
    return kernels::IsElementwise(a) && kernels::IsSupportedActivation(a) ? a : "";
  }
  if (l.class_name == "ReLU" && l.attrs.GetFloat("negative_slope", 0.0) == 0.0 &&
      l.attrs.GetFloat("threshold", 0.0) == 0.0) {
    const double* max_value = l.attrs.Get<double>("max_value");
    if (max_value == nullptr) return "relu";
    if (*max_value == 6.0) return "relu6";
  }
  return "";
}

// Whether `add` is a Keras Add of `out` and one other float tensor of the
// same symbolic shape, computed before step `head` (or a program input);
// returns that tensor's value id, or -1.
int ResidualOperand(const std::vector<Value>& values, const Step& add, int out, int head) {
  if (add.layer->class_name != "Add" || add.inputs.size() != 2 || add.outputs.size() != 1) return -1;
  for (const std::string& k : add.input_keywords) {
    if (!k.empty()) return -1;
  }
  const int other = add.inputs[0] == out ? add.inputs[1] : add.inputs[1] == out ? add.inputs[0] : -1;
  if (other < 0 || other == out || values[other].producer >= head) return -1;
  const graph::TensorSpec& a = values[other].spec;
  const graph::TensorSpec& b = values[out].spec;
  if (a.shape != b.shape || StorageType(a.dtype) != util::DType::kFloat32 ||
      StorageType(b.dtype) != util::DType::kFloat32) {
    return -1;
  }
  return other;
}

// Folds each ZeroPadding layer read only by a "valid" convolution of the
// same rank and data format into that convolution's input padding.
void FoldZeroPadding(std::vector<Value>& values, std::vector<Step>& steps, const std::vector<int>& outputs,
                     std::vector<bool>& removed) {
  const Readers readers = CountReaders(values, steps, outputs);
  for (Step& conv : steps) {
    const OpSpec* spec = FindOpSpec(conv.layer->class_name);
    if (spec == nullptr || !spec->accepts_input_padding || conv.inputs.size() != 1) continue;
    const graph::Attributes& a = conv.layer->attrs;
    if (a.GetString("padding", "valid") != "valid") continue;
    const int v = conv.inputs[0];
    const int z = values[v].producer;
    if (z < 0 || removed[z] || readers.count[v] != 1) continue;
    const Step& pad = steps[z];
    const size_t rank = a.GetInts("kernel_size").size();
    if (pad.layer->class_name != util::StrCat("ZeroPadding", rank, "D") || pad.inputs.size() != 1 ||
        pad.outputs.size() != 1 ||
        pad.layer->attrs.GetString("data_format", "channels_last") != a.GetString("data_format", "channels_last")) {
      continue;
    }
    std::vector<int64_t> padding = pad.layer->attrs.GetInts("padding");
    if (padding.size() != 2 * rank || std::any_of(padding.begin(), padding.end(), [](int64_t p) { return p < 0; })) {
      continue;
    }
    conv.inputs[0] = pad.inputs[0];
    conv.epilogue.input_padding = std::move(padding);
    conv.has_epilogue = true;
    conv.fused.push_back(pad.layer->name);
    removed[z] = true;
  }
}

}  // namespace

absl::Status FuseSteps(std::vector<Value>& values, std::vector<Step>& steps, const std::vector<int>& outputs) {
  std::vector<bool> removed(steps.size(), false);
  FoldZeroPadding(values, steps, outputs, removed);
  Readers readers = CountReaders(values, steps, outputs);
  for (size_t s = 0; s < steps.size(); ++s) {
    Step& head = steps[s];
    if (removed[s] || head.outputs.size() != 1) continue;
    const OpSpec* spec = FindOpSpec(head.layer->class_name);
    if (spec == nullptr || !spec->accepts_epilogue) continue;
    if (head.layer->attrs.GetString("activation", "linear") != "linear") continue;
    const size_t rank = values[head.outputs[0]].spec.shape.size();
    const int axis = ChannelAxis(head, rank);
    const int64_t channels = values[head.outputs[0]].spec.shape[axis];
    if (channels <= 0) continue;

    int out = head.outputs[0];
    // BatchNormalization reading only `out`, over the channel axis.
    if (readers.count[out] == 1 && readers.consumer[out] >= 0) {  // read by one step, not an output
      Step& bn = steps[readers.consumer[out]];
      int64_t bn_axis = bn.layer->attrs.GetInt("axis", -1);
      if (bn_axis < 0) bn_axis += static_cast<int64_t>(rank);
      if (bn.layer->class_name == "BatchNormalization" && bn.inputs.size() == 1 && bn.outputs.size() == 1 &&
          bn_axis == axis && BatchNormAffine(*bn.layer, channels, &head.epilogue.scale, &head.epilogue.shift)) {
        head.has_epilogue = true;
        head.fused.push_back(bn.layer->name);
        removed[readers.consumer[out]] = true;
        out = bn.outputs[0];
      }
    }
    // Then a residual Add of `out` and a tensor computed before this step.
    if (spec->accepts_residual && readers.count[out] == 1 && readers.consumer[out] >= 0) {
      Step& add = steps[readers.consumer[out]];
      const int other = ResidualOperand(values, add, out, static_cast<int>(s));
      if (other >= 0) {
        head.has_epilogue = true;
        head.epilogue.residual = true;
        head.inputs.push_back(other);
        head.input_keywords.push_back("residual");
        head.fused.push_back(add.layer->name);
        removed[readers.consumer[out]] = true;
        out = add.outputs[0];
      }
    }
    // Then an elementwise activation reading only `out`.
    if (readers.count[out] == 1 && readers.consumer[out] >= 0) {  // read by one step, not an output
      Step& act = steps[readers.consumer[out]];
      const std::string name = act.inputs.size() == 1 && act.outputs.size() == 1 ? ActivationOf(act) : "";
      if (!name.empty()) {
        head.has_epilogue = true;
        head.epilogue.activation = name;
        head.fused.push_back(act.layer->name);
        removed[readers.consumer[out]] = true;
        out = act.outputs[0];
      }
    }
    if (out != head.outputs[0]) {
      values[out].producer = static_cast<int>(s);
      head.outputs[0] = out;
    }
  }
  std::vector<Step> kept;
  for (size_t s = 0; s < steps.size(); ++s) {
    if (!removed[s]) kept.push_back(std::move(steps[s]));
  }
  steps = std::move(kept);
  // Values folded away (a convolution's raw output) are never computed.
  for (Value& v : values) {
    if (v.producer >= 0) v.producer = kNotComputed;
  }
  for (size_t s = 0; s < steps.size(); ++s) {
    for (int v : steps[s].outputs) values[v].producer = static_cast<int>(s);
  }
  return absl::OkStatus();
}

}  // namespace kgate::engine
