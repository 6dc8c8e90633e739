// File: model.h
// A compiled Keras model, ready to predict: the engine's public entry point.
// Model::Create turns a loaded graph into a Program (one op per layer call,
// nested models inlined, BatchNormalization folded and activations fused,
// weights prepacked) and then keeps a bounded cache of Plans, one per set of
// concrete input shapes (a batch size). A Model is immutable to its users and
// thread-safe: any number of threads may call Predict at once; each run uses
// its own arena of memory, sized by the plan.
#pragma once

#include <memory>
#include <span>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "engine/op.h"
#include "engine/tensor.h"
#include "graph/graph.h"

namespace kgate::engine {

class Program;
class PlanCache;

struct RunOptions {
  // The run stops with DEADLINE_EXCEEDED between two layers once this passes;
  // the model stays usable.
  absl::Time deadline = absl::InfiniteFuture();
};

// Sizes of a plan, for reports and memory budgets.
struct PlanStats {
  int64_t arena_bytes = 0;    // every intermediate tensor, with buffer reuse
  int64_t scratch_bytes = 0;  // the largest scratch any op needs
  int64_t naive_bytes = 0;    // what the intermediates take without reuse
  int steps = 0;              // ops that run (aliases excluded)
};

class Model {
 public:
  static absl::StatusOr<std::unique_ptr<Model>> Create(std::unique_ptr<graph::Graph> graph,
                                                       const EngineOptions& options = {});
  ~Model();
  Model(const Model&) = delete;
  Model& operator=(const Model&) = delete;

  // The model's inputs and outputs as Keras declares them (names, Keras
  // dtypes, shapes with kUnknownDim for the batch and other free dims).
  const std::vector<std::string>& input_names() const;
  const std::vector<std::string>& output_names() const;
  std::vector<graph::TensorSpec> input_specs() const;
  std::vector<graph::TensorSpec> output_specs() const;

  // Runs the model on `inputs` (in the model's input order). Each input must
  // have the model's rank and every known dim; its dtype is converted to the
  // engine's storage type where that is exact (an integer input given as
  // int64 within int32's range, a float input given as float64, ...), and
  // refused with INVALID_ARGUMENT otherwise. Outputs are in the model's
  // output order, in engine storage types (float32 for floating outputs).
  absl::StatusOr<std::vector<HostTensor>> Predict(std::span<const Tensor> inputs,
                                                  const RunOptions& options = {}) const;

  // The plan for these input shapes (creating and caching it if needed).
  absl::StatusOr<PlanStats> Stats(std::span<const Dims> input_shapes) const;
  // Total float32 weight values the compiled ops hold.
  int64_t weight_bytes() const;

 private:
  Model(std::unique_ptr<Program> program, const EngineOptions& options);
  std::unique_ptr<Program> program_;
  std::unique_ptr<PlanCache> plans_;
  EngineOptions options_;
};

}  // namespace kgate::engine
