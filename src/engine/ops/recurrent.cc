// SimpleRNN, LSTM, GRU and Bidirectional (Keras 3.15 rnn.RNN and
// rnn.Bidirectional). The recurrence itself is recurrent_cell.h, one code
// path for every cell and both directions; this file maps a call's inputs
// (the sequence, initial states positional or keyword "initial_state", a
// keyword "mask") and outputs (sequence or last output, final states) onto
// it. Bidirectional writes both directions straight into the merged output:
// for "concat" each direction fills its half of every row; the backward
// layer's sequence is written reversed, which is Keras's flip (back to
// forward time when, as usual, that layer goes backwards).
#include <array>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "engine/kernels/omp_threads.h"
#include "engine/op_registry.h"
#include "engine/ops/recurrent_cell.h"
#include "util/status_macros.h"
#include "util/strings.h"

namespace kgate::engine::ops {
namespace {

// Which Run inputs are the mask and the initial states.
struct CallInputs {
  int mask = -1;
  std::vector<int> states;
};

absl::StatusOr<CallInputs> ClassifyInputs(const OpContext& ctx) {
  const graph::Layer& layer = ctx.layer;
  if (ctx.inputs.empty() || !ctx.input_keywords[0].empty() || ctx.inputs[0].shape.size() != 3) {
    return OpError(layer, "expected the input sequence (batch, steps, features) as the first positional tensor");
  }
  if (StorageType(ctx.inputs[0].dtype) != util::DType::kFloat32) {
    return OpError(layer, "the input sequence must be floating");
  }
  CallInputs call;
  for (size_t i = 1; i < ctx.inputs.size(); ++i) {
    const std::string& key = ctx.input_keywords[i];
    if (key == "mask" && call.mask < 0) {
      call.mask = static_cast<int>(i);
    } else if (key.empty() || key == "initial_state") {
      if (StorageType(ctx.inputs[i].dtype) != util::DType::kFloat32) {
        return OpError(layer, "initial states must be floating");
      }
      call.states.push_back(static_cast<int>(i));
    } else {
      return OpError(layer, util::StrCat("unexpected call input '", key, "'"));
    }
  }
  return call;
}

absl::Status ShapeError(const RecurrentCell& cell, std::string_view what, const Dims& got, std::string_view want) {
  return absl::InvalidArgumentError(util::StrCat("layer '", cell.name(), "': ", what, " has shape ",
                                                 graph::ShapeString(got), "; expected ", want));
}

// Checks the concrete shapes of a call against `cell` for a sequence of
// (batch, steps, features); `states` are this cell's share of the states.
absl::Status CheckCallShapes(const RecurrentCell& cell, std::span<const Dims> in, int mask,
                             std::span<const int> states) {
  const Dims& seq = in[0];
  if (seq[2] != cell.features()) {
    return ShapeError(cell, "the input sequence", seq, util::StrCat("(batch, steps, ", cell.features(), ")"));
  }
  if (mask >= 0 && in[mask] != Dims{seq[0], seq[1]}) {
    return ShapeError(cell, "the mask", in[mask], graph::ShapeString({seq[0], seq[1]}));
  }
  if (!states.empty() && static_cast<int>(states.size()) != cell.state_count()) {
    return absl::InvalidArgumentError(util::StrCat("layer '", cell.name(), "': expected ", cell.state_count(),
                                                   " initial state(s), got ", states.size()));
  }
  for (int s : states) {
    if (in[s] != Dims{seq[0], cell.units()}) {
      return ShapeError(cell, "an initial state", in[s], graph::ShapeString({seq[0], cell.units()}));
    }
  }
  return absl::OkStatus();
}

// A sink for one direction's output rows of `units` values inside rows of
// `row_width` values (the merged output's last axis).
SequenceSink OutputSink(const RecurrentCell& cell, float* data, int64_t steps, int64_t row_width,
                        bool reversed) {
  if (cell.return_sequences()) return SequenceSink{data, steps * row_width, row_width, reversed};
  return SequenceSink{data, row_width, 0, false};
}

// The io of one direction: the sequence, mask and its states, and where its
// first output and states go.
RecurrentIo DirectionIo(const RecurrentCell& cell, std::span<const Tensor> in, int mask,
                        std::span<const Tensor> states, SequenceSink out, std::span<const Tensor> state_out) {
  RecurrentIo io;
  io.sequence = in[0].f32();
  io.mask = mask >= 0 ? &in[mask] : nullptr;
  io.initial_states = states;
  (cell.return_sequences() ? io.sequence_out : io.last_out) = out;
  for (size_t i = 0; i < state_out.size() && i < 2; ++i) io.states_out[i] = SequenceSink{state_out[i].f32(), cell.units()};
  return io;
}

class PreparedRnn final : public PreparedOp {
 public:
  PreparedRnn(std::unique_ptr<RecurrentPlan> plan, std::shared_ptr<const RecurrentCell> cell, CallInputs call)
      : plan_(std::move(plan)), cell_(std::move(cell)), call_(std::move(call)) {}
  int64_t scratch_bytes() const override { return plan_->scratch_bytes(); }

