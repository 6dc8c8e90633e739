// MultiHeadAttention as keras/src/layers/attention/multi_head_attention.py
// (Keras 3.15, JAX backend) computes it at inference. The four einsum
// projections that Keras builds ("abc,cde->abde", "abcd,cde->abe" and their
// higher-rank forms, checked against the attrs) are plain matrix products
// over flattened axes, each one oneDNN matmul. The projected query, key and
// value are transposed so that every batch axis (batch, the non-attention
// axes, heads) leads and the attention axes follow, which makes the scores
// (batch, <other axes>, heads, <query attention axes>, <key attention axes>)
// one batched matmul in exactly Keras's score layout, and the combination
// another. Dropout is inactive at inference.
//
// Keras takes one of two softmax paths and they differ only on rows whose
// every key is masked: with a rank-3 query, no dropout and no returned
// scores it calls dot_product_attention (such a row attends uniformly to all
// keys); otherwise its masked Softmax outputs zeros for that row.
#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <memory>
#include <numeric>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "engine/align.h"
#include "engine/kernels/activation.h"
#include "engine/kernels/dnnl_context.h"
#include "engine/kernels/matmul.h"
#include "engine/kernels/omp_threads.h"
#include "engine/kernels/strided.h"
#include "engine/op_registry.h"
#include "engine/ops/attention_mask.h"
#include "engine/ops/group_weights.h"
#include "util/status_macros.h"
#include "util/strings.h"

namespace kgate::engine::ops {
namespace {

using Floats = std::shared_ptr<AlignedBuffer>;

// Whether `eq` is "<free><bound>,<bound><out>-><free><out>" with `free`,
// `bound` and `out` distinct letters (Keras's _build_proj_equation): an
// einsum that is a matrix product over flattened axes.
bool IsProjection(const std::string& eq, size_t free, size_t bound, size_t out) {
  const size_t comma = eq.find(','), arrow = eq.find("->");
  if (comma == std::string::npos || arrow == std::string::npos || arrow < comma) return false;
  const std::string x = eq.substr(0, comma), w = eq.substr(comma + 1, arrow - comma - 1), y = eq.substr(arrow + 2);
  if (x.size() != free + bound || w.size() != bound + out || y.size() != free + out) return false;
  const std::string letters = x + w.substr(bound);
  if (std::set<char>(letters.begin(), letters.end()).size() != letters.size()) return false;
  return w.compare(0, bound, x, free, bound) == 0 && y.compare(0, free, x, 0, free) == 0 &&
         y.compare(free, out, w, bound, out) == 0;
}

// One EinsumDense projection as a matrix product: (rows, in) x (in, out).
struct Projection {
  int64_t in = 0, out = 0;
  Floats kernel, bias;
};

// The projection `group` of `layer` from `in` features to `out` values, whose
// einsum binds `bound` axes of a rank-`rank` input into `out_dims` axes.
absl::StatusOr<Projection> ReadProjection(const graph::Layer& layer, std::string_view group, std::string_view key,
                                          size_t rank, size_t bound, size_t out_dims, int64_t in, int64_t out) {
  const std::string* eq = layer.attrs.Get<std::string>(util::StrCat(key, "_equation"));
  if (eq == nullptr || !IsProjection(*eq, rank - bound, bound, out_dims)) {
    return OpError(layer, util::StrCat("the ", key, " projection equation '", eq ? *eq : "",
                                       "' is not the matrix product Keras builds for a rank-", rank, " input"));
  }
  Projection p{in, out, nullptr, nullptr};
  KGATE_ASSIGN_OR_RETURN(p.kernel, CopyGroupWeight(layer, group, "kernel", in * out));
  if (layer.attrs.GetBool("use_bias", true)) {
    KGATE_ASSIGN_OR_RETURN(p.bias, CopyGroupWeight(layer, group, "bias", out));
  }
  return p;
}

// Which Run input plays which part.
struct Roles {
  int query = 0, value = 1, key = 1;
  std::vector<MaskInput> masks;
};

struct Config {
  int64_t heads = 0, key_dim = 0, value_dim = 0, out_width = 0;
  size_t rank = 0;          // of the query, value and key
  std::vector<int> axes;    // attention axes of the projected (batch, ..., heads, dim) tensors
  bool causal = false;
  int64_t sliding_window = 0;
  bool return_scores = false;
  bool uniform_when_fully_masked = false;  // Keras's dot_product_attention path
  bool gate = false;
  Projection query, key, value, gate_proj, output;
};

// Rounds a float count up to whole 64-byte lines.
int64_t Lines(int64_t floats) { return (floats + 15) / 16 * 16; }

class PreparedAttention final : public PreparedOp {
  // Scratch buffers of a run: projections, their batched (transposed)
  // layouts, scores, the attended values before and after transposing back,
  // the mask.
  enum Buffer { kQuery, kKey, kValue, kGate, kQueryT, kKeyT, kValueT, kScores, kAttendedT, kAttended, kMask, kBuffers };

