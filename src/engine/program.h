// File: program.h
// A model graph compiled into a flat list of steps, once per model: nested
// models are inlined (a nested model called twice appears twice), InputLayer
// nodes become the program's inputs, BatchNormalization is folded into the
// convolution or Dense layer before it and a following activation is fused
// (fusion.cc), and each step gets its Op from the op registry, which
// prepacks the weights. Shapes here are Keras's symbolic ones (batch
// unknown); plan.h makes them concrete.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "engine/op.h"
#include "graph/graph.h"

namespace kgate::engine {

// One tensor of the flattened graph.
struct Value {
  graph::TensorSpec spec;  // Keras dtype and symbolic shape
  int producer = -1;       // step that writes it; -1 for a program input
};
// Value::producer of a value that fusion folded away.
inline constexpr int kNotComputed = -2;

struct Step {
  graph::Graph* graph = nullptr;  // the (possibly nested) graph that owns layer and node
  graph::Layer* layer = nullptr;
  const graph::Node* node = nullptr;
  std::vector<int> inputs;   // value ids in Run order (positional, then keyword)
  std::vector<std::string> input_keywords;
  std::vector<int> outputs;  // value ids
  // Folded into this step by fusion (BatchNormalization, activation): their
  // layer names, for reports.
  std::vector<std::string> fused;
  Epilogue epilogue;
  bool has_epilogue = false;
  std::unique_ptr<Op> op;
};

class Program {
 public:
  // Takes ownership of the graph: plans re-run its shape inference.
  static absl::StatusOr<std::unique_ptr<Program>> Compile(std::unique_ptr<graph::Graph> graph,
                                                          const EngineOptions& options);

  graph::Graph& graph() const { return *graph_; }
  const std::vector<Value>& values() const { return values_; }
  const std::vector<Step>& steps() const { return steps_; }
  const std::vector<int>& inputs() const { return inputs_; }
  const std::vector<int>& outputs() const { return outputs_; }
  int64_t weight_bytes() const { return weight_bytes_; }

 private:
  friend class ProgramBuilder;
  std::unique_ptr<graph::Graph> graph_;
  std::vector<Value> values_;
  std::vector<Step> steps_;
  std::vector<int> inputs_;
  std::vector<int> outputs_;
  int64_t weight_bytes_ = 0;
};

// Folds BatchNormalization (and a following activation) into the producing
// step where that is exact, removing the folded steps (fusion.cc).
absl::Status FuseSteps(std::vector<Value>& values, std::vector<Step>& steps, const std::vector<int>& outputs);

}  // namespace kgate::engine