  absl::Status Run(RunContext& ctx, std::span<const Tensor> in, std::span<const Tensor> out) const override {
    std::array<Tensor, 2> states;
    for (size_t i = 0; i < call_.states.size(); ++i) states[i] = in[call_.states[i]];
    const SequenceSink sink = OutputSink(*cell_, out[0].f32(), plan_->steps(), cell_->units(), false);
    const RecurrentIo io = DirectionIo(*cell_, in, call_.mask, std::span(states.data(), call_.states.size()), sink,
                                       out.subspan(1));
    return plan_->Run(ctx, io, static_cast<float*>(ctx.scratch()));
  }

 private:
  const std::unique_ptr<RecurrentPlan> plan_;
  const std::shared_ptr<const RecurrentCell> cell_;
  const CallInputs call_;
};

class RnnOp final : public Op {
 public:
  RnnOp(std::shared_ptr<const RecurrentCell> cell, CallInputs call) : cell_(std::move(cell)), call_(std::move(call)) {}

  absl::StatusOr<std::unique_ptr<PreparedOp>> Prepare(std::span<const Dims> in,
                                                      std::span<const Dims> out) const override {
    KGATE_RETURN_IF_ERROR(CheckCallShapes(*cell_, in, call_.mask, call_.states));
    const size_t want = 1 + (cell_->return_state() ? cell_->state_count() : 0);
    const int64_t rows = in[0][0] * (cell_->return_sequences() ? in[0][1] : 1);
    if (out.size() != want || NumElements(out[0]) != rows * cell_->units()) {
      return absl::InternalError(util::StrCat("layer '", cell_->name(), "': the planned outputs do not match the layer"));
    }
    KGATE_ASSIGN_OR_RETURN(std::unique_ptr<RecurrentPlan> plan, cell_->Prepare(in[0][0], in[0][1], call_.mask >= 0));
    return std::unique_ptr<PreparedOp>(std::make_unique<PreparedRnn>(std::move(plan), cell_, call_));
  }

 private:
  const std::shared_ptr<const RecurrentCell> cell_;
  const CallInputs call_;
};

absl::StatusOr<std::unique_ptr<Op>> CreateRnn(const OpContext& ctx) {
  KGATE_ASSIGN_OR_RETURN(CallInputs call, ClassifyInputs(ctx));
  KGATE_ASSIGN_OR_RETURN(std::shared_ptr<const RecurrentCell> cell,
                         RecurrentCell::Create(ctx.layer, ctx.inputs[0].shape[2]));
  return std::unique_ptr<Op>(std::make_unique<RnnOp>(std::move(cell), std::move(call)));
}

// --- Bidirectional --------------------------------------------------------

enum class Merge { kConcat, kSum, kMul, kAve, kNone };

// Scratch areas start on 64-byte boundaries.
constexpr int64_t kFloatsPerLine = 16;

class PreparedBidirectional final : public PreparedOp {
 public:
  PreparedBidirectional(std::array<std::unique_ptr<RecurrentPlan>, 2> plans,
                        std::array<std::shared_ptr<const RecurrentCell>, 2> cells, CallInputs call, Merge merge)
      : plans_(std::move(plans)), cells_(std::move(cells)), call_(std::move(call)), merge_(merge) {
    if (merge_ != Merge::kConcat && merge_ != Merge::kNone) {
      const int64_t rows = plans_[1]->batch() * (cells_[1]->return_sequences() ? plans_[1]->steps() : 1);
      merge_floats_ = (rows * cells_[1]->units() + kFloatsPerLine - 1) / kFloatsPerLine * kFloatsPerLine;
    }
  }
  int64_t scratch_bytes() const override {
    return (merge_floats_ + DirectionFloats(0) + DirectionFloats(1)) * static_cast<int64_t>(sizeof(float));
  }