 public:
  struct Shapes {
    int64_t batch = 0, q_rows = 0, k_rows = 0;  // rows of the projections (batch * free axes)
    int64_t groups = 0, tq = 0, tk = 0;         // batched attention: groups x (tq x tk)
    Dims q_proj, k_proj, v_proj;                // projected (batch, free..., heads, dim)
    std::vector<int> q_perm, k_perm, out_perm;  // to the batched layouts and back
    Dims attended;                              // q_proj permuted, with value_dim
  };

  PreparedAttention(std::shared_ptr<const Config> config, const Roles& roles, Shapes shapes, AttentionMask mask,
                    std::vector<kernels::Matmul> mm, dnnl::memory::desc softmax_desc,
                    dnnl::memory::desc softmax_scratchpad, dnnl::softmax_forward softmax)
      : config_(std::move(config)),
        roles_(roles),
        s_(std::move(shapes)),
        mask_(std::move(mask)),
        mm_(std::move(mm)),
        softmax_desc_(std::move(softmax_desc)),
        softmax_scratchpad_(std::move(softmax_scratchpad)),
        softmax_(std::move(softmax)) {
    const Config& c = *config_;
    const int64_t qp = s_.q_rows * c.heads, kp = s_.k_rows * c.heads, scores = s_.groups * s_.tq * s_.tk;
    floats_[kQuery] = floats_[kQueryT] = qp * c.key_dim;
    floats_[kKey] = floats_[kKeyT] = kp * c.key_dim;
    floats_[kValue] = floats_[kValueT] = kp * c.value_dim;
    floats_[kGate] = c.gate ? qp * c.value_dim : 0;
    floats_[kScores] = c.return_scores ? 0 : scores;  // else written straight into the output
    floats_[kAttendedT] = floats_[kAttended] = qp * c.value_dim;
    floats_[kMask] = mask_.empty() ? 0 : (scores + 3) / 4;  // bytes
    for (int64_t& n : floats_) n = Lines(n);
    // The oneDNN primitives run one after another, so they share one scratchpad after the buffers.
    buffer_bytes_ = AlignUp(std::accumulate(floats_.begin(), floats_.end(), int64_t{0}) *
                                 static_cast<int64_t>(sizeof(float)));
    scratchpad_bytes_ = static_cast<int64_t>(softmax_scratchpad_.get_size());
    for (const kernels::Matmul& m : mm_) scratchpad_bytes_ = std::max(scratchpad_bytes_, m.scratchpad_bytes());
  }
  int64_t scratch_bytes() const override { return buffer_bytes_ + scratchpad_bytes_; }

