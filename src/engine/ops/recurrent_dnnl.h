// File: recurrent_dnnl.h
// A whole recurrence in one oneDNN RNN primitive, for the cells whose math
// oneDNN computes exactly as Keras does: LSTM (gates i, f, c, o; tanh and
// sigmoid), GRU with reset_after=True (oneDNN's linear-before-reset GRU;
// gates z, r, h; the input and recurrent biases of z and r summed), and
// SimpleRNN with tanh. oneDNN then runs the input projection of every step
// as one product and each step's h·U with the gate math fused, with no
// per-step dispatch, which is what makes short sequences at batch 1 fast.
// Everything else (masks, other activations, GRU with reset_after=False)
// stays on RecurrentPlan's step loop (recurrent_cell.h).
//
// go_backwards runs right to left: oneDNN then stores the output of input
// step t at position t, and Run writes it to the sinks in processing order,
// as Keras does. A DnnlRecurrence is immutable and runs from many threads at
// once (each run brings its own scratch).
#pragma once

#include <cstdint>
#include <memory>

#include "absl/status/statusor.h"
#include "engine/ops/recurrent_cell.h"
#include "oneapi/dnnl/dnnl.hpp"

namespace kgate::engine::ops {

// One cell's configuration and weights as the fused primitive needs them.
struct FusedCellSpec {
  CellKind kind = CellKind::kLstm;
  int64_t units = 0, features = 0;
  bool go_backwards = false;
  const float* kernel = nullptr;            // (features, gates * units)
  const float* recurrent_kernel = nullptr;  // (units, gates * units)
  const float* input_bias = nullptr;        // (gates * units) or null
  const float* recurrent_bias = nullptr;    // GRU: (3 * units) or null
};

// Whether oneDNN's primitive computes this cell exactly (see the file comment).
bool FusedRecurrenceApplies(CellKind kind, const std::string& activation, const std::string& recurrent_activation,
                            bool reset_after, bool masked);

class DnnlRecurrence {
 public:
  // A primitive for (batch, steps) sequences created for a team of `threads`
  // (it also runs with that team), with the weights reordered into its layout.
  static absl::StatusOr<std::unique_ptr<DnnlRecurrence>> Create(const FusedCellSpec& spec, int64_t batch,
                                                                int64_t steps, int threads);
  int64_t scratch_bytes() const { return scratch_bytes_; }
  absl::Status Run(const RecurrentIo& io, void* scratch) const;

 private:
  DnnlRecurrence() = default;

  CellKind kind_ = CellKind::kLstm;
  int64_t units_ = 0, batch_ = 0, steps_ = 0;
  bool go_backwards_ = false;
  int threads_ = 1;
  dnnl::primitive primitive_;
  dnnl::memory::desc src_layer_, state_, dst_layer_, scratchpad_;
  dnnl::memory weights_layer_, weights_iter_, bias_;
  // Offsets into the run's scratch (bytes): the primitive's scratchpad, the
  // per-step outputs, the final h and c, and zero initial states.
  int64_t dst_layer_at_ = 0, h_at_ = 0, c_at_ = 0, zeros_at_ = 0, scratch_bytes_ = 0;
};

}  // namespace kgate::engine::ops
