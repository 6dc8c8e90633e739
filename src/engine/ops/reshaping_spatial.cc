// ZeroPadding1D/2D/3D, Cropping1D/2D/3D and UpSampling1D/2D/3D (part of the
// reshaping family). Padding, cropping and nearest upsampling are one
// gather: every output position along a spatial axis reads one input
// position (or none: a zero), independently per axis. UpSampling2D's other
// interpolations resize like jax.image.resize without antialiasing
// (kernels/image_resize.h), as Keras's
// UpSampling2D calls ops.image.resize.
#include <cstring>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "engine/kernels/image_resize.h"
#include "engine/kernels/transpose.h"
#include "engine/op_registry.h"
#include "engine/ops/layer_support.h"
#include "engine/kernels/omp_threads.h"
#include "util/status_macros.h"
#include "util/strings.h"

namespace kgate::engine::ops::reshaping_internal {
namespace {

enum class AxisMap { kPad, kCrop, kRepeat };

// The tensor as (blocks, spatial..., vector): channels_last keeps the
// channels in the vector, channels_first folds them into the blocks.
struct Blocked {
  int64_t blocks = 1, vector = 1;
  std::vector<int64_t> spatial;
};

Blocked Block(const Dims& d, size_t spatial_rank, bool channels_first) {
  Blocked b;
  b.blocks = channels_first ? d[0] * d[1] : d[0];
  b.vector = channels_first ? 1 : d.back();
  b.spatial.assign(d.end() - static_cast<int64_t>(spatial_rank) - (channels_first ? 0 : 1),
                   d.end() - (channels_first ? 0 : 1));
  return b;
}

// Along the last spatial axis, consecutive output positions that read
// consecutive input positions (or all read zeros) form one segment, copied
// (or cleared) at once.
struct Segment {
  int64_t output = 0;  // first output position
  int64_t input = 0;   // first input position; -1 = zeros
  int64_t count = 0;
};

std::vector<Segment> Segments(const std::vector<int64_t>& map) {
  std::vector<Segment> out;
  for (int64_t o = 0; o < static_cast<int64_t>(map.size()); ++o) {
    const int64_t i = map[o];
    if (!out.empty()) {
      Segment& last = out.back();
      const bool extends = last.input < 0 ? i < 0 : i == last.input + last.count;
      if (extends) {
        ++last.count;
        continue;
      }
    }
    out.push_back({o, i, 1});
  }
  return out;
}

class GatherOp final : public Op {
 public:
  GatherOp(AxisMap kind, std::vector<int64_t> amounts, bool channels_first)
      : kind_(kind), amounts_(std::move(amounts)), channels_first_(channels_first) {}

  absl::StatusOr<std::unique_ptr<PreparedOp>> Prepare(std::span<const Dims> in,
                                                      std::span<const Dims> out) const override {
    const size_t rank = kind_ == AxisMap::kRepeat ? amounts_.size() : amounts_.size() / 2;
    if (in[0].size() != rank + 2 || out[0].size() != rank + 2) {
      return absl::InternalError("padding/cropping/upsampling: unexpected rank");
    }
    Plan plan;
    plan.src = Block(in[0], rank, channels_first_);
    plan.dst = Block(out[0], rank, channels_first_);
    // Per axis, per output index: the input index, or -1 for a zero.
    for (size_t a = 0; a < rank; ++a) {
      std::vector<int64_t> map;
      for (int64_t o = 0; o < plan.dst.spatial[a]; ++o) {
        int64_t i = o;
        if (kind_ == AxisMap::kPad) i = o - amounts_[2 * a];
        if (kind_ == AxisMap::kCrop) i = o + amounts_[2 * a];
        if (kind_ == AxisMap::kRepeat) i = o / amounts_[a];
        map.push_back(i >= 0 && i < plan.src.spatial[a] ? i : -1);
      }
      if (a + 1 < rank) {
        plan.outer_maps.push_back(std::move(map));
      } else {
        plan.last = Segments(map);
      }
    }
    return MakePrepared([plan = std::move(plan)](RunContext&, std::span<const Tensor> in, std::span<const Tensor> out) {
      Run(plan, in[0], out[0]);
      return absl::OkStatus();
    });
  }

 private:
  struct Plan {
    Blocked src, dst;
    std::vector<std::vector<int64_t>> outer_maps;  // every spatial axis but the last
    std::vector<Segment> last;
  };

  static void Run(const Plan& plan, const Tensor& x, const Tensor& y) {
    const Blocked& src = plan.src;
    const Blocked& dst = plan.dst;
    const size_t outer_rank = plan.outer_maps.size();
    const size_t in_size = util::DTypeSize(x.dtype), out_size = util::DTypeSize(y.dtype);
    const int64_t src_len = src.spatial.back(), dst_len = dst.spatial.back();
    int64_t rows = dst.blocks;  // (block, outer spatial position) pairs
    for (size_t a = 0; a < outer_rank; ++a) rows *= dst.spatial[a];
    const auto* from = static_cast<const uint8_t*>(x.data);
    auto* to = static_cast<uint8_t*>(y.data);
#pragma omp parallel for schedule(static) if (kernels::ParallelOverElements(rows * dst_len * dst.vector))
    for (int64_t r = 0; r < rows; ++r) {
      // The row's block and outer position, and the input row it reads.
      int64_t rest = r, source = 0, scale = 1;
      for (size_t a = outer_rank; a-- > 0;) {
        const int64_t i = plan.outer_maps[a][rest % dst.spatial[a]];
        rest /= dst.spatial[a];
        if (source >= 0) source = i < 0 ? -1 : source + i * scale;
        scale *= src.spatial[a];
      }
      if (source >= 0) source += rest * scale;  // rest is the block
      uint8_t* row = to + r * dst_len * dst.vector * static_cast<int64_t>(out_size);
      for (const Segment& seg : plan.last) {
        uint8_t* d = row + seg.output * dst.vector * static_cast<int64_t>(out_size);
        const int64_t n = seg.count * dst.vector;
        if (source < 0 || seg.input < 0) {
          std::memset(d, 0, static_cast<size_t>(n) * out_size);
        } else {
          const int64_t at = (source * src_len + seg.input) * src.vector;
          kernels::CopyConvert(from + at * static_cast<int64_t>(in_size), x.dtype, d, y.dtype, n);
        }
      }
    }
  }