  absl::Status Run(RunContext& ctx, std::span<const Tensor> in, std::span<const Tensor> out) const override {
    const Config& c = *config_;
    std::array<float*, kBuffers> area;
    float* p = static_cast<float*>(ctx.scratch());
    for (int i = 0; i < kBuffers; ++i) {
      area[i] = p;
      p += floats_[i];
    }
    float *q = area[kQuery], *k = area[kKey], *v = area[kValue], *gate = area[kGate];
    float *qt = area[kQueryT], *kt = area[kKeyT], *vt = area[kValueT];
    float* scores = c.return_scores ? out[1].f32() : area[kScores];
    float *attended_t = area[kAttendedT], *attended = area[kAttended];
    uint8_t* mask = reinterpret_cast<uint8_t*>(area[kMask]);
    void* scratchpad = ctx.scratch_at(buffer_bytes_);

    const Projection* proj[] = {&c.query, &c.key, &c.value, &c.gate_proj, &c.output};
    auto project = [&](int i, const float* x, float* y) {
      return mm_[i].Run(x, proj[i]->kernel->f32(), proj[i]->bias ? proj[i]->bias->f32() : nullptr, y, scratchpad);
    };
    KGATE_RETURN_IF_ERROR(project(0, in[roles_.query].f32(), q));
    KGATE_RETURN_IF_ERROR(project(1, in[roles_.key].f32(), k));
    KGATE_RETURN_IF_ERROR(project(2, in[roles_.value].f32(), v));
    if (c.gate) KGATE_RETURN_IF_ERROR(project(3, in[roles_.query].f32(), gate));

    // Keras scales the projected query by 1/sqrt(key_dim) (a float32 constant).
    const float scale = static_cast<float>(1.0 / std::sqrt(static_cast<double>(c.key_dim)));
    const int64_t nq = s_.q_rows * c.heads * c.key_dim;
    for (int64_t i = 0; i < nq; ++i) q[i] *= scale;
    kernels::Transpose(q, s_.q_proj, s_.q_perm, sizeof(float), qt);
    kernels::Transpose(k, s_.k_proj, s_.k_perm, sizeof(float), kt);
    kernels::Transpose(v, s_.v_proj, s_.q_perm, sizeof(float), vt);
    KGATE_RETURN_IF_ERROR(mm_[5].Run(qt, kt, nullptr, scores, scratchpad));
    KGATE_RETURN_IF_ERROR(ctx.CheckDeadline());
    if (!mask_.empty()) mask_.Fill(in, mask);
    KGATE_RETURN_IF_ERROR(MaskedSoftmax(scores, mask_.empty() ? nullptr : mask, scratchpad));
    KGATE_RETURN_IF_ERROR(mm_[6].Run(scores, vt, nullptr, attended_t, scratchpad));
    kernels::Transpose(attended_t, s_.attended, s_.out_perm, sizeof(float), attended);
    if (c.gate) {
      const int64_t n = s_.q_rows * c.heads * c.value_dim;
      for (int64_t i = 0; i < n; ++i) attended[i] *= gate[i];
    }
    return project(4, attended, out[0].f32());
  }

 private:
  // Softmax over every row of tk scores (oneDNN, vectorised); masked scores
  // get probability 0. Masked scores are first set to JAX's large negative
  // logit, so a row with every key masked comes out uniform, which is what
  // dot_product_attention gives; Keras's masked Softmax zeroes such rows.
  absl::Status MaskedSoftmax(float* scores, const uint8_t* mask, void* scratchpad) const {
    const int64_t rows = s_.groups * s_.tq, n = s_.tk;
    constexpr float kMaskedLogit = -0.7f * std::numeric_limits<float>::max();
    if (mask != nullptr) {
      for (int64_t i = 0; i < rows * n; ++i) scores[i] = mask[i] ? scores[i] : kMaskedLogit;
    }
    std::unordered_map<int, dnnl::memory> args;
    KGATE_RETURN_IF_ERROR(kernels::DnnlCall("attention softmax", [&] {
      const dnnl::memory m = kernels::Wrap(softmax_desc_, scores);
      args = {{DNNL_ARG_SRC, m}, {DNNL_ARG_DST, m}};
      if (softmax_scratchpad_.get_size() > 0) {
        args.emplace(DNNL_ARG_SCRATCHPAD, kernels::Wrap(softmax_scratchpad_, scratchpad));
      }
    }));
    {
      kernels::ScopedOmpThreads team(kernels::ThreadsForElements(rows * n));  // as when it was created
      KGATE_RETURN_IF_ERROR(kernels::Execute("attention softmax", softmax_, args));
    }
    if (mask != nullptr && !config_->uniform_when_fully_masked) {
      for (int64_t r = 0; r < rows; ++r) {
        const uint8_t* mr = mask + r * n;
        if (std::none_of(mr, mr + n, [](uint8_t keep) { return keep != 0; })) std::fill(scores + r * n, scores + (r + 1) * n, 0.f);
      }
    }
    return absl::OkStatus();
  }