  absl::Status Run(RunContext& ctx, std::span<const Tensor> in, std::span<const Tensor> out) const override {
    const RecurrentCell& fwd = *cells_[0];
    const RecurrentCell& bwd = *cells_[1];
    const int64_t steps = plans_[0]->steps();
    float* scratch = static_cast<float*>(ctx.scratch());
    float* backward_out = scratch;  // sum/mul/ave: the backward output before merging
    float* const run_scratch[2] = {scratch + merge_floats_, scratch + merge_floats_ + DirectionFloats(0)};

    // Outputs after the merged one(s): forward states, then backward states.
    const size_t merged = merge_ == Merge::kNone ? 2 : 1;
    std::span<const Tensor> states_out = out.subspan(merged);
    const size_t fwd_states = fwd.return_state() ? fwd.state_count() : 0;
    std::array<Tensor, 4> states;
    for (size_t i = 0; i < call_.states.size(); ++i) states[i] = in[call_.states[i]];
    const size_t half = call_.states.size() / 2;

    SequenceSink fwd_sink, bwd_sink;
    if (merge_ == Merge::kConcat) {
      const int64_t width = fwd.units() + bwd.units();
      fwd_sink = OutputSink(fwd, out[0].f32(), steps, width, false);
      bwd_sink = OutputSink(bwd, out[0].f32() + fwd.units(), steps, width, true);
    } else {
      fwd_sink = OutputSink(fwd, out[0].f32(), steps, fwd.units(), false);
      bwd_sink = OutputSink(bwd, merge_ == Merge::kNone ? out[1].f32() : backward_out, steps, bwd.units(), true);
    }
    const RecurrentIo io[2] = {
        DirectionIo(fwd, in, call_.mask, std::span(states.data(), half), fwd_sink, states_out.subspan(0, fwd_states)),
        DirectionIo(bwd, in, call_.mask, std::span(states.data() + half, half), bwd_sink,
                    states_out.subspan(fwd_states))};
    // The directions are independent (they write disjoint outputs and have
    // their own scratch): with two threads each runs on its own, when the
    // work is worth a fork/join (kernels/omp_threads.h).
    absl::Status status[2];
    if (ctx.threads() >= 2 && kernels::ThreadsFor(plans_[0]->macs() + plans_[1]->macs()) > 1) {
#pragma omp parallel for num_threads(2) schedule(static, 1)
      for (int d = 0; d < 2; ++d) {
        kernels::ScopedOmpThreads one(1);
        status[d] = plans_[d]->Run(ctx, io[d], run_scratch[d]);
      }
    } else {
      for (int d = 0; d < 2; ++d) status[d] = plans_[d]->Run(ctx, io[d], run_scratch[d]);
    }
    KGATE_RETURN_IF_ERROR(status[0]);
    KGATE_RETURN_IF_ERROR(status[1]);

    if (merge_floats_ > 0) {
      float* y = out[0].f32();
      const int64_t n = out[0].num_elements();
      const float* r = backward_out;
      switch (merge_) {
        case Merge::kSum: for (int64_t i = 0; i < n; ++i) y[i] = y[i] + r[i]; break;
        case Merge::kMul: for (int64_t i = 0; i < n; ++i) y[i] = y[i] * r[i]; break;
        case Merge::kAve: for (int64_t i = 0; i < n; ++i) y[i] = (y[i] + r[i]) / 2.f; break;
        default: break;
      }
    }
    return absl::OkStatus();
  }

 private:
  // Scratch floats of direction d, in whole 64-byte lines.
  int64_t DirectionFloats(int d) const {
    return (plans_[d]->scratch_bytes() / static_cast<int64_t>(sizeof(float)) + kFloatsPerLine - 1) / kFloatsPerLine *
           kFloatsPerLine;
  }

  const std::array<std::unique_ptr<RecurrentPlan>, 2> plans_;
  const std::array<std::shared_ptr<const RecurrentCell>, 2> cells_;
  const CallInputs call_;
  const Merge merge_;
  int64_t merge_floats_ = 0;
};

class BidirectionalOp final : public Op {
 public:
  BidirectionalOp(std::array<std::shared_ptr<const RecurrentCell>, 2> cells, CallInputs call, Merge merge)
      : cells_(std::move(cells)), call_(std::move(call)), merge_(merge) {}

