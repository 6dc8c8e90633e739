// TimeDistributed (Keras 3 rnn/time_distributed.py): the wrapped layer runs
// on every time step of a (batch, T, ...) input. Keras loops over the steps;
// every layer computes batch rows independently at inference, so the engine
// runs the wrapped layer's own op once on the input viewed as (batch * T,
// ...) and views its output back as (batch, T, ...), with no copies. The
// inner op comes from the registry (engine::CreateOp) and is prepared on the
// merged shapes. Keras hands the wrapped layer the time step's mask when its
// call takes one; the mask is then viewed the same way and passed on as the
// inner op's keyword "mask".
#include <cstring>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "engine/op_registry.h"
#include "util/status_macros.h"
#include "util/strings.h"

namespace kgate::engine::ops {
namespace {

// Classes whose Keras call takes `mask` and uses it at inference.
bool TakesMask(std::string_view class_name) {
  for (std::string_view c : {"SimpleRNN", "LSTM", "GRU", "Bidirectional", "TimeDistributed", "Softmax",
                             "GlobalAveragePooling1D"}) {
    if (c == class_name) return true;
  }
  return false;
}

// (batch, T, d...) -> (batch * T, d...); unknown dims stay unknown.
Dims MergeTime(const Dims& d) {
  Dims out(d.begin() + 1, d.end());
  out[0] = d[0] < 0 || d[1] < 0 ? graph::kUnknownDim : d[0] * d[1];
  return out;
}

Tensor MergedView(const Tensor& t) { return Tensor{t.dtype, MergeTime(t.shape), t.data}; }

class TimeDistributedOp final : public Op {
 public:
  TimeDistributedOp(std::unique_ptr<Op> inner, bool pass_mask) : inner_(std::move(inner)), pass_mask_(pass_mask) {}

  int AliasedInput(int output) const override { return inner_->AliasedInput(output); }

  absl::StatusOr<std::unique_ptr<PreparedOp>> Prepare(std::span<const Dims> in,
                                                      std::span<const Dims> out) const override {
    if (in[0].size() < 3 || out.size() != 1 || out[0].size() < 2 || out[0][0] != in[0][0] ||
        out[0][1] != in[0][1] || (pass_mask_ && (in[1].size() < 2 || in[1][0] != in[0][0] || in[1][1] != in[0][1]))) {
      return absl::InvalidArgumentError(util::StrCat("TimeDistributed: input ", graph::ShapeString(in[0]),
                                                     " and output do not share (batch, steps)"));
    }
    std::vector<Dims> inner_in = {MergeTime(in[0])};
    if (pass_mask_) inner_in.push_back(MergeTime(in[1]));
    const std::vector<Dims> inner_out = {MergeTime(out[0])};
    if (inner_->AliasedInput(0) == 0) {
      // The planner could not alias (the inner op keeps the bytes): copy them.
      return MakePrepared([](RunContext&, std::span<const Tensor> i, std::span<const Tensor> o) -> absl::Status {
        if (i[0].num_bytes() != o[0].num_bytes() || i[0].dtype != o[0].dtype) {
          return absl::InternalError("TimeDistributed: the wrapped layer keeps its input, which does not fit the output");
        }
        std::memcpy(o[0].data, i[0].data, static_cast<size_t>(o[0].num_bytes()));
        return absl::OkStatus();
      });
    }
    KGATE_ASSIGN_OR_RETURN(std::unique_ptr<PreparedOp> inner, inner_->Prepare(inner_in, inner_out));
    const int64_t scratch = inner->scratch_bytes();
    std::shared_ptr<const PreparedOp> shared(std::move(inner));
    const bool pass_mask = pass_mask_;
    return MakePrepared(
        [shared, pass_mask](RunContext& ctx, std::span<const Tensor> i, std::span<const Tensor> o) {
          const Tensor views_in[2] = {MergedView(i[0]), pass_mask ? MergedView(i[1]) : Tensor{}};
          const Tensor view_out = MergedView(o[0]);
          return shared->Run(ctx, std::span(views_in, pass_mask ? 2 : 1), std::span(&view_out, 1));
        },
        scratch);
  }

 private:
  const std::unique_ptr<Op> inner_;
  const bool pass_mask_;
};

absl::StatusOr<std::unique_ptr<Op>> CreateTimeDistributed(const OpContext& ctx) {
  const graph::Layer& layer = ctx.layer;
  if (layer.sublayers.size() != 1 || layer.sublayers[0] == nullptr) return OpError(layer, "the wrapped layer is missing");
  const graph::Layer& inner = *layer.sublayers[0];
  if (ctx.inputs.empty() || !ctx.input_keywords[0].empty() || ctx.inputs[0].shape.size() < 3 ||
      ctx.outputs.size() != 1 || ctx.outputs[0].shape.size() < 2) {
    return OpError(layer, "expected one input (batch, steps, ...) and one output");
  }
  int mask = -1;
  for (size_t i = 1; i < ctx.inputs.size(); ++i) {
    if (ctx.input_keywords[i] != "mask" || mask >= 0) {
      return OpError(layer, util::StrCat("unexpected call input '", ctx.input_keywords[i], "'"));
    }
    mask = static_cast<int>(i);
  }
  const bool pass_mask = mask >= 0 && TakesMask(inner.class_name);
  if (pass_mask && ctx.inputs[mask].shape.size() < 2) return OpError(layer, "the mask must be (batch, steps, ...)");

  // The inner layer's call: the step input (and mask) without the time axis.
  graph::Node node;
  node.inputs.push_back(graph::TensorRef{});
  std::vector<graph::TensorSpec> in = {{ctx.inputs[0].dtype, MergeTime(ctx.inputs[0].shape)}};
  std::vector<std::string> keywords = {""};
  if (pass_mask) {
    node.keyword_inputs.emplace_back("mask", graph::TensorRef{});
    in.push_back({ctx.inputs[mask].dtype, MergeTime(ctx.inputs[mask].shape)});
    keywords.push_back("mask");
  }
  node.outputs = {{ctx.outputs[0].dtype, MergeTime(ctx.outputs[0].shape)}};
  const OpContext inner_ctx{inner, node, in, keywords, node.outputs, ctx.options, nullptr};
  absl::StatusOr<std::unique_ptr<Op>> op = CreateOp(inner_ctx);
  if (!op.ok()) {
    return absl::Status(op.status().code(),
                        util::StrCat("layer '", layer.name, "' (TimeDistributed): ", op.status().message()));
  }
  return std::unique_ptr<Op>(std::make_unique<TimeDistributedOp>(*std::move(op), pass_mask));
}

constexpr OpSpec kSpecs[] = {
    {"TimeDistributed", &CreateTimeDistributed},
};

}  // namespace

std::span<const OpSpec> WrapperOps() { return kSpecs; }

}  // namespace kgate::engine::ops
