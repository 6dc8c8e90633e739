// Pooling ops. Max/AveragePooling1D/2D/3D run on oneDNN's pooling primitive
// with lax's "SAME" padding (extra element at the end); average pooling
// excludes the padding from the count, as Keras on JAX divides by a pooled
// count of ones. Global pooling reduces every spatial position per channel;
// GlobalAveragePooling1D with a "mask" leaves masked steps out of the mean
// (sum(x * mask) / sum(mask), so an all-masked row is 0/0 = NaN as in Keras).
#include <algorithm>
#include <cmath>
#include <limits>
#include <memory>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "engine/kernels/dnnl_context.h"
#include "engine/kernels/spatial_layout.h"
#include "engine/op_registry.h"
#include "engine/ops/layer_support.h"
#include "engine/kernels/omp_threads.h"
#include "util/status_macros.h"
#include "util/strings.h"

namespace kgate::engine::ops {
namespace {

using dnnl::memory;

struct PoolGeometry {
  std::vector<int64_t> window, strides;
  bool same = false;
  bool channels_first = false;
  bool max = false;
};

class PoolOp final : public Op {
 public:
  explicit PoolOp(PoolGeometry g) : g_(std::move(g)) {}

  absl::StatusOr<std::unique_ptr<PreparedOp>> Prepare(std::span<const Dims> in_dims,
                                                      std::span<const Dims> out_dims) const override {
    const size_t rank = g_.window.size();
    KGATE_ASSIGN_OR_RETURN(kernels::SpatialShape in,
                           kernels::SplitSpatial(in_dims[0], rank, g_.channels_first, "pooling input"));
    KGATE_ASSIGN_OR_RETURN(kernels::SpatialShape out,
                           kernels::SplitSpatial(out_dims[0], rank, g_.channels_first, "pooling output"));
    std::vector<int64_t> left(rank, 0), right(rank, 0);
    if (g_.same) {
      for (size_t i = 0; i < rank; ++i) {
        std::tie(left[i], right[i]) = kernels::SamePadding(in.spatial[i], out.spatial[i], g_.strides[i], g_.window[i]);
      }
    }
    struct Parts {
      dnnl::primitive primitive;
      memory::desc src, dst, scratchpad;
      int threads = 1;
    };
    auto parts = std::make_shared<Parts>();
    int64_t window = 1;
    for (int64_t w : g_.window) window *= w;
    parts->threads = kernels::ThreadsForElements(NumElements(out_dims[0]) * window);
    kernels::ScopedOmpThreads team(parts->threads);
    KGATE_RETURN_IF_ERROR(kernels::DnnlCall("pooling primitive", [&] {
      parts->src = kernels::SpatialDesc(in, g_.channels_first);
      parts->dst = kernels::SpatialDesc(out, g_.channels_first);
      dnnl::primitive_attr attr;
      attr.set_scratchpad_mode(dnnl::scratchpad_mode::user);
      dnnl::pooling_forward::desc d(
          dnnl::prop_kind::forward_inference,
          g_.max ? dnnl::algorithm::pooling_max : dnnl::algorithm::pooling_avg_exclude_padding, parts->src,
          parts->dst, kernels::AsOneDnnSpatial(g_.strides), kernels::AsOneDnnSpatial(g_.window),
          kernels::AsOneDnnSpatial(left, 0), kernels::AsOneDnnSpatial(right, 0));
      dnnl::pooling_forward::primitive_desc pd(d, attr, kernels::CpuEngine());
      parts->primitive = dnnl::pooling_forward(pd);
      parts->scratchpad = pd.scratchpad_desc();
    }));
    const auto scratch = static_cast<int64_t>(parts->scratchpad.get_size());
    return MakePrepared(
        [parts](RunContext& ctx, std::span<const Tensor> in, std::span<const Tensor> out) -> absl::Status {
          std::unordered_map<int, memory> args;
          KGATE_RETURN_IF_ERROR(kernels::DnnlCall("pooling", [&] {
            args.emplace(DNNL_ARG_SRC, kernels::Wrap(parts->src, in[0].data));
            args.emplace(DNNL_ARG_DST, kernels::Wrap(parts->dst, out[0].data));
            args.emplace(DNNL_ARG_SCRATCHPAD, kernels::Wrap(parts->scratchpad, ctx.scratch()));
          }));
          kernels::ScopedOmpThreads team(parts->threads);
          return kernels::Execute("pooling", parts->primitive, args);
        },
        scratch);
  }