  const std::shared_ptr<const Config> config_;
  const Roles roles_;
  const Shapes s_;
  const AttentionMask mask_;
  const std::vector<kernels::Matmul> mm_;  // query, key, value, gate, output projections; scores; combination
  const dnnl::memory::desc softmax_desc_;  // the scores as (rows, tk)
  const dnnl::memory::desc softmax_scratchpad_;
  const dnnl::softmax_forward softmax_;
  std::array<int64_t, kBuffers> floats_{};  // scratch floats per buffer
  int64_t buffer_bytes_ = 0;                // the buffers, aligned; then the primitives' scratchpad
  int64_t scratchpad_bytes_ = 0;
};

class AttentionOp final : public Op {
 public:
  AttentionOp(std::shared_ptr<const Config> config, Roles roles) : config_(std::move(config)), roles_(std::move(roles)) {}

  absl::StatusOr<std::unique_ptr<PreparedOp>> Prepare(std::span<const Dims> in,
                                                      std::span<const Dims> out) const override {
    const Config& c = *config_;
    const Dims& q = in[roles_.query];
    const Dims& k = in[roles_.key];
    const Dims& v = in[roles_.value];
    const size_t r = c.rank;
    if (q.size() != r || k.size() != r || v.size() != r || q.back() != c.query.in || k.back() != c.key.in ||
        v.back() != c.value.in || !std::equal(k.begin(), k.end() - 1, v.begin()) || q[0] != k[0]) {
      return absl::InvalidArgumentError(util::StrCat("MultiHeadAttention: query ", graph::ShapeString(q), ", key ",
                                                     graph::ShapeString(k), " and value ", graph::ShapeString(v),
                                                     " do not match the layer"));
    }
    PreparedAttention::Shapes s;
    s.batch = q[0];
    s.q_rows = NumElements(q) / q.back();
    s.k_rows = NumElements(k) / k.back();
    // Projected (batch, free..., heads, dim): heads at r - 1, dim at r.
    s.q_proj = Dims(q.begin(), q.end() - 1);
    s.q_proj.insert(s.q_proj.end(), {c.heads, c.key_dim});
    s.k_proj = Dims(k.begin(), k.end() - 1);
    s.k_proj.insert(s.k_proj.end(), {c.heads, c.key_dim});
    s.v_proj = s.k_proj;
    s.v_proj.back() = c.value_dim;
    std::vector<int> batch_axes = {0};
    for (int a = 1; a < static_cast<int>(r) - 1; ++a) {
      if (std::find(c.axes.begin(), c.axes.end(), a) != c.axes.end()) continue;
      if (q[a] != k[a]) {
        return absl::InvalidArgumentError(util::StrCat("MultiHeadAttention: query ", graph::ShapeString(q),
                                                       " and key ", graph::ShapeString(k), " differ on axis ", a,
                                                       ", which is not an attention axis"));
      }
      batch_axes.push_back(a);
    }
    batch_axes.push_back(static_cast<int>(r) - 1);  // heads
    s.groups = 1;
    for (int a : batch_axes) s.groups *= s.q_proj[a];
    s.tq = 1;
    s.tk = 1;
    for (int a : c.axes) {
      s.tq *= q[a];
      s.tk *= k[a];
    }
    Dims scores;
    for (int a : batch_axes) scores.push_back(s.q_proj[a]);
    for (int a : c.axes) scores.push_back(q[a]);
    for (int a : c.axes) scores.push_back(k[a]);
    // Query and value go to (groups, tq|tk, dim); key to (groups, key_dim, tk).
    s.q_perm = batch_axes;
    s.q_perm.insert(s.q_perm.end(), c.axes.begin(), c.axes.end());
    s.k_perm = batch_axes;
    s.k_perm.push_back(static_cast<int>(r));
    s.k_perm.insert(s.k_perm.end(), c.axes.begin(), c.axes.end());
    s.q_perm.push_back(static_cast<int>(r));
    s.out_perm.resize(s.q_perm.size());
    for (size_t i = 0; i < s.q_perm.size(); ++i) {
      s.attended.push_back(s.q_proj[s.q_perm[i]]);
      s.out_perm[s.q_perm[i]] = static_cast<int>(i);
    }
    s.attended.back() = c.value_dim;

    const size_t outputs = c.return_scores ? 2 : 1;
    if (out.size() != outputs || NumElements(out[0]) != s.q_rows * c.out_width ||
        (c.return_scores && out[1] != scores)) {
      return absl::InternalError("MultiHeadAttention: the planned outputs do not match the computation");
    }
    KGATE_ASSIGN_OR_RETURN(AttentionMask mask,
                           AttentionMask::Create(in, roles_.masks, c.causal, c.sliding_window, q[1], v[1],
                                                 static_cast<int>(c.axes.size()), scores));
    std::vector<kernels::Matmul> mm;
    const Projection* proj[] = {&c.query, &c.key, &c.value, &c.gate_proj, &c.output};
    const int64_t rows[] = {s.q_rows, s.k_rows, s.k_rows, s.q_rows, s.q_rows};
    for (int i = 0; i < 5; ++i) {
      if (i == 3 && !c.gate) {
        mm.emplace_back();
        continue;
      }
      const auto post = i == 3 ? kernels::AsDnnlEltwise("sigmoid") : std::nullopt;
      KGATE_ASSIGN_OR_RETURN(kernels::Matmul m, kernels::Matmul::Create({1, 1, rows[i], proj[i]->in, proj[i]->out,
                                                                         proj[i]->bias != nullptr},
                                                                        post));
      mm.push_back(std::move(m));
    }
    for (const kernels::MatmulShape& shape : {kernels::MatmulShape{s.groups, s.groups, s.tq, c.key_dim, s.tk},
                                              kernels::MatmulShape{s.groups, s.groups, s.tq, s.tk, c.value_dim}}) {
      KGATE_ASSIGN_OR_RETURN(kernels::Matmul m, kernels::Matmul::Create(shape));
      mm.push_back(std::move(m));
    }
    dnnl::memory::desc softmax_desc, softmax_scratchpad;
    dnnl::softmax_forward softmax;
    kernels::ScopedOmpThreads softmax_team(kernels::ThreadsForElements(s.groups * s.tq * s.tk));
    KGATE_RETURN_IF_ERROR(kernels::DnnlCall("attention softmax setup", [&] {
      softmax_desc = kernels::PlainDesc({s.groups * s.tq, s.tk});
      const dnnl::softmax_forward::desc desc(dnnl::prop_kind::forward_inference, softmax_desc, 1);
      dnnl::primitive_attr attr;
      attr.set_scratchpad_mode(dnnl::scratchpad_mode::user);  // per run, see kernels/matmul.h
      const dnnl::softmax_forward::primitive_desc pd(desc, attr, kernels::CpuEngine());
      softmax = dnnl::softmax_forward(pd);
      softmax_scratchpad = pd.scratchpad_desc();
    }));
    return std::unique_ptr<PreparedOp>(std::make_unique<PreparedAttention>(
        config_, roles_, std::move(s), std::move(mask), std::move(mm), std::move(softmax_desc), std::move(softmax_scratchpad),
        std::move(softmax)));
  }

