#include "engine/program.h"

#include <unordered_map>
#include <utility>

#include "engine/op_registry.h"
#include "util/status_macros.h"
#include "util/strings.h"

namespace kgate::engine {

namespace {
absl::Status CheckSequentialMasks(const graph::Graph& g);
}  // namespace

// Flattens a graph and its nested models into values and steps.
class ProgramBuilder {
 public:
  explicit ProgramBuilder(Program& p) : p_(p) {}

  // Flattens `g`, whose inputs are the values `input_values`; returns the
  // value ids of g's outputs.
  absl::StatusOr<std::vector<int>> Flatten(graph::Graph& g, const std::vector<int>& input_values, int depth) {
    if (depth > kMaxDepth) return absl::InvalidArgumentError("nested models are nested too deeply to compile");
    KGATE_RETURN_IF_ERROR(CheckSequentialMasks(g));
    if (input_values.size() != g.inputs.size()) {
      return absl::InternalError(util::StrCat("model '", g.name, "' takes ", g.inputs.size(), " inputs, got ",
                                              input_values.size()));
    }
    // value id of every (node, output index) in g.
    std::vector<std::vector<int>> ids(g.nodes.size());
    for (size_t i = 0; i < g.inputs.size(); ++i) {
      const graph::TensorRef r = g.inputs[i];
      ids[r.node].resize(g.nodes[r.node].outputs.size(), -1);
      ids[r.node][r.index] = input_values[i];
    }
    for (size_t n = 0; n < g.nodes.size(); ++n) {
      const graph::Node& node = g.nodes[n];
      graph::Layer& layer = *g.layers[node.layer];
      if (layer.class_name == "InputLayer") {
        if (ids[n].empty() || ids[n][0] < 0) {
          return absl::InvalidArgumentError(util::StrCat("InputLayer '", layer.name, "' of model '", g.name,
                                                         "' is not one of the model's inputs"));
        }
        continue;
      }
      std::vector<int> in;
      std::vector<std::string> keywords;
      auto take = [&](graph::TensorRef r) -> absl::Status {
        if (r.node < 0 || static_cast<size_t>(r.node) >= n || static_cast<size_t>(r.index) >= ids[r.node].size() ||
            ids[r.node][r.index] < 0) {
          return absl::InternalError(util::StrCat("layer '", layer.name, "': an input is not computed before it"));
        }
        in.push_back(ids[r.node][r.index]);
        return absl::OkStatus();
      };
      for (graph::TensorRef r : node.inputs) {
        KGATE_RETURN_IF_ERROR(take(r));
        keywords.emplace_back();
      }
      for (const auto& [key, r] : node.keyword_inputs) {
        KGATE_RETURN_IF_ERROR(take(r));
        keywords.push_back(key);
      }
      if (layer.model != nullptr) {
        KGATE_ASSIGN_OR_RETURN(std::vector<int> outs, Flatten(*layer.model, in, depth + 1));
        if (outs.size() != node.outputs.size()) {
          return absl::InternalError(util::StrCat("nested model '", layer.name, "' gives ", outs.size(),
                                                  " outputs, its call expects ", node.outputs.size()));
        }
        ids[n] = std::move(outs);
        continue;
      }
      Step step;
      step.graph = &g;
      step.layer = &layer;
      step.node = &node;
      step.inputs = std::move(in);
      step.input_keywords = std::move(keywords);
      for (const graph::TensorSpec& spec : node.outputs) {
        ids[n].push_back(static_cast<int>(p_.values_.size()));
        step.outputs.push_back(static_cast<int>(p_.values_.size()));
        p_.values_.push_back(Value{spec, static_cast<int>(p_.steps_.size())});
      }
      p_.steps_.push_back(std::move(step));
    }
    std::vector<int> outs;
    for (graph::TensorRef r : g.outputs) {
      if (static_cast<size_t>(r.index) >= ids[r.node].size() || ids[r.node][r.index] < 0) {
        return absl::InternalError(util::StrCat("model '", g.name, "': an output is never computed"));
      }
      outs.push_back(ids[r.node][r.index]);
    }
    return outs;
  }

