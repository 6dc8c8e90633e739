#include "engine/ops/recurrent_cell.h"

#include <algorithm>
#include <cstring>
#include <utility>

#include "engine/kernels/activation.h"
#include "engine/kernels/dnnl_context.h"
#include "engine/kernels/omp_threads.h"
#include "engine/ops/group_weights.h"
#include "engine/ops/layer_support.h"
#include "engine/ops/recurrent_dnnl.h"
#include "util/status_macros.h"
#include "util/strings.h"

namespace kgate::engine::ops {
namespace {

// Below this many multiply-adds a per-step h·U runs faster as a plain loop
// than as a oneDNN primitive execution (stream creation and dispatch).
constexpr int64_t kDnnlRecurrentMacs = int64_t{1} << 14;
// Below this many multiply-adds per time step the recurrence runs on the
// calling thread alone: an OpenMP fork/join per step (and the workers'
// spin-waiting between steps) costs more than the step itself.
constexpr int64_t kParallelStepMacs = int64_t{1} << 24;
// How many time steps run between deadline checks.
constexpr int64_t kStepsPerDeadlineCheck = 8;
// Scratch vectors of (batch, units) floats in RecurrentPlan::Scratch.
constexpr int64_t kRowVectors = 13;
// Scratch areas start on 64-byte boundaries.
constexpr int64_t kFloatsPerLine = 16;

int64_t RoundUp(int64_t n) { return (n + kFloatsPerLine - 1) / kFloatsPerLine * kFloatsPerLine; }

// The OpenMP team for a recurrence whose steps each take `step_macs`.
int StepThreads(int64_t step_macs) { return step_macs < kParallelStepMacs ? 1 : omp_get_max_threads(); }


absl::StatusOr<std::shared_ptr<AlignedBuffer>> CellWeight(const graph::Layer& layer, std::string_view name,
                                                          int64_t expected) {
  return CopyGroupWeight(layer, "cell", name, expected);
}

// Columns [begin, begin + count) of a row-major (rows x cols) matrix.
std::shared_ptr<AlignedBuffer> Columns(const float* m, int64_t rows, int64_t cols, int64_t begin, int64_t count) {
  std::shared_ptr<AlignedBuffer> out = NewFloats(rows * count);
  for (int64_t r = 0; r < rows; ++r) std::memcpy(out->f32() + r * count, m + r * cols + begin, count * sizeof(float));
  return out;
}

std::shared_ptr<AlignedBuffer> Slice(const float* v, int64_t begin, int64_t count) {
  std::shared_ptr<AlignedBuffer> out = NewFloats(count);
  std::memcpy(out->data(), v + begin, count * sizeof(float));
  return out;
}

}  // namespace

void SequenceSink::Write(int64_t b, int64_t t, const float* row, int64_t units) const {
  if (data == nullptr) return;
  std::memcpy(data + b * batch_stride + t * time_stride, row, units * sizeof(float));
}

absl::StatusOr<GateActivation> GateActivation::Create(const std::string& name, int64_t batch, int64_t units) {
  GateActivation a;
  a.name_ = name;
  a.batch_ = batch;
  a.units_ = units;
  const std::optional<kernels::DnnlEltwise> eltwise = kernels::AsDnnlEltwise(name);
  if (!eltwise) return a;
  KGATE_RETURN_IF_ERROR(kernels::DnnlCall("recurrent activation setup", [&] {
    a.desc_ = kernels::PlainDesc({batch * units});
    const dnnl::eltwise_forward::desc desc(dnnl::prop_kind::forward_inference, eltwise->algorithm, a.desc_,
                                           eltwise->alpha, eltwise->beta);
    dnnl::primitive_attr attr;
    attr.set_scratchpad_mode(dnnl::scratchpad_mode::user);  // never a buffer shared by concurrent runs
    const dnnl::eltwise_forward::primitive_desc pd(desc, attr, kernels::CpuEngine());
    // An eltwise needs no scratchpad; if this build's did, the reference path runs instead.
    if (pd.scratchpad_desc().get_size() == 0) a.primitive_ = dnnl::eltwise_forward(pd);
  }));
  return a;
}

absl::Status GateActivation::Apply(float* data) const {
  if (!primitive_) return kernels::ApplyActivation(name_, data, batch_ * units_, units_);
  dnnl::memory m;
  KGATE_RETURN_IF_ERROR(kernels::DnnlCall("recurrent activation", [&] { m = kernels::Wrap(desc_, data); }));
  return kernels::Execute("recurrent activation", *primitive_, {{DNNL_ARG_SRC, m}, {DNNL_ARG_DST, m}});
}

// Per-run working memory, carved out of the op's scratch.
struct RecurrentPlan::Scratch {
  float* projected;  // (batch, steps, gates*units): x·W + b for every step
  float* h;          // current states
  float* c;
  float* previous;  // previous output (unrolled masked loop)
  float* product;   // (batch, n): h·U
  float* candidate;  // (batch, units): GRU w/o reset_after (r*h)·U_h
  float* reset_h;    // (batch, units): r * h
  float* gate[4];    // (batch, units) each, pre- then post-activation
  float* new_h;
  float* new_c;
  float* activated_c;
  float* zeros;
  void* scratchpad;  // the matmuls' (kernels/matmul.h), after the float buffers
};

absl::StatusOr<std::shared_ptr<const RecurrentCell>> RecurrentCell::Create(const graph::Layer& layer,
                                                                          int64_t features) {
  auto cell = std::shared_ptr<RecurrentCell>(new RecurrentCell());
  const std::string& cls = layer.class_name;
  if (cls == "LSTM") {
    cell->kind_ = CellKind::kLstm;
  } else if (cls == "GRU") {
    cell->kind_ = CellKind::kGru;
  } else if (cls != "SimpleRNN") {
    return OpError(layer, "expected a SimpleRNN, LSTM or GRU layer");
  }
  const graph::Attributes& a = layer.attrs;
  if (a.GetBool("stateful", false)) return OpError(layer, "stateful RNNs are not supported");
  cell->name_ = layer.name;
  cell->units_ = a.GetInt("units", 0);
  cell->features_ = features;
  if (cell->units_ <= 0 || features <= 0) {
    return OpError(layer, util::StrCat("units (", cell->units_, ") and input features (", features,
                                       ") must be positive"));
  }
  cell->activation_ = a.GetString("activation", "tanh");
  cell->recurrent_activation_ = a.GetString("recurrent_activation", "sigmoid");
  for (const std::string* act : {&cell->activation_, &cell->recurrent_activation_}) {
    if (!kernels::IsSupportedActivation(*act)) {
      return OpError(layer, util::StrCat("activation '", *act, "' is not supported by the engine"));
    }
  }
  cell->return_sequences_ = a.GetBool("return_sequences", false);
  cell->return_state_ = a.GetBool("return_state", false);
  cell->go_backwards_ = a.GetBool("go_backwards", false);
  cell->zero_output_for_mask_ = a.GetBool("zero_output_for_mask", false);
  cell->unroll_ = a.GetBool("unroll", false);
  cell->reset_after_ = cell->kind_ == CellKind::kGru && a.GetBool("reset_after", true);

  const int64_t u = cell->units_, width = cell->gates() * u;
  KGATE_ASSIGN_OR_RETURN(cell->kernel_, CellWeight(layer, "kernel", features * width));
  KGATE_ASSIGN_OR_RETURN(std::shared_ptr<AlignedBuffer> recurrent, CellWeight(layer, "recurrent_kernel", u * width));
  if (a.GetBool("use_bias", true)) {
    if (cell->reset_after_) {
      // (2, 3u): the input bias, then the recurrent bias.
      KGATE_ASSIGN_OR_RETURN(std::shared_ptr<AlignedBuffer> bias, CellWeight(layer, "bias", 2 * width));
      cell->input_bias_ = Slice(bias->f32(), 0, width);
      cell->recurrent_bias_ = Slice(bias->f32(), width, width);
    } else {
      KGATE_ASSIGN_OR_RETURN(cell->input_bias_, CellWeight(layer, "bias", width));
    }
  }
  if (cell->kind_ == CellKind::kGru && !cell->reset_after_) {
    // The reset gate multiplies h before the candidate's product.
    cell->recurrent_kernel_ = Columns(recurrent->f32(), u, width, 0, 2 * u);
    cell->candidate_kernel_ = Columns(recurrent->f32(), u, width, 2 * u, u);
  } else {
    cell->recurrent_kernel_ = std::move(recurrent);
  }
  return std::shared_ptr<const RecurrentCell>(std::move(cell));
}

absl::StatusOr<std::unique_ptr<RecurrentPlan>> RecurrentCell::Prepare(int64_t batch, int64_t steps,
                                                                      bool masked) const {
  if (steps <= 0) {
    return absl::InvalidArgumentError(util::StrCat("layer '", name_, "': the input sequence has no time steps"));
  }
  auto plan = std::unique_ptr<RecurrentPlan>(new RecurrentPlan());
  plan->cell_ = shared_from_this();
  plan->batch_ = batch;
  plan->steps_ = steps;
  const int64_t u = units_, width = gates() * u;
  const bool split_gru = kind_ == CellKind::kGru && !reset_after_;
  const int64_t n = split_gru ? 2 * u : width;
  if (FusedRecurrenceApplies(kind_, activation_, recurrent_activation_, reset_after_, masked)) {
    const FusedCellSpec spec{.kind = kind_,
                             .units = u,
                             .features = features_,
                             .go_backwards = go_backwards_,
                             .kernel = kernel_->f32(),
                             .recurrent_kernel = recurrent_kernel_->f32(),
                             .input_bias = input_bias_ ? input_bias_->f32() : nullptr,
                             .recurrent_bias = recurrent_bias_ ? recurrent_bias_->f32() : nullptr};
    KGATE_ASSIGN_OR_RETURN(plan->fused_, DnnlRecurrence::Create(spec, batch, steps, StepThreads(batch * u * width)));
    plan->scratch_floats_ = RoundUp(plan->fused_->scratch_bytes() / static_cast<int64_t>(sizeof(float)));
    return plan;
  }
  KGATE_ASSIGN_OR_RETURN(plan->input_projection_,
                         kernels::Matmul::Create({1, 1, batch * steps, features_, width, input_bias_ != nullptr}));
  // The per-step primitives are made for the team they will run with (see Run).
  kernels::ScopedOmpThreads step_threads(StepThreads(batch * u * width));
  if (batch * u * n >= kDnnlRecurrentMacs) {
    KGATE_ASSIGN_OR_RETURN(plan->recurrent_,
                           kernels::Matmul::Create({1, 1, batch, u, n, recurrent_bias_ != nullptr}));
  }
  if (split_gru && batch * u * u >= kDnnlRecurrentMacs) {
    KGATE_ASSIGN_OR_RETURN(plan->reset_state_, kernels::Matmul::Create({1, 1, batch, u, u, false}));
  }
  KGATE_ASSIGN_OR_RETURN(plan->activation_, GateActivation::Create(activation_, batch, u));
  KGATE_ASSIGN_OR_RETURN(plan->recurrent_activation_, GateActivation::Create(recurrent_activation_, batch, u));
  plan->scratch_floats_ = RoundUp(batch * steps * width) + RoundUp(batch * n) + kRowVectors * RoundUp(batch * u);
  plan->scratchpad_bytes_ = plan->input_projection_.scratchpad_bytes();
  for (const std::optional<kernels::Matmul>* mm : {&plan->recurrent_, &plan->reset_state_}) {
    if (mm->has_value()) plan->scratchpad_bytes_ = std::max(plan->scratchpad_bytes_, (*mm)->scratchpad_bytes());
  }
  return plan;
}

int64_t RecurrentPlan::macs() const {
  return batch_ * steps_ * (cell_->features() + cell_->units()) * cell_->gates() * cell_->units();
}

absl::Status RecurrentPlan::RecurrentProduct(const std::optional<kernels::Matmul>& mm, const float* h,
                                             const float* u, const float* bias, int64_t k, int64_t n,
                                             float* out, void* scratchpad) const {
  if (mm.has_value()) return mm->Run(h, u, bias, out, scratchpad);
  for (int64_t b = 0; b < batch_; ++b) {
    float* o = out + b * n;
    if (bias != nullptr) {
      std::memcpy(o, bias, n * sizeof(float));
    } else {
      std::fill(o, o + n, 0.f);
    }
    const float* hb = h + b * k;
    for (int64_t kk = 0; kk < k; ++kk) {
      const float hv = hb[kk];
      const float* row = u + kk * n;
      for (int64_t j = 0; j < n; ++j) o[j] += hv * row[j];
    }
  }
  return absl::OkStatus();
}

absl::Status RecurrentPlan::Step(int64_t t, const RecurrentIo& io, const Scratch& s) const {
  const RecurrentCell& cell = *cell_;
  const int64_t u = cell.units_, width = cell.gates() * u, bu = batch_ * u;
  const int64_t time = cell.go_backwards_ ? steps_ - 1 - t : t;
  const bool split_gru = cell.kind_ == CellKind::kGru && !cell.reset_after_;
  const int64_t n = split_gru ? 2 * u : width;
  KGATE_RETURN_IF_ERROR(RecurrentProduct(recurrent_, s.h, cell.recurrent_kernel_->f32(),
                                         cell.recurrent_bias_ ? cell.recurrent_bias_->f32() : nullptr, u, n,
                                         s.product, s.scratchpad));
  // Pre-activations of the gates that depend only on x and h·U.
  const int64_t direct = cell.kind_ == CellKind::kGru ? 2 : cell.gates();
  for (int64_t b = 0; b < batch_; ++b) {
    const float* x = s.projected + (b * steps_ + time) * width;
    const float* m = s.product + b * n;
    for (int64_t g = 0; g < direct; ++g) {
      float* dst = s.gate[g] + b * u;
      for (int64_t j = 0; j < u; ++j) dst[j] = x[g * u + j] + m[g * u + j];
    }
  }
  const GateActivation& act = activation_;
  const GateActivation& rec = recurrent_activation_;
  switch (cell.kind_) {
    case CellKind::kSimpleRnn:
      KGATE_RETURN_IF_ERROR(act.Apply(s.gate[0]));
      std::memcpy(s.new_h, s.gate[0], bu * sizeof(float));
      break;
    case CellKind::kLstm: {
      // Gates i, f, c, o.
      KGATE_RETURN_IF_ERROR(rec.Apply(s.gate[0]));
      KGATE_RETURN_IF_ERROR(rec.Apply(s.gate[1]));
      KGATE_RETURN_IF_ERROR(act.Apply(s.gate[2]));
      KGATE_RETURN_IF_ERROR(rec.Apply(s.gate[3]));
      for (int64_t i = 0; i < bu; ++i) s.new_c[i] = s.gate[1][i] * s.c[i] + s.gate[0][i] * s.gate[2][i];
      std::memcpy(s.activated_c, s.new_c, bu * sizeof(float));
      KGATE_RETURN_IF_ERROR(act.Apply(s.activated_c));
      for (int64_t i = 0; i < bu; ++i) s.new_h[i] = s.gate[3][i] * s.activated_c[i];
      break;
    }
    case CellKind::kGru: {
      // Gates z, r, then the candidate hh.
      KGATE_RETURN_IF_ERROR(rec.Apply(s.gate[0]));
      KGATE_RETURN_IF_ERROR(rec.Apply(s.gate[1]));
      const float* r = s.gate[1];
      if (split_gru) {
        for (int64_t i = 0; i < bu; ++i) s.reset_h[i] = r[i] * s.h[i];
        KGATE_RETURN_IF_ERROR(
            RecurrentProduct(reset_state_, s.reset_h, cell.candidate_kernel_->f32(), nullptr, u, u, s.candidate,
                             s.scratchpad));
      }
      for (int64_t b = 0; b < batch_; ++b) {
        const float* x = s.projected + (b * steps_ + time) * width + 2 * u;
        float* dst = s.gate[2] + b * u;
        const float* rb = r + b * u;
        if (split_gru) {
          const float* cand = s.candidate + b * u;
          for (int64_t j = 0; j < u; ++j) dst[j] = x[j] + cand[j];
        } else {
          const float* m = s.product + b * n + 2 * u;
          for (int64_t j = 0; j < u; ++j) dst[j] = x[j] + rb[j] * m[j];
        }
      }
      KGATE_RETURN_IF_ERROR(act.Apply(s.gate[2]));
      const float* z = s.gate[0];
      for (int64_t i = 0; i < bu; ++i) s.new_h[i] = z[i] * s.h[i] + (1.f - z[i]) * s.gate[2][i];
      break;
    }
  }

  // Masked rows keep their states; then the outputs.
  const bool lstm = cell.kind_ == CellKind::kLstm;
  for (int64_t b = 0; b < batch_; ++b) {
    float* h = s.h + b * u;
    const float* out = s.new_h + b * u;
    const bool keep = io.mask == nullptr || LoadAsFloat(*io.mask, b * steps_ + time) != 0.f;
    if (keep) {
      std::memcpy(h, out, u * sizeof(float));
      if (lstm) std::memcpy(s.c + b * u, s.new_c + b * u, u * sizeof(float));
    } else if (cell.unroll_) {
      out = s.previous + b * u;
    } else {
      out = cell.zero_output_for_mask_ ? s.zeros : h;
    }
    if (io.mask != nullptr && cell.unroll_) std::memcpy(s.previous + b * u, out, u * sizeof(float));
    io.sequence_out.Write(b, io.sequence_out.reversed ? steps_ - 1 - t : t, out, u);
    if (t == steps_ - 1) io.last_out.Write(b, 0, out, u);
  }
  return absl::OkStatus();
}

absl::Status RecurrentPlan::Run(RunContext& ctx, const RecurrentIo& io, float* scratch) const {
  if (fused_ != nullptr) {
    KGATE_RETURN_IF_ERROR(ctx.CheckDeadline());
    return fused_->Run(io, scratch);
  }
  const RecurrentCell& cell = *cell_;
  const int64_t u = cell.units_, width = cell.gates() * u, bu = batch_ * u;
  const int64_t n = cell.kind_ == CellKind::kGru && !cell.reset_after_ ? 2 * u : width;
  Scratch s;
  float* p = scratch;
  auto take = [&p](int64_t count) {
    float* out = p;
    p += RoundUp(count);
    return out;
  };
  s.projected = take(batch_ * steps_ * width);
  s.product = take(batch_ * n);
  for (float** v : {&s.h, &s.c, &s.previous, &s.candidate, &s.reset_h, &s.gate[0], &s.gate[1], &s.gate[2],
                    &s.gate[3], &s.new_h, &s.new_c, &s.activated_c, &s.zeros}) {
    *v = take(bu);
  }
  s.scratchpad = reinterpret_cast<char*>(scratch) + FloatBytes();
  std::fill(s.zeros, s.zeros + bu, 0.f);
  std::fill(s.previous, s.previous + bu, 0.f);
  for (int i = 0; i < cell.state_count(); ++i) {
    float* state = i == 0 ? s.h : s.c;
    if (io.initial_states.empty()) {
      std::fill(state, state + bu, 0.f);
    } else {
      std::memcpy(state, io.initial_states[i].f32(), bu * sizeof(float));
    }
  }
  KGATE_RETURN_IF_ERROR(input_projection_.Run(io.sequence, cell.kernel_->f32(),
                                              cell.input_bias_ ? cell.input_bias_->f32() : nullptr, s.projected,
                                              s.scratchpad));
  kernels::ScopedOmpThreads threads(StepThreads(batch_ * u * width));
  for (int64_t t = 0; t < steps_; ++t) {
    if (t % kStepsPerDeadlineCheck == kStepsPerDeadlineCheck - 1) KGATE_RETURN_IF_ERROR(ctx.CheckDeadline());
    KGATE_RETURN_IF_ERROR(Step(t, io, s));
  }
  for (int i = 0; i < cell.state_count(); ++i) {
    const float* state = i == 0 ? s.h : s.c;
    for (int64_t b = 0; b < batch_; ++b) io.states_out[i].Write(b, 0, state + b * u, u);
  }
  return absl::OkStatus();
}

}  // namespace kgate::engine::ops
