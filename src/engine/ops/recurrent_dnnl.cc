#include "engine/ops/recurrent_dnnl.h"

#include <algorithm>
#include <cstring>
#include <string>
#include <unordered_map>
#include <utility>

#include "engine/align.h"
#include "engine/kernels/dnnl_context.h"
#include "engine/kernels/omp_threads.h"
#include "util/status_macros.h"

namespace kgate::engine::ops {
namespace {

using dnnl::memory;
using Tag = memory::format_tag;

int64_t Gates(CellKind kind) { return kind == CellKind::kLstm ? 4 : kind == CellKind::kGru ? 3 : 1; }

// Copies plain (l=1, d=1) weights of `dims` into the primitive's layout.
memory Reordered(const float* plain, const memory::dims& dims, Tag tag, const memory::desc& layout) {
  memory source(memory::desc(dims, memory::data_type::f32, tag), kernels::CpuEngine(), const_cast<float*>(plain));
  memory target(layout, kernels::CpuEngine());
  dnnl::stream stream(kernels::CpuEngine());
  dnnl::reorder(source, target).execute(stream, source, target);
  stream.wait();
  return target;
}

// oneDNN's bias (gates' * units): Keras's input bias, and for the GRU the
// recurrent bias of z and r added in and that of h as a fourth gate (the
// one inside r * (h·U_h + b)).
std::vector<float> FusedBias(const FusedCellSpec& spec) {
  const int64_t u = spec.units, width = Gates(spec.kind) * u;
  const bool gru = spec.kind == CellKind::kGru;
  std::vector<float> bias(width + (gru ? u : 0), 0.f);
  if (spec.input_bias != nullptr) std::copy(spec.input_bias, spec.input_bias + width, bias.begin());
  if (gru && spec.recurrent_bias != nullptr) {
    for (int64_t i = 0; i < 2 * u; ++i) bias[i] += spec.recurrent_bias[i];
    std::copy(spec.recurrent_bias + 2 * u, spec.recurrent_bias + 3 * u, bias.begin() + width);
  }
  return bias;
}

}  // namespace

bool FusedRecurrenceApplies(CellKind kind, const std::string& activation, const std::string& recurrent_activation,
                            bool reset_after, bool masked) {
  if (masked || activation != "tanh") return false;
  switch (kind) {
    case CellKind::kSimpleRnn: return true;
    case CellKind::kLstm: return recurrent_activation == "sigmoid";
    case CellKind::kGru: return reset_after && recurrent_activation == "sigmoid";
  }
  return false;
}

absl::StatusOr<std::unique_ptr<DnnlRecurrence>> DnnlRecurrence::Create(const FusedCellSpec& spec, int64_t batch,
                                                                       int64_t steps, int threads) {
  auto r = std::unique_ptr<DnnlRecurrence>(new DnnlRecurrence());
  r->kind_ = spec.kind;
  r->units_ = spec.units;
  r->batch_ = batch;
  r->steps_ = steps;
  r->go_backwards_ = spec.go_backwards;
  r->threads_ = threads;
  const int64_t u = spec.units, gates = Gates(spec.kind);
  const std::vector<float> bias = FusedBias(spec);
  kernels::ScopedOmpThreads team(threads);
  KGATE_RETURN_IF_ERROR(kernels::DnnlCall("recurrent primitive", [&] {
    const auto f32 = memory::data_type::f32;
    r->src_layer_ = memory::desc({steps, batch, spec.features}, f32, Tag::ntc);
    r->dst_layer_ = memory::desc({steps, batch, u}, f32, Tag::tnc);
    r->state_ = memory::desc({1, 1, batch, u}, f32, Tag::ldnc);
    const memory::desc wl_any({1, 1, spec.features, gates, u}, f32, Tag::any);
    const memory::desc wi_any({1, 1, u, gates, u}, f32, Tag::any);
    const memory::desc bias_md({1, 1, static_cast<int64_t>(bias.size()) / u, u}, f32, Tag::ldgo);
    const auto prop = dnnl::prop_kind::forward_inference;
    const auto dir = spec.go_backwards ? dnnl::rnn_direction::unidirectional_right2left
                                       : dnnl::rnn_direction::unidirectional_left2right;
    dnnl::primitive_attr attr;
    attr.set_scratchpad_mode(dnnl::scratchpad_mode::user);
    memory::desc wl, wi;
    auto take = [&](const auto& pd) {
      r->primitive_ = dnnl::primitive(pd);
      wl = pd.weights_layer_desc();
      wi = pd.weights_iter_desc();
      r->scratchpad_ = pd.scratchpad_desc();
    };
    const dnnl::engine& engine = kernels::CpuEngine();
    switch (spec.kind) {
      case CellKind::kLstm:
        take(dnnl::lstm_forward::primitive_desc(
            dnnl::lstm_forward::desc(prop, dir, r->src_layer_, r->state_, r->state_, wl_any, wi_any, bias_md,
                                     r->dst_layer_, r->state_, r->state_),
            attr, engine));
        break;
      case CellKind::kGru:
        take(dnnl::lbr_gru_forward::primitive_desc(
            dnnl::lbr_gru_forward::desc(prop, dir, r->src_layer_, r->state_, wl_any, wi_any, bias_md, r->dst_layer_,
                                        r->state_),
            attr, engine));
        break;
      case CellKind::kSimpleRnn:
        take(dnnl::vanilla_rnn_forward::primitive_desc(
            dnnl::vanilla_rnn_forward::desc(prop, dnnl::algorithm::eltwise_tanh, dir, r->src_layer_, r->state_,
                                            wl_any, wi_any, bias_md, r->dst_layer_, r->state_),
            attr, engine));
        break;
    }
    r->weights_layer_ = Reordered(spec.kernel, {1, 1, spec.features, gates, u}, Tag::ldigo, wl);
    r->weights_iter_ = Reordered(spec.recurrent_kernel, {1, 1, u, gates, u}, Tag::ldigo, wi);
    r->bias_ = memory(bias_md, kernels::CpuEngine());
    std::memcpy(r->bias_.get_data_handle(), bias.data(), bias.size() * sizeof(float));
  }));
  const int64_t state_bytes = AlignUp(batch * u * static_cast<int64_t>(sizeof(float)));
  r->dst_layer_at_ = AlignUp(static_cast<int64_t>(r->scratchpad_.get_size()));
  r->h_at_ = r->dst_layer_at_ + AlignUp(static_cast<int64_t>(r->dst_layer_.get_size()));
  r->c_at_ = r->h_at_ + state_bytes;
  r->zeros_at_ = r->c_at_ + state_bytes;
  r->scratch_bytes_ = r->zeros_at_ + state_bytes;
  return r;
}

absl::Status DnnlRecurrence::Run(const RecurrentIo& io, void* scratch) const {
  uint8_t* base = static_cast<uint8_t*>(scratch);
  const int64_t u = units_, bu = batch_ * u;
  auto* zeros = reinterpret_cast<float*>(base + zeros_at_);
  std::fill(zeros, zeros + bu, 0.f);
  auto* dst = reinterpret_cast<float*>(base + dst_layer_at_);
  auto* h = reinterpret_cast<float*>(base + h_at_);
  auto* c = reinterpret_cast<float*>(base + c_at_);
  auto initial = [&](size_t i) {
    return i < io.initial_states.size() ? const_cast<float*>(io.initial_states[i].f32()) : zeros;
  };
  std::unordered_map<int, memory> args;
  KGATE_RETURN_IF_ERROR(kernels::DnnlCall("recurrent memory", [&] {
    args.emplace(DNNL_ARG_SRC_LAYER, kernels::Wrap(src_layer_, const_cast<float*>(io.sequence)));
    args.emplace(DNNL_ARG_SRC_ITER, kernels::Wrap(state_, initial(0)));
    args.emplace(DNNL_ARG_WEIGHTS_LAYER, weights_layer_);
    args.emplace(DNNL_ARG_WEIGHTS_ITER, weights_iter_);
    args.emplace(DNNL_ARG_BIAS, bias_);
    args.emplace(DNNL_ARG_DST_LAYER, kernels::Wrap(dst_layer_, dst));
    args.emplace(DNNL_ARG_DST_ITER, kernels::Wrap(state_, h));
    if (kind_ == CellKind::kLstm) {
      args.emplace(DNNL_ARG_SRC_ITER_C, kernels::Wrap(state_, initial(1)));
      args.emplace(DNNL_ARG_DST_ITER_C, kernels::Wrap(state_, c));
    }
    args.emplace(DNNL_ARG_SCRATCHPAD, kernels::Wrap(scratchpad_, base));
  }));
  {
    kernels::ScopedOmpThreads team(threads_);
    KGATE_RETURN_IF_ERROR(kernels::Execute("recurrent", primitive_, args));
  }
  // oneDNN stores the output of input step `time`; Keras emits processing order.
  if (io.sequence_out.data != nullptr) {
    for (int64_t t = 0; t < steps_; ++t) {
      const int64_t time = go_backwards_ ? steps_ - 1 - t : t;
      const int64_t at = io.sequence_out.reversed ? steps_ - 1 - t : t;
      for (int64_t b = 0; b < batch_; ++b) io.sequence_out.Write(b, at, dst + (time * batch_ + b) * u, u);
    }
  }
  for (int64_t b = 0; b < batch_; ++b) {
    io.last_out.Write(b, 0, h + b * u, u);
    io.states_out[0].Write(b, 0, h + b * u, u);
    if (kind_ == CellKind::kLstm) io.states_out[1].Write(b, 0, c + b * u, u);
  }
  return absl::OkStatus();
}

}  // namespace kgate::engine::ops