 private:
  static constexpr int kMaxDepth = 64;
  Program& p_;
};

namespace {

// Keras propagates masks implicitly through a Sequential model (Layer.__call__
// passes an input's mask to the next layer's `mask` argument); a Functional
// save records them as explicit nodes, which the loader keeps, but a
// Sequential config records nothing. Rather than drop a mask silently, the
// engine refuses a Sequential in which a mask producer (Embedding with
// mask_zero, Masking) precedes a layer that reads masks.
absl::Status CheckSequentialMasks(const graph::Graph& g) {
  if (g.class_name != "Sequential") return absl::OkStatus();
  const graph::Layer* producer = nullptr;
  for (const auto& layer : g.layers) {
    const std::string& c = layer->class_name;
    if (c == "Masking" || (c == "Embedding" && layer->attrs.GetBool("mask_zero", false))) producer = layer.get();
    const bool reads_mask = c == "SimpleRNN" || c == "LSTM" || c == "GRU" || c == "Bidirectional" ||
                            c == "GlobalAveragePooling1D" || c == "MultiHeadAttention" || c == "Softmax" ||
                            c == "TimeDistributed";
    if (producer != nullptr && reads_mask) {
      return absl::UnimplementedError(util::StrCat(
          "Sequential model '", g.name, "': layer '", layer->name, "' (", c, ") would receive the implicit mask of '",
          producer->name, "' (", producer->class_name,
          "); implicit Sequential masks are not supported by the engine: save the model as a Functional model, "
          "where Keras records the mask explicitly"));
    }
  }
  return absl::OkStatus();
}

// Keras also passes implicit masks to MultiHeadAttention inside a Functional
// model without recording them (its call reads the query/value/key tensors'
// _keras_mask). The engine refuses an attention layer whose inputs descend
// from a mask producer, unless a layer that drops masks lies in between.
bool ProducesMask(const graph::Layer& l) {
  return l.class_name == "Masking" || (l.class_name == "Embedding" && l.attrs.GetBool("mask_zero", false));
}

bool DropsMask(const graph::Layer& l) {
  const std::string& c = l.class_name;
  if (c == "SimpleRNN" || c == "LSTM" || c == "GRU" || c == "Bidirectional") {
    return !l.attrs.GetBool("return_sequences", false);
  }
  return c.starts_with("Global") || c == "Flatten" || c == "MultiHeadAttention";
}

absl::Status CheckAttentionMasks(const std::vector<Value>& values, const std::vector<Step>& steps) {
  std::vector<const graph::Layer*> source(values.size(), nullptr);  // the mask producer upstream
  for (const Step& step : steps) {
    const graph::Layer* upstream = nullptr;
    for (size_t i = 0; i < step.inputs.size(); ++i) {
      if (step.input_keywords[i].ends_with("mask")) continue;
      if (source[step.inputs[i]] != nullptr) upstream = source[step.inputs[i]];
    }
    if (step.layer->class_name == "MultiHeadAttention" && upstream != nullptr) {
      return absl::UnimplementedError(util::StrCat(
          "layer '", step.layer->name, "' (MultiHeadAttention) reads tensors derived from '", upstream->name, "' (",
          upstream->class_name, "), whose mask Keras would apply implicitly without recording it in the model "
          "config; the engine refuses rather than ignore the mask. Build the attention inputs from tensors "
          "without masks and pass an explicit attention_mask instead"));
    }
    const graph::Layer* out = ProducesMask(*step.layer) ? step.layer : (DropsMask(*step.layer) ? nullptr : upstream);
    for (int v : step.outputs) source[v] = out;
  }
  return absl::OkStatus();
}

void ReleaseWeights(graph::Layer& layer) {
  for (graph::Weight& w : layer.weights) {
    w.values.clear();
    w.values.shrink_to_fit();
  }
  for (auto& sub : layer.sublayers) ReleaseWeights(*sub);
  if (layer.model != nullptr) {
    for (auto& l : layer.model->layers) ReleaseWeights(*l);
  }
}

}  // namespace

absl::StatusOr<std::unique_ptr<Program>> Program::Compile(std::unique_ptr<graph::Graph> graph,
                                                          const EngineOptions& options) {
  if (graph == nullptr) return absl::InvalidArgumentError("no model graph");
  auto p = std::unique_ptr<Program>(new Program());
  p->graph_ = std::move(graph);
  graph::Graph& g = *p->graph_;
  if (g.infer_shapes == nullptr) return absl::InternalError("the model graph carries no shape inference");
  p->weight_bytes_ = g.ParamCount() * static_cast<int64_t>(sizeof(float));

  std::vector<int> inputs;
  for (graph::TensorRef r : g.inputs) {
    inputs.push_back(static_cast<int>(p->values_.size()));
    p->values_.push_back(Value{g.Spec(r), -1});
  }
  p->inputs_ = inputs;
  ProgramBuilder builder(*p);
  KGATE_ASSIGN_OR_RETURN(p->outputs_, builder.Flatten(g, inputs, 0));
  KGATE_RETURN_IF_ERROR(CheckAttentionMasks(p->values_, p->steps_));
  if (options.fuse) KGATE_RETURN_IF_ERROR(FuseSteps(p->values_, p->steps_, p->outputs_));

  // Each layer's weights are freed as soon as the last op that reads them
  // exists (ops keep prepacked copies), so compiling never holds two full
  // copies of the weights; layers folded into others are freed at the end.
  std::unordered_map<graph::Layer*, int> calls_left;
  for (const Step& step : p->steps_) ++calls_left[step.layer];
  for (Step& step : p->steps_) {
    std::vector<graph::TensorSpec> in;
    for (int v : step.inputs) in.push_back(p->values_[v].spec);
    std::vector<graph::TensorSpec> out;
    for (int v : step.outputs) out.push_back(p->values_[v].spec);
    OpContext ctx{*step.layer, *step.node, in, step.input_keywords, out, options,
                  step.has_epilogue ? &step.epilogue : nullptr};
    KGATE_ASSIGN_OR_RETURN(step.op, CreateOp(ctx));
    if (--calls_left[step.layer] == 0) ReleaseWeights(*step.layer);
  }
  // Every op holds its own (prepacked) copy of what it needs.
  for (auto& layer : g.layers) ReleaseWeights(*layer);
  return p;
}

}  // namespace kgate::engine
