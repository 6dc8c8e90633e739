// File: recurrent_cell.h
// The one implementation of Keras 3's recurrent loop (rnn.RNN over a
// SimpleRNNCell, LSTMCell or GRUCell, as keras/src/backend/jax/rnn.py runs
// it), shared by the SimpleRNN/LSTM/GRU ops and both directions of
// Bidirectional. A RecurrentCell holds one layer's prepacked weights and
// configuration; RecurrentCell::Prepare makes a RecurrentPlan for a batch
// size and sequence length: one oneDNN RNN primitive for the whole sequence
// where oneDNN computes the cell exactly (recurrent_dnnl.h), else the input
// projection x·W + b for every step in one oneDNN matmul, then h·U and the
// gates per step; RecurrentPlan::Run computes the
// recurrence and writes outputs through strided sinks, so Bidirectional can
// write both directions straight into a concatenated output.
//
// Semantics kept from Keras: go_backwards processes the sequence from the
// end and emits the sequence output in processing order (reversed); a masked
// step keeps the previous states and outputs the previous output (states[0])
// or zeros with zero_output_for_mask; with unroll=True Keras's unrolled loop
// instead outputs the previous *output* (zeros before the first kept step)
// and ignores zero_output_for_mask. Cells and plans are immutable; Run may be
// called from many threads at once (all run state lives in `scratch`).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>

#include "absl/status/statusor.h"
#include "engine/align.h"
#include "engine/kernels/matmul.h"
#include "engine/op.h"
#include "engine/tensor.h"
#include "graph/graph.h"

namespace kgate::engine::ops {

enum class CellKind { kSimpleRnn, kLstm, kGru };

// Where a run writes per-row float vectors of `units` values: row (b, t) of
// a sequence lands at data + b * batch_stride + t' * time_stride, where t' is
// the processing step t, or steps - 1 - t when `reversed` (Bidirectional's
// flip of the backward layer's sequence).
struct SequenceSink {
  float* data = nullptr;  // nullptr: not wanted
  int64_t batch_stride = 0;
  int64_t time_stride = 0;
  bool reversed = false;

  // Writes row (b, t) when the sink is wanted.
  void Write(int64_t b, int64_t t, const float* row, int64_t units) const;
};

struct RecurrentIo {
  const float* sequence = nullptr;  // (batch, steps, features), row-major
  const Tensor* mask = nullptr;     // (batch, steps), any storage type, nonzero = keep; or null
  // Empty (zeros) or one (batch, units) float tensor per state (LSTM: h, c).
  std::span<const Tensor> initial_states;
  SequenceSink sequence_out;  // the per-step outputs
  SequenceSink last_out;      // the last step's output (time_stride unused)
  SequenceSink states_out[2];  // final h (and c), time_stride unused
};

class RecurrentCell;
class DnnlRecurrence;

// An activation over one (batch, units) gate buffer, in place: a oneDNN
// eltwise primitive (vectorised) where oneDNN computes the Keras activation
// (kernels::AsDnnlEltwise), else kernels::ApplyActivation.
class GateActivation {
 public:
  static absl::StatusOr<GateActivation> Create(const std::string& name, int64_t batch, int64_t units);
  absl::Status Apply(float* data) const;

 private:
  std::string name_;
  int64_t batch_ = 0, units_ = 0;
  std::optional<dnnl::eltwise_forward> primitive_;
  dnnl::memory::desc desc_;
};

class RecurrentPlan {
 public:
  // The float buffers, then the matmuls' scratchpad (they run one at a time).
  int64_t scratch_bytes() const { return FloatBytes() + scratchpad_bytes_; }
  int64_t batch() const { return batch_; }
  int64_t steps() const { return steps_; }
  // Multiply-adds of one run: the input projection and the recurrence.
  int64_t macs() const;
  absl::Status Run(RunContext& ctx, const RecurrentIo& io, float* scratch) const;

 private:
  friend class RecurrentCell;

  struct Scratch;
  // h (batch x k) · U (k x n) (+ bias) into out, by oneDNN when large enough.
  absl::Status RecurrentProduct(const std::optional<kernels::Matmul>& mm, const float* h, const float* u,
                                const float* bias, int64_t k, int64_t n, float* out, void* scratchpad) const;
  int64_t FloatBytes() const { return AlignUp(scratch_floats_ * static_cast<int64_t>(sizeof(float))); }
  absl::Status Step(int64_t t, const RecurrentIo& io, const Scratch& s) const;

  std::shared_ptr<const RecurrentCell> cell_;
  int64_t batch_ = 0, steps_ = 0;
  // The whole recurrence as one oneDNN primitive where it applies
  // (recurrent_dnnl.h); the members below are then unused.
  std::shared_ptr<const DnnlRecurrence> fused_;
  kernels::Matmul input_projection_;
  std::optional<kernels::Matmul> recurrent_;    // h · U (GRU without reset_after: h · U[:, :2u])
  std::optional<kernels::Matmul> reset_state_;  // GRU without reset_after: (r * h) · U[:, 2u:]
  GateActivation activation_, recurrent_activation_;
  int64_t scratch_floats_ = 0;
  int64_t scratchpad_bytes_ = 0;
};

class RecurrentCell : public std::enable_shared_from_this<RecurrentCell> {
 public:
  // Reads a SimpleRNN, LSTM or GRU layer (its variables in group "cell") whose
  // input sequence has `features` features; refuses what it cannot compute
  // exactly (stateful, unknown activations, misshapen variables).
  static absl::StatusOr<std::shared_ptr<const RecurrentCell>> Create(const graph::Layer& layer, int64_t features);

  // `masked`: runs will pass a mask (which only the step loop handles).
  absl::StatusOr<std::unique_ptr<RecurrentPlan>> Prepare(int64_t batch, int64_t steps, bool masked) const;

  CellKind kind() const { return kind_; }
  int64_t units() const { return units_; }
  int64_t features() const { return features_; }
  int state_count() const { return kind_ == CellKind::kLstm ? 2 : 1; }
  bool return_sequences() const { return return_sequences_; }
  bool return_state() const { return return_state_; }
  bool go_backwards() const { return go_backwards_; }
  const std::string& name() const { return name_; }

 private:
  friend class RecurrentPlan;
  RecurrentCell() = default;
  int64_t gates() const { return kind_ == CellKind::kLstm ? 4 : kind_ == CellKind::kGru ? 3 : 1; }

  std::string name_;
  CellKind kind_ = CellKind::kSimpleRnn;
  int64_t units_ = 0, features_ = 0;
  std::string activation_, recurrent_activation_;
  bool return_sequences_ = false, return_state_ = false, go_backwards_ = false;
  bool zero_output_for_mask_ = false, unroll_ = false, reset_after_ = true;
  std::shared_ptr<AlignedBuffer> kernel_;            // (features, gates * units)
  std::shared_ptr<AlignedBuffer> input_bias_;        // (gates * units) or null
  std::shared_ptr<AlignedBuffer> recurrent_kernel_;  // (units, n) with n = gates*units, or 2*units for GRU w/o reset_after
  std::shared_ptr<AlignedBuffer> recurrent_bias_;    // GRU reset_after: (3 * units) or null
  std::shared_ptr<AlignedBuffer> candidate_kernel_;  // GRU w/o reset_after: U[:, 2u:] (units, units)
};

}  // namespace kgate::engine::ops