  absl::StatusOr<std::unique_ptr<PreparedOp>> Prepare(std::span<const Dims> in,
                                                      std::span<const Dims> out) const override {
    const size_t half = call_.states.size() / 2;
    std::span<const int> states(call_.states);
    KGATE_RETURN_IF_ERROR(CheckCallShapes(*cells_[0], in, call_.mask, states.subspan(0, half)));
    KGATE_RETURN_IF_ERROR(CheckCallShapes(*cells_[1], in, call_.mask, states.subspan(half)));
    const int64_t rows = in[0][0] * (cells_[0]->return_sequences() ? in[0][1] : 1);
    const int64_t fu = cells_[0]->units(), bu = cells_[1]->units();
    const bool merged_ok = merge_ == Merge::kNone ? out.size() >= 2 && NumElements(out[0]) == rows * fu &&
                                                        NumElements(out[1]) == rows * bu
                           : merge_ == Merge::kConcat ? !out.empty() && NumElements(out[0]) == rows * (fu + bu)
                                                      : !out.empty() && fu == bu && NumElements(out[0]) == rows * fu;
    if (!merged_ok) return absl::InternalError("Bidirectional: the planned output shapes do not match the directions");
    std::array<std::unique_ptr<RecurrentPlan>, 2> plans;
    for (int d = 0; d < 2; ++d) {
      KGATE_ASSIGN_OR_RETURN(plans[d], cells_[d]->Prepare(in[0][0], in[0][1], call_.mask >= 0));
    }
    return std::unique_ptr<PreparedOp>(std::make_unique<PreparedBidirectional>(std::move(plans), cells_, call_, merge_));
  }

 private:
  const std::array<std::shared_ptr<const RecurrentCell>, 2> cells_;
  const CallInputs call_;
  const Merge merge_;
};

absl::StatusOr<std::unique_ptr<Op>> CreateBidirectional(const OpContext& ctx) {
  const graph::Layer& layer = ctx.layer;
  KGATE_ASSIGN_OR_RETURN(CallInputs call, ClassifyInputs(ctx));
  std::array<std::shared_ptr<const RecurrentCell>, 2> cells;
  const char* keys[2] = {"forward_layer", "backward_layer"};
  for (int d = 0; d < 2; ++d) {
    const graph::Layer* sub = nullptr;
    for (const auto& s : layer.sublayers) {
      if (s != nullptr && s->attr_key == keys[d]) sub = s.get();
    }
    if (sub == nullptr) return OpError(layer, util::StrCat("the ", keys[d], " is missing"));
    KGATE_ASSIGN_OR_RETURN(cells[d], RecurrentCell::Create(*sub, ctx.inputs[0].shape[2]));
  }
  if (cells[0]->return_sequences() != cells[1]->return_sequences() ||
      cells[0]->return_state() != cells[1]->return_state()) {
    return OpError(layer, "the directions disagree on return_sequences or return_state");
  }
  const std::string mode = layer.attrs.GetString("merge_mode", "concat");
  Merge merge;
  if (mode == "concat") {
    merge = Merge::kConcat;
  } else if (mode == "sum") {
    merge = Merge::kSum;
  } else if (mode == "mul") {
    merge = Merge::kMul;
  } else if (mode == "ave") {
    merge = Merge::kAve;
  } else if (mode == "none") {
    merge = Merge::kNone;
  } else {
    return OpError(layer, util::StrCat("unknown merge_mode '", mode, "'"));
  }
  if (call.states.size() % 2 != 0) return OpError(layer, "expected an even number of initial states");
  const size_t outputs = (merge == Merge::kNone ? 2 : 1) +
                         (cells[0]->return_state() ? cells[0]->state_count() + cells[1]->state_count() : 0);
  if (ctx.outputs.size() != outputs) {
    return OpError(layer, util::StrCat("expected ", outputs, " outputs, the call has ", ctx.outputs.size()));
  }
  return std::unique_ptr<Op>(std::make_unique<BidirectionalOp>(std::move(cells), std::move(call), merge));
}

constexpr OpSpec kSpecs[] = {
    {"Bidirectional", &CreateBidirectional},
    {"GRU", &CreateRnn},
    {"LSTM", &CreateRnn},
    {"SimpleRNN", &CreateRnn},
};

}  // namespace

std::span<const OpSpec> RecurrentOps() { return kSpecs; }

}  // namespace kgate::engine::ops