  AxisMap kind_;
  std::vector<int64_t> amounts_;  // (before, after) per axis, or factors
  bool channels_first_;
};

bool ChannelsFirst(const graph::Layer& layer) {
  return layer.attrs.GetString("data_format", "channels_last") == "channels_first";
}

template <int kRank>
absl::StatusOr<std::unique_ptr<Op>> CreatePadding(const OpContext& ctx) {
  std::vector<int64_t> p = ctx.layer.attrs.GetInts("padding");
  if (p.size() != 2 * kRank) return OpError(ctx.layer, "padding needs (before, after) per spatial axis");
  return std::unique_ptr<Op>(new GatherOp(AxisMap::kPad, std::move(p), ChannelsFirst(ctx.layer)));
}

template <int kRank>
absl::StatusOr<std::unique_ptr<Op>> CreateCropping(const OpContext& ctx) {
  std::vector<int64_t> c = ctx.layer.attrs.GetInts("cropping");
  if (c.size() != 2 * kRank) return OpError(ctx.layer, "cropping needs (before, after) per spatial axis");
  return std::unique_ptr<Op>(new GatherOp(AxisMap::kCrop, std::move(c), ChannelsFirst(ctx.layer)));
}

// UpSampling2D with an interpolating method: resize H then W.
class ResizeOp final : public Op {
 public:
  ResizeOp(kernels::ResizeMethod method, bool channels_first) : method_(method), channels_first_(channels_first) {}
  absl::StatusOr<std::unique_ptr<PreparedOp>> Prepare(std::span<const Dims> in,
                                                      std::span<const Dims> out) const override {
    if (in[0].size() != 4 || out[0].size() != 4) return absl::InternalError("UpSampling2D takes a rank-4 input");
    const Blocked src = Block(in[0], 2, channels_first_);
    const Blocked dst = Block(out[0], 2, channels_first_);
    auto rows = kernels::MakeAxisResampling(src.spatial[0], dst.spatial[0], method_, /*antialias=*/false);
    auto cols = kernels::MakeAxisResampling(src.spatial[1], dst.spatial[1], method_, /*antialias=*/false);
    const int64_t mid_bytes = src.blocks * dst.spatial[0] * src.spatial[1] * src.vector * 4;
    return MakePrepared(
        [src, dst, rows = std::move(rows), cols = std::move(cols)](RunContext& ctx, std::span<const Tensor> in,
                                                                  std::span<const Tensor> out) {
          if (in[0].dtype != util::DType::kFloat32 || out[0].dtype != util::DType::kFloat32) {
            return absl::InvalidArgumentError("UpSampling2D interpolation needs a float input");
          }
          auto* mid = static_cast<float*>(ctx.scratch());
          kernels::ResampleAxis(in[0].f32(), src.blocks, src.spatial[0], src.spatial[1] * src.vector, rows, mid);
          kernels::ResampleAxis(mid, src.blocks * dst.spatial[0], src.spatial[1], src.vector, cols, out[0].f32());
          return absl::OkStatus();
        },
        mid_bytes);
  }

 private:
  kernels::ResizeMethod method_;
  bool channels_first_;
};

template <int kRank>
absl::StatusOr<std::unique_ptr<Op>> CreateUpSampling(const OpContext& ctx) {
  std::vector<int64_t> size = ctx.layer.attrs.GetInts("size");
  if (kRank == 1) size = {ctx.layer.attrs.GetInt("size", 1)};
  if (size.size() != kRank) return OpError(ctx.layer, "size needs one factor per spatial axis");
  for (int64_t s : size) {
    if (s < 1) return OpError(ctx.layer, "size factors must be >= 1");
  }
  const std::string method = ctx.layer.attrs.GetString("interpolation", "nearest");
  if (method == "nearest") {
    return std::unique_ptr<Op>(new GatherOp(AxisMap::kRepeat, std::move(size), ChannelsFirst(ctx.layer)));
  }
  absl::StatusOr<kernels::ResizeMethod> parsed = kernels::ParseResizeMethod(method);
  if (!parsed.ok()) return OpError(ctx.layer, std::string(parsed.status().message()));
  if (!IsFloatStorage(ctx.inputs[0].dtype)) return OpError(ctx.layer, "interpolation expects a floating-point input");
  return std::unique_ptr<Op>(new ResizeOp(*parsed, ChannelsFirst(ctx.layer)));
}

constexpr OpSpec kSpecs[] = {
    {"ZeroPadding1D", &CreatePadding<1>},   {"ZeroPadding2D", &CreatePadding<2>},
    {"ZeroPadding3D", &CreatePadding<3>},   {"Cropping1D", &CreateCropping<1>},
    {"Cropping2D", &CreateCropping<2>},     {"Cropping3D", &CreateCropping<3>},
    {"UpSampling1D", &CreateUpSampling<1>}, {"UpSampling2D", &CreateUpSampling<2>},
    {"UpSampling3D", &CreateUpSampling<3>},
};

}  // namespace

std::span<const OpSpec> SpatialSpecs() { return kSpecs; }

}  // namespace kgate::engine::ops::reshaping_internal
