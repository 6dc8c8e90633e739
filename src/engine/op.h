// File: op.h
// The contract between the planner and the kernels, split as XNNPACK splits
// it: an Op is created once per model node (it validates the layer's
// attributes and prepacks its weights), is Prepared once per concrete set of
// input shapes (a batch size, a sequence length: it sizes scratch memory and
// creates oneDNN primitives), and the PreparedOp then Runs any number of
// times, from any number of threads at once. Ops and PreparedOps are
// immutable after creation; everything a run writes lives in the run's
// output tensors and scratch memory.
//
// Ops never keep pointers into the graph's weights: the model releases the
// graph's weight values once every op is created, so an op copies (and
// usually repacks) what it needs.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "engine/tensor.h"
#include "graph/graph.h"

namespace kgate::engine {

struct EngineOptions {
  // Threads one prediction may use inside a layer (oneDNN and the reference
  // kernels); 0 = every core.
  int intra_op_threads = 0;
  // Plans kept per model, keyed by the concrete input shapes (LRU).
  int plan_cache_size = 8;
  // BatchNormalization folding and activation fusion in the planner.
  bool fuse = true;
};

// Work that the planner folds into an op that declares `accepts_epilogue`:
// after the op's own computation (whose activation must then be "linear"),
// y = activation(x * scale[c] + shift[c]) over the output channel axis c
// (the op's own channel axis: the last one for channels_last and Dense, 1 for
// channels_first). Empty scale/shift mean none; activation is a canonical
// Keras activation name (engine/kernels/activation.h) or "linear".
//
// Convolutions (OpSpec::accepts_residual / accepts_input_padding) also take
// a residual Add folded in, y = activation(x * scale[c] + shift[c] + r) with
// r the op's last input (Keras's Add of two tensors of the output's shape),
// and a ZeroPadding layer folded in before a "valid" convolution: zeros
// around the op's input, `input_padding` holding (before, after) per
// spatial axis as the ZeroPadding layer's config does.
struct Epilogue {
  std::vector<float> scale;
  std::vector<float> shift;
  std::string activation = "linear";
  bool residual = false;
  std::vector<int64_t> input_padding;
};

// What a factory sees, once per node.
struct OpContext {
  const graph::Layer& layer;
  const graph::Node& node;
  // Input specs in Run order: node.inputs, then node.keyword_inputs in the
  // node's order (batch and other dims may be kUnknownDim).
  std::span<const graph::TensorSpec> inputs;
  // Keyword of each input: "" for positional ones, else the keyword_inputs
  // name ("mask", "initial_state", "key", "attention_mask", ...).
  std::span<const std::string> input_keywords;
  std::span<const graph::TensorSpec> outputs;
  const EngineOptions& options;
  // Non-null only for classes whose OpSpec accepts an epilogue, when the
  // planner fused one into this node.
  const Epilogue* epilogue = nullptr;
};

// Per-run state an op may use.
class RunContext {
 public:
  RunContext(absl::Time deadline, int threads) : deadline_(deadline), threads_(threads) {}
  // DEADLINE_EXCEEDED once the deadline has passed. The executor checks
  // between ops; ops with long loops (RNN time steps) may check inside.
  absl::Status CheckDeadline() const;
  absl::Time deadline() const { return deadline_; }
  int threads() const { return threads_; }
  // Scratch memory for the current op: PreparedOp::scratch_bytes() bytes,
  // 64-byte aligned, uninitialised, valid until the op returns.
  void* scratch() const { return scratch_; }
  // The scratch `offset` bytes in (offsets rounded with AlignUp, engine/align.h, keep the alignment).
  void* scratch_at(int64_t offset) const { return static_cast<char*>(scratch_) + offset; }
  void set_scratch(void* p) { scratch_ = p; }

 private:
  absl::Time deadline_;
  int threads_;
  void* scratch_ = nullptr;
};

class PreparedOp {
 public:
  virtual ~PreparedOp() = default;
  virtual int64_t scratch_bytes() const { return 0; }
  // `outputs` are allocated by the executor with the shapes the planner
  // inferred (Keras's own shape rules, keras/layers); they never alias
  // `inputs`, except where the op's InPlaceInput allows it. Inputs are
  // read-only.
  virtual absl::Status Run(RunContext& ctx, std::span<const Tensor> inputs,
                           std::span<const Tensor> outputs) const = 0;
};

class Op {
 public:
  virtual ~Op() = default;
  // Prepares a run on these concrete shapes (every dim known).
  virtual absl::StatusOr<std::unique_ptr<PreparedOp>> Prepare(std::span<const Dims> inputs,
                                                              std::span<const Dims> outputs) const = 0;
  // Corrects the planner's output shapes where Keras's symbolic shape rule
  // and its computation disagree (the `glu` activation halves the last axis
  // while Keras's compute_output_shape keeps it): the plan follows what Keras
  // computes, so later layers see the real shapes. Default: no change.
  virtual void RefineOutputShapes(std::span<const Dims> inputs, std::span<Dims> outputs) const {}
  // For ops whose output `i` is input `AliasedInput(i)`'s bytes unchanged
  // (identity layers, Reshape, channels_last Flatten): the planner makes the
  // output a view and never calls Run for such an op. -1 = no alias.
  virtual int AliasedInput(int output) const { return -1; }
  // For ops whose Run still works when output `i` is the same memory as input
  // `InPlaceInput(i)` (a convolution accumulating into its residual): the
  // planner may then place the output over that input when nothing reads the
  // input later. Run is called as usual. -1 = never.
  virtual int InPlaceInput(int output) const { return -1; }
};

// A PreparedOp from a function, for ops whose Run needs nothing from Prepare
// but the shapes (captured by the function).
using RunFunction = std::function<absl::Status(RunContext&, std::span<const Tensor>, std::span<const Tensor>)>;
std::unique_ptr<PreparedOp> MakePrepared(RunFunction run, int64_t scratch_bytes = 0);

// An Op that aliases output 0 to input 0 (Dropout at inference, Identity, ...).
std::unique_ptr<Op> MakeAliasOp();

// Error helper: INVALID_ARGUMENT "layer 'name' (Class): message" for factories
// that meet a configuration the engine cannot run.
absl::Status OpError(const graph::Layer& layer, std::string_view message);

}  // namespace kgate::engine