 private:
  PoolGeometry g_;
};

absl::StatusOr<std::unique_ptr<Op>> CreatePool(const OpContext& ctx) {
  const graph::Layer& layer = ctx.layer;
  if (ctx.inputs.size() != 1 || !IsFloatStorage(ctx.inputs[0].dtype)) {
    return OpError(layer, "expects one floating-point input");
  }
  PoolGeometry g;
  g.window = layer.attrs.GetInts("pool_size");
  g.strides = layer.attrs.GetInts("strides");
  const std::string padding = layer.attrs.GetString("padding", "valid");
  g.same = padding == "same";
  g.channels_first = layer.attrs.GetString("data_format", "channels_last") == "channels_first";
  g.max = layer.class_name.starts_with("Max");
  const size_t rank = static_cast<size_t>(layer.attrs.GetInt("rank", 0));
  if (rank < 1 || rank > 3 || g.window.size() != rank || g.strides.size() != rank) {
    return OpError(layer, "pool_size and strides must each have one entry per spatial axis");
  }
  if (padding != "valid" && padding != "same") return OpError(layer, util::StrCat("unsupported padding '", padding, "'"));
  return std::unique_ptr<Op>(new PoolOp(std::move(g)));
}

// Global pooling over every spatial position: the input seen as (batch,
// positions, channels) for channels_last or (batch, channels, positions).
struct GlobalGeometry {
  bool max = false;
  bool channels_first = false;
  bool masked = false;  // GlobalAveragePooling1D called with a mask (input 1)
};

// The mask value of step `t` of batch row `n` as a float (Keras casts it).
float MaskAt(const Tensor& mask, int64_t i) {
  switch (mask.dtype) {
    case util::DType::kBool: return mask.b8()[i] != 0 ? 1.f : 0.f;
    case util::DType::kInt32: return static_cast<float>(mask.i32()[i]);
    default: return mask.f32()[i];
  }
}

// o[c] = combine(o[c], x[p, c], weight(p)) over every position p of one
// batch row, walking memory in order for either layout.
template <typename Combine, typename Weight>
void FoldPositions(const float* row, float* __restrict o, int64_t positions, int64_t channels, bool channels_first,
                   const Combine& combine, const Weight& weight) {
  if (channels_first) {
    for (int64_t c = 0; c < channels; ++c) {
      const float* __restrict r = row + c * positions;
      float acc = o[c];
      for (int64_t p = 0; p < positions; ++p) acc = combine(acc, r[p], weight(p));
      o[c] = acc;
    }
    return;
  }
  for (int64_t p = 0; p < positions; ++p) {
    const float* __restrict r = row + p * channels;
    const float w = weight(p);
    for (int64_t c = 0; c < channels; ++c) o[c] = combine(o[c], r[c], w);
  }
}

absl::Status RunGlobal(const GlobalGeometry& g, std::span<const Tensor> in, std::span<const Tensor> out) {
  const Tensor& x = in[0];
  const int64_t batch = x.shape[0];
  const int64_t channels = g.channels_first ? x.shape[1] : x.shape.back();
  const int64_t positions = batch * channels == 0 ? 0 : x.num_elements() / (batch * channels);
  if (g.masked && (in.size() < 2 || in[1].num_elements() != batch * positions)) {
    return absl::InternalError("the mask does not match the input's batch and steps");
  }
  const float* src = x.f32();
  float* dst = out[0].f32();
  auto one = [](int64_t) { return 1.f; };
#pragma omp parallel for schedule(static) if (kernels::ParallelOverElements(batch * channels * positions))
  for (int64_t n = 0; n < batch; ++n) {
    const float* row = src + n * channels * positions;
    float* o = dst + n * channels;
    if (g.max) {
      std::fill(o, o + channels, -std::numeric_limits<float>::infinity());
      // NaN propagates, as jnp.max does.
      FoldPositions(row, o, positions, channels, g.channels_first,
                    [](float acc, float v, float) { return v > acc || std::isnan(v) ? v : acc; }, one);
      continue;
    }
    std::fill(o, o + channels, 0.f);
    auto add = [](float acc, float v, float w) { return acc + v * w; };
    float count = static_cast<float>(positions);
    if (g.masked) {
      std::vector<float> mask(static_cast<size_t>(positions));
      count = 0.f;
      for (int64_t p = 0; p < positions; ++p) {
        mask[p] = MaskAt(in[1], n * positions + p);
        count += mask[p];
      }
      FoldPositions(row, o, positions, channels, g.channels_first, add, [&](int64_t p) { return mask[p]; });
    } else {
      FoldPositions(row, o, positions, channels, g.channels_first, add, one);
    }
    for (int64_t c = 0; c < channels; ++c) o[c] /= count;
  }
  return absl::OkStatus();
}

absl::StatusOr<std::unique_ptr<Op>> CreateGlobalPool(const OpContext& ctx) {
  if (ctx.inputs.empty() || !IsFloatStorage(ctx.inputs[0].dtype)) {
    return OpError(ctx.layer, "expects a floating-point input");
  }
  GlobalGeometry g;
  g.max = ctx.layer.class_name.starts_with("GlobalMax");
  g.channels_first = ctx.layer.attrs.GetString("data_format", "channels_last") == "channels_first";
  for (size_t i = 1; i < ctx.input_keywords.size(); ++i) {
    if (ctx.input_keywords[i] != "mask" || ctx.layer.class_name != "GlobalAveragePooling1D") {
      return OpError(ctx.layer, util::StrCat("unexpected input '", ctx.input_keywords[i], "'"));
    }
    g.masked = true;
  }
  class GlobalPoolOp final : public Op {
   public:
    explicit GlobalPoolOp(GlobalGeometry g) : g_(g) {}
    absl::StatusOr<std::unique_ptr<PreparedOp>> Prepare(std::span<const Dims>, std::span<const Dims>) const override {
      return MakePrepared([g = g_](RunContext&, std::span<const Tensor> in, std::span<const Tensor> out) {
        return RunGlobal(g, in, out);
      });
    }

   private:
    GlobalGeometry g_;
  };
  return std::unique_ptr<Op>(new GlobalPoolOp(g));
}

constexpr OpSpec kSpecs[] = {
    {"AveragePooling1D", &CreatePool},
    {"AveragePooling2D", &CreatePool},
    {"AveragePooling3D", &CreatePool},
    {"MaxPooling1D", &CreatePool},
    {"MaxPooling2D", &CreatePool},
    {"MaxPooling3D", &CreatePool},
    {"GlobalAveragePooling1D", &CreateGlobalPool},
    {"GlobalAveragePooling2D", &CreateGlobalPool},
    {"GlobalAveragePooling3D", &CreateGlobalPool},
    {"GlobalMaxPooling1D", &CreateGlobalPool},
    {"GlobalMaxPooling2D", &CreateGlobalPool},
    {"GlobalMaxPooling3D", &CreateGlobalPool},
};

}  // namespace

std::span<const OpSpec> PoolingOps() { return kSpecs; }

}  // namespace kgate::engine::ops
