#include "engine/plan.h"

#include <algorithm>
#include <numeric>
#include <utility>

#include "engine/align.h"
#include "util/status_macros.h"
#include "util/strings.h"

namespace kgate::engine {
namespace {

constexpr size_t kMaxPooledArenas = 4;

bool IsConcrete(const Dims& d) {
  return std::all_of(d.begin(), d.end(), [](int64_t x) { return x >= 0; });
}

// Runs the layer's Keras shape rule on the step's concrete input shapes, as
// the layer saw them: a folded ZeroPadding's zeros added back, a folded
// residual (the last input) left out.
absl::StatusOr<std::vector<graph::TensorSpec>> InferStep(const Program& program, const Step& step,
                                                         const Plan& plan) {
  std::vector<graph::TensorSpec> in;
  for (int v : step.inputs) {
    in.push_back(graph::TensorSpec{program.values()[v].spec.dtype, plan.shapes[v]});
  }
  if (step.has_epilogue && step.epilogue.residual) in.pop_back();
  const std::vector<int64_t>& pad = step.epilogue.input_padding;
  if (step.has_epilogue && !pad.empty()) {
    Dims& d = in[0].shape;
    const size_t axes = pad.size() / 2;
    if (d.size() != axes + 2) return absl::InternalError("a folded ZeroPadding does not match its input's rank");
    const bool channels_first = step.layer->attrs.GetString("data_format", "channels_last") == "channels_first";
    for (size_t i = 0; i < axes; ++i) d[(channels_first ? 2 : 1) + i] += pad[2 * i] + pad[2 * i + 1];
  }
  std::vector<graph::TensorSpec> out;
  KGATE_RETURN_IF_ERROR(step.graph->infer_shapes(*step.layer, in, *step.node, &out));
  return out;
}

// Which value's storage each value uses (itself, or what it aliases).
int Root(const std::vector<int>& alias_of, int v) {
  while (alias_of[v] >= 0) v = alias_of[v];
  return v;
}

// Whether step `s` may write its output over `input` (Op::InPlaceInput):
// that input lives in the arena, is not a model output, and neither it nor
// any view of it is read after step s or by another input of step s.
bool CanOverwrite(const Program& program, const Plan& plan, const std::vector<int>& alias_of,
                  const std::vector<int>& last_read, size_t s, int input) {
  const int root = Root(alias_of, input);
  if (plan.external[root] >= 0 || program.values()[root].producer < 0) return false;
  for (int v : program.outputs()) {
    if (Root(alias_of, v) == root) return false;
  }
  int readers_here = 0;
  for (int v : program.steps()[s].inputs) readers_here += Root(alias_of, v) == root ? 1 : 0;
  if (readers_here != 1) return false;
  for (size_t v = 0; v < alias_of.size(); ++v) {
    if (last_read[v] > static_cast<int>(s) && Root(alias_of, static_cast<int>(v)) == root) return false;
  }
  return true;
}

}  // namespace

absl::StatusOr<std::unique_ptr<Plan>> Plan::Create(const Program& program, std::vector<Dims> input_shapes) {
  const auto& values = program.values();
  const auto& steps = program.steps();
  auto plan = std::make_unique<Plan>();
  plan->shapes.resize(values.size());
  plan->dtypes.resize(values.size());
  plan->external.assign(values.size(), -1);
  plan->offsets.assign(values.size(), -1);
  std::vector<int> alias_of(values.size(), -1);
  // Outputs written over an input in place: they share its storage like a
  // view, but their step runs.
  std::vector<bool> in_place(values.size(), false);
  std::vector<int> last_read(values.size(), -1);
  for (size_t s = 0; s < steps.size(); ++s) {
    for (int v : steps[s].inputs) last_read[v] = static_cast<int>(s);
  }

  for (size_t i = 0; i < program.inputs().size(); ++i) {
    const int v = program.inputs()[i];
    plan->shapes[v] = input_shapes[i];
    plan->dtypes[v] = StorageType(values[v].spec.dtype);
    plan->external[v] = static_cast<int>(i);
  }
  plan->input_shapes = std::move(input_shapes);

  // Shapes, then prepared ops, in step order.
  for (size_t s = 0; s < steps.size(); ++s) {
    const Step& step = steps[s];
    KGATE_ASSIGN_OR_RETURN(std::vector<graph::TensorSpec> out, InferStep(program, step, *plan));
    // A fused step lists only its last output; the shapes agree (the folded
    // layers keep the shape).
    if (out.size() < step.outputs.size()) {
      return absl::InternalError(util::StrCat("layer '", step.layer->name, "': shape inference gave ", out.size(),
                                              " outputs, expected ", step.outputs.size()));
    }
    std::vector<Dims> in_dims, out_dims;
    for (int v : step.inputs) in_dims.push_back(plan->shapes[v]);
    {
      std::vector<Dims> refined;
      for (const graph::TensorSpec& o : out) refined.push_back(o.shape);
      step.op->RefineOutputShapes(in_dims, refined);
      for (size_t o = 0; o < out.size(); ++o) out[o].shape = std::move(refined[o]);
    }
    for (size_t o = 0; o < step.outputs.size(); ++o) {
      const int v = step.outputs[o];
      if (!IsConcrete(out[o].shape)) {
        return absl::InvalidArgumentError(util::StrCat("layer '", step.layer->name, "': output shape ",
                                                       graph::ShapeString(out[o].shape),
                                                       " is not fully determined by the inputs"));
      }
      plan->shapes[v] = out[o].shape;
      plan->dtypes[v] = StorageType(values[v].spec.dtype);
      out_dims.push_back(out[o].shape);
      const int a = step.op->AliasedInput(static_cast<int>(o));
      if (a >= 0 && static_cast<size_t>(a) < step.inputs.size() &&
          plan->dtypes[step.inputs[a]] == plan->dtypes[v] &&
          NumElements(plan->shapes[step.inputs[a]]) == NumElements(out[o].shape)) {
        alias_of[v] = step.inputs[a];
      }
      const int p = step.op->InPlaceInput(static_cast<int>(o));
      if (a < 0 && p >= 0 && static_cast<size_t>(p) < step.inputs.size() &&
          plan->dtypes[step.inputs[p]] == plan->dtypes[v] &&
          NumElements(plan->shapes[step.inputs[p]]) == NumElements(out[o].shape) &&
          CanOverwrite(program, *plan, alias_of, last_read, s, step.inputs[p])) {
        alias_of[v] = step.inputs[p];
        in_place[v] = true;
      }
    }
    auto is_view = [&](int v) { return alias_of[v] >= 0 && !in_place[v]; };
    if (std::all_of(step.outputs.begin(), step.outputs.end(), is_view)) {
      plan->prepared.push_back(nullptr);
      continue;
    }
    if (std::any_of(step.outputs.begin(), step.outputs.end(), is_view)) {
      return absl::InternalError(util::StrCat("layer '", step.layer->name, "': partially aliasing ops are not supported"));
    }
    KGATE_ASSIGN_OR_RETURN(std::unique_ptr<PreparedOp> prepared, step.op->Prepare(in_dims, out_dims));
    plan->stats.scratch_bytes = std::max(plan->stats.scratch_bytes, AlignUp(prepared->scratch_bytes()));
    plan->prepared.push_back(std::move(prepared));
    ++plan->stats.steps;
  }

  // Lifetimes of storage roots: [first write, last read]; outputs live to the end.
  const int end = static_cast<int>(steps.size());
  std::vector<int> first(values.size(), end), last(values.size(), -1);
  for (size_t s = 0; s < steps.size(); ++s) {
    for (int v : steps[s].outputs) {
      const int r = Root(alias_of, v);
      first[r] = std::min(first[r], static_cast<int>(s));
      last[r] = std::max(last[r], static_cast<int>(s));
    }
    for (int v : steps[s].inputs) {
      const int r = Root(alias_of, v);
      last[r] = std::max(last[r], static_cast<int>(s));
    }
  }
  for (int v : program.outputs()) last[Root(alias_of, v)] = end;

  // Greedy placement, largest first, at the lowest offset that does not
  // overlap a placed buffer alive at the same time.
  std::vector<int> roots;
  for (size_t v = 0; v < values.size(); ++v) {
    if (alias_of[v] < 0 && plan->external[v] < 0 && values[v].producer >= 0) roots.push_back(static_cast<int>(v));
  }
  auto bytes = [&](int v) {
    return AlignUp(NumElements(plan->shapes[v]) * static_cast<int64_t>(util::DTypeSize(plan->dtypes[v])));
  };
  std::stable_sort(roots.begin(), roots.end(), [&](int a, int b) { return bytes(a) > bytes(b); });
  std::vector<int> placed;
  for (int v : roots) {
    plan->stats.naive_bytes += bytes(v);
    std::vector<std::pair<int64_t, int64_t>> busy;
    for (int p : placed) {
      if (first[p] <= last[v] && first[v] <= last[p]) busy.emplace_back(plan->offsets[p], plan->offsets[p] + bytes(p));
    }
    std::sort(busy.begin(), busy.end());
    int64_t offset = 0;
    for (const auto& [lo, hi] : busy) {
      if (offset + bytes(v) <= lo) break;
      offset = std::max(offset, hi);
    }
    plan->offsets[v] = offset;
    plan->stats.arena_bytes = std::max(plan->stats.arena_bytes, offset + bytes(v));
    placed.push_back(v);
  }
  // Aliases resolve to their root's storage.
  for (size_t v = 0; v < values.size(); ++v) {
    if (alias_of[v] < 0) continue;
    const int r = Root(alias_of, static_cast<int>(v));
    plan->offsets[v] = plan->offsets[r];
    plan->external[v] = plan->external[r];
  }
  return plan;
}

AlignedBuffer Plan::AcquireArena() const {
  {
    std::lock_guard<std::mutex> lock(pool_mu_);
    if (!pool_.empty()) {
      AlignedBuffer b = std::move(pool_.back());
      pool_.pop_back();
      return b;
    }
  }
  return AlignedBuffer(static_cast<size_t>(stats.arena_bytes + stats.scratch_bytes));
}

void Plan::ReleaseArena(AlignedBuffer buffer) const {
  std::lock_guard<std::mutex> lock(pool_mu_);
  if (pool_.size() < kMaxPooledArenas) pool_.push_back(std::move(buffer));
}

}  // namespace kgate::engine