 private:
  const std::shared_ptr<const Config> config_;
  const Roles roles_;
};

absl::StatusOr<Roles> ClassifyInputs(const OpContext& ctx) {
  const graph::Layer& layer = ctx.layer;
  Roles roles;
  size_t positional = 0;
  bool key_given = false;
  for (size_t i = 0; i < ctx.inputs.size(); ++i) {
    const std::string& kw = ctx.input_keywords[i];
    const int idx = static_cast<int>(i);
    if (kw.empty()) {
      if (positional == 2) {
        roles.key = idx;
        key_given = true;
      } else if (positional > 2) {
        return OpError(layer, "expected query, value and an optional key as positional inputs");
      }
      ++positional;
    } else if (kw == "key" && !key_given) {
      roles.key = idx;
      key_given = true;
    } else if (kw == "query_mask") {
      // MultiHeadAttention.call replaces its query_mask argument with the
      // query's own Keras mask, so Keras never applies a query_mask given
      // as an argument (implicit masks are not recorded in the config).
      continue;
    } else if (kw == "attention_mask" || kw == "value_mask" || kw == "key_mask") {
      const MaskRole role = kw == "attention_mask" ? MaskRole::kAttention
                            : kw == "value_mask"   ? MaskRole::kValue
                                                   : MaskRole::kKey;
      roles.masks.push_back({role, idx});
    } else {
      return OpError(layer, util::StrCat("unexpected call input '", kw, "'"));
    }
  }
  if (positional < 2) return OpError(layer, "expected query and value as positional inputs");
  for (int i : {roles.query, roles.value, roles.key}) {
    if (StorageType(ctx.inputs[i].dtype) != util::DType::kFloat32) {
      return OpError(layer, "query, value and key must be floating");
    }
  }
  return roles;
}

absl::StatusOr<std::unique_ptr<Op>> CreateMultiHeadAttention(const OpContext& ctx) {
  const graph::Layer& layer = ctx.layer;
  const graph::Attributes& a = layer.attrs;
  KGATE_ASSIGN_OR_RETURN(Roles roles, ClassifyInputs(ctx));
  auto c = std::make_shared<Config>();
  c->heads = a.GetInt("num_heads", 0);
  c->key_dim = a.GetInt("key_dim", 0);
  c->value_dim = a.GetInt("value_dim", c->key_dim);
  c->rank = ctx.inputs[roles.query].shape.size();
  const int64_t r = static_cast<int64_t>(c->rank);
  if (c->heads <= 0 || c->key_dim <= 0 || c->value_dim <= 0 || r < 3) {
    return OpError(layer, "expected positive num_heads, key_dim and value_dim and a query of rank >= 3");
  }
  for (int64_t axis : a.GetInts("attention_axes")) {
    if (axis < 1 || axis > r - 2) return OpError(layer, util::StrCat("attention axis ", axis, " is out of range"));
    c->axes.push_back(static_cast<int>(axis));
  }
  if (c->axes.empty()) return OpError(layer, "the attention axes were not resolved by the loader");
  c->causal = ctx.node.call_args.GetBool("use_causal_mask", false);
  c->sliding_window = a.GetInt("sliding_window", 0);
  c->return_scores = ctx.node.call_args.GetBool("return_attention_scores", false);
  c->uniform_when_fully_masked = a.GetFloat("dropout", 0.0) == 0.0 && !c->return_scores && r == 3;
  c->gate = a.GetBool("use_gate", false);
  const std::vector<int64_t> out_shape = a.GetInts("output_shape");
  c->out_width = out_shape.empty() ? ctx.inputs[roles.query].shape.back() : NumElements(out_shape);

  auto dim = [&](int i) { return ctx.inputs[i].shape.back(); };
  if (dim(roles.query) <= 0 || dim(roles.key) <= 0 || dim(roles.value) <= 0 || c->out_width <= 0) {
    return OpError(layer, "the feature dimensions of query, key, value and output must be known");
  }
  // Inputs (batch, ..., features) project to (batch, ..., heads, dim); the
  // attended (batch, ..., heads, value_dim) projects to the output axes.
  const size_t rank = c->rank;
  const int64_t hk = c->heads * c->key_dim, hv = c->heads * c->value_dim;
  KGATE_ASSIGN_OR_RETURN(c->query, ReadProjection(layer, "query_dense", "query", rank, 1, 2, dim(roles.query), hk));
  KGATE_ASSIGN_OR_RETURN(c->key, ReadProjection(layer, "key_dense", "key", rank, 1, 2, dim(roles.key), hk));
  KGATE_ASSIGN_OR_RETURN(c->value, ReadProjection(layer, "value_dense", "value", rank, 1, 2, dim(roles.value), hv));
  if (c->gate) {
    KGATE_ASSIGN_OR_RETURN(c->gate_proj,
                           ReadProjection(layer, "_gate_dense", "gate", rank, 1, 2, dim(roles.query), hv));
  }
  const size_t out_dims = out_shape.empty() ? 1 : out_shape.size();
  KGATE_ASSIGN_OR_RETURN(c->output, ReadProjection(layer, "output_dense", "output", rank + 1, 2, out_dims, hv,
                                                   c->out_width));
  if (ctx.outputs.size() != (c->return_scores ? 2u : 1u)) return OpError(layer, "unexpected number of outputs");
  return std::unique_ptr<Op>(std::make_unique<AttentionOp>(std::move(c), std::move(roles)));
}

constexpr OpSpec kSpecs[] = {
    {"MultiHeadAttention", &CreateMultiHeadAttention},
};

}  // namespace

std::span<const OpSpec> AttentionOps() { return kSpecs; }

}  // namespace kgate::engine::ops
