// Preprocessing layers (keras/layers/preprocessing.cc):
//   Rescaling      cast(x) * scale + offset, scale/offset scalars or vectors
//                  over the last axis (Keras's default channels_last image
//                  data format; the saved model does not record another)
//   Normalization  (x - mean) / max(sqrt(variance), 1e-7), or with invert
//                  mean + x * max(sqrt(variance), 1e-7); statistics from the
//                  config (broadcast as Normalization.build does) or from
//                  the adapted variables
//   CenterCrop     a centred slice, or Keras's smart_resize (crop to the
//                  aspect ratio, bilinear resize) when the target is larger
//   Resizing       crop_to_aspect_ratio / pad_to_aspect_ratio as Keras's JAX
//                  backend does them, then jax.image.resize (kernels/resize.h)
#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "engine/kernels/image_resize.h"
#include "engine/kernels/strided.h"
#include "engine/op_registry.h"
#include "engine/ops/layer_support.h"
#include "util/status_macros.h"
#include "util/strings.h"

namespace kgate::engine::ops {
namespace {

absl::Status ExpectUnaryFloatOut(const OpContext& ctx) {
  if (ctx.inputs.size() != 1 || ctx.outputs.size() != 1) return OpError(ctx.layer, "expected one input");
  if (!IsFloatStorage(ctx.outputs[0].dtype)) return OpError(ctx.layer, "only floating outputs are supported");
  return absl::OkStatus();
}

// One position's parameters (scale and offset; mean and divisor).
struct ParamPair {
  float a, b;
};
using SharedPairs = std::shared_ptr<const std::vector<ParamPair>>;

// y = f(x, p) with per-position parameter pairs `p` of `param_shape`
// broadcast against x (numpy rules).
template <typename F>
class AffineOp final : public Op {
 public:
  AffineOp(SharedPairs params, Dims param_shape, F f)
      : params_(std::move(params)), param_shape_(std::move(param_shape)), f_(std::move(f)) {}
  absl::StatusOr<std::unique_ptr<PreparedOp>> Prepare(std::span<const Dims> in, std::span<const Dims>) const override {
    kernels::Broadcast plan;
    if (!kernels::MakeBroadcast(in[0], param_shape_, in[0], &plan)) {
      return absl::InvalidArgumentError(util::StrCat("parameters of shape ", graph::ShapeString(param_shape_),
                                                     " do not broadcast against ", graph::ShapeString(in[0])));
    }
    return MakePrepared(
        [plan, params = params_, f = f_](RunContext& ctx, std::span<const Tensor> x, std::span<const Tensor> y) {
          const float* xs = x[0].f32();
          if (x[0].dtype != util::DType::kFloat32) {
            CopyAsFloat(x[0], static_cast<float*>(ctx.scratch()));
            xs = static_cast<const float*>(ctx.scratch());
          }
          kernels::ApplyBroadcast(plan, xs, params->data(), y[0].f32(), f);
          return absl::OkStatus();
        },
        NumElements(in[0]) * 4);
  }

 private:
  const SharedPairs params_;
  const Dims param_shape_;
  const F f_;
};

template <typename F>
std::unique_ptr<Op> MakeAffine(std::vector<ParamPair> params, Dims shape, F f) {
  return std::make_unique<AffineOp<F>>(std::make_shared<const std::vector<ParamPair>>(std::move(params)),
                                       std::move(shape), std::move(f));
}

absl::StatusOr<std::unique_ptr<Op>> CreateRescaling(const OpContext& ctx) {
  KGATE_RETURN_IF_ERROR(ExpectUnaryFloatOut(ctx));
  std::vector<double> scale = ctx.layer.attrs.Get<std::vector<double>>("scale")
                                  ? *ctx.layer.attrs.Get<std::vector<double>>("scale")
                                  : std::vector<double>{1.0};
  std::vector<double> offset = ctx.layer.attrs.Get<std::vector<double>>("offset")
                                   ? *ctx.layer.attrs.Get<std::vector<double>>("offset")
                                   : std::vector<double>{0.0};
  if (scale.empty() || offset.empty()) return OpError(ctx.layer, "empty scale or offset");
  const size_t n = std::max(scale.size(), offset.size());
  if ((scale.size() != 1 && scale.size() != n) || (offset.size() != 1 && offset.size() != n)) {
    return OpError(ctx.layer, "scale and offset have different lengths");
  }
  std::vector<ParamPair> params(n);
  for (size_t i = 0; i < n; ++i) {
    params[i] = {static_cast<float>(scale[scale.size() == 1 ? 0 : i]),
                 static_cast<float>(offset[offset.size() == 1 ? 0 : i])};
  }
  const Dims shape = n == 1 ? Dims{} : Dims{static_cast<int64_t>(n)};
  return MakeAffine(std::move(params), shape, [](float x, ParamPair p) { return x * p.a + p.b; });
}

// Normalization.build: the statistics take the shape "broadcast_shape"
// (the input's size on kept axes, 1 elsewhere). Config statistics of a
// smaller rank fill the kept axes from the right and broadcast; adapted
// variables have exactly the kept axes' sizes.
absl::StatusOr<std::unique_ptr<Op>> CreateNormalization(const OpContext& ctx) {
  KGATE_RETURN_IF_ERROR(ExpectUnaryFloatOut(ctx));
  const graph::Layer& layer = ctx.layer;
  const Dims& input = ctx.inputs[0].shape;
  const int64_t rank = static_cast<int64_t>(input.size());
  std::vector<int64_t> keep;
  for (int64_t a : layer.attrs.GetInts("axis")) keep.push_back(a < 0 ? a + rank : a);
  std::sort(keep.begin(), keep.end());
  Dims stats_shape(input.size(), 1);
  for (int64_t k : keep) {
    if (k < 0 || k >= rank || input[k] < 0) return OpError(layer, "a kept axis is out of range or unknown");
    stats_shape[k] = input[k];
  }
  std::vector<double> mean, variance;
  Dims given(input.size(), 1);  // the statistics' shape expanded to the input rank
  if (const auto* m = layer.attrs.Get<std::vector<double>>("mean")) {
    mean = *m;
    variance = layer.attrs.Get<std::vector<double>>("variance") ? *layer.attrs.Get<std::vector<double>>("variance")
                                                                 : std::vector<double>{};
    const std::vector<int64_t> mean_shape = layer.attrs.GetInts("mean_shape");
    if (mean_shape.size() > keep.size()) return OpError(layer, "mean has more axes than the kept ones");
    for (size_t i = 1; i <= mean_shape.size(); ++i) given[keep[keep.size() - i]] = mean_shape[mean_shape.size() - i];
  } else {
    const graph::Weight* mw = FindWeight(layer, "mean");
    const graph::Weight* vw = FindWeight(layer, "variance");
    if (mw == nullptr || vw == nullptr) return OpError(layer, "the adapted mean and variance are missing");
    mean.assign(mw->values.begin(), mw->values.end());
    variance.assign(vw->values.begin(), vw->values.end());
    given = stats_shape;
  }
  if (mean.size() != variance.size() || static_cast<int64_t>(mean.size()) != NumElements(given)) {
    return OpError(layer, "mean and variance do not have the expected number of values");
  }
  kernels::Broadcast plan;
  if (!kernels::MakeBroadcast(given, given, stats_shape, &plan)) {
    return OpError(layer, "the statistics do not broadcast to the kept axes");
  }
  // Statistics in float32 as Keras casts them, divisor max(sqrt(var), eps).
  std::vector<float> mean_f(mean.begin(), mean.end()), div_f(variance.size());
  for (size_t i = 0; i < variance.size(); ++i) {
    div_f[i] = std::max(std::sqrt(static_cast<float>(variance[i])), static_cast<float>(1e-7));
  }
  std::vector<ParamPair> params(static_cast<size_t>(NumElements(stats_shape)));
  kernels::ApplyBroadcast(plan, mean_f.data(), div_f.data(), params.data(),
                          [](float m, float d) { return ParamPair{m, d}; });
  if (layer.attrs.GetBool("invert", false)) {
    return MakeAffine(std::move(params), stats_shape, [](float x, ParamPair p) { return p.a + x * p.b; });
  }
  return MakeAffine(std::move(params), stats_shape, [](float x, ParamPair p) { return (x - p.a) / p.b; });
}

enum class Framing { kNone, kCropToAspect, kPadToAspect, kCenterCrop };

// The window of the input that the resize reads: rows [start, start + size)
// of the input for a crop, or the input placed at offset `pad` inside a
// `size` canvas of fill_value for a pad (start = -pad).
struct Window {
  int64_t start = 0;
  int64_t size = 0;
};

// Keras's crop box for a target aspect ratio (Python int()/float() arithmetic).
void CropToAspect(int64_t h, int64_t w, int64_t th, int64_t tw, Window* rows, Window* cols) {
  int64_t ch = static_cast<int64_t>(static_cast<double>(w * th) / static_cast<double>(tw));
  ch = std::max<int64_t>(std::min(h, ch), 1);
  int64_t cw = static_cast<int64_t>(static_cast<double>(h * tw) / static_cast<double>(th));
  cw = std::max<int64_t>(std::min(w, cw), 1);
  *rows = {static_cast<int64_t>(static_cast<double>(h - ch) / 2), ch};
  *cols = {static_cast<int64_t>(static_cast<double>(w - cw) / 2), cw};
}

// Keras's JAX pad_to_aspect_ratio: pads top and bottom (or else left and
// right) by the same amount, never both.
void PadToAspect(int64_t h, int64_t w, int64_t th, int64_t tw, Window* rows, Window* cols) {
  const int64_t ph = std::max(h, static_cast<int64_t>(static_cast<double>(w * th) / static_cast<double>(tw)));
  const int64_t pw = std::max(w, static_cast<int64_t>(static_cast<double>(h * tw) / static_cast<double>(th)));
  const int64_t top = static_cast<int64_t>(static_cast<double>(ph - h) / 2);
  const int64_t left = static_cast<int64_t>(static_cast<double>(pw - w) / 2);
  *rows = {0, h};
  *cols = {0, w};
  if (top > 0) {
    *rows = {-top, h + 2 * top};
  } else if (left > 0) {
    *cols = {-left, w + 2 * left};
  }
}

class ImageResizeOp final : public Op {
 public:
  ImageResizeOp(bool channels_first, int64_t height, int64_t width, kernels::ResizeMethod method, bool antialias,
                Framing framing, float fill)
      : channels_first_(channels_first),
        height_(height),
        width_(width),
        method_(method),
        antialias_(antialias),
        framing_(framing),
        fill_(fill) {}

  absl::StatusOr<std::unique_ptr<PreparedOp>> Prepare(std::span<const Dims> inputs,
                                                      std::span<const Dims>) const override {
    const Dims& xs = inputs[0];
    const size_t ha = channels_first_ ? 2 : 1, wa = ha + 1;
    const int64_t h = xs[ha], w = xs[wa];
    Window rows{0, h}, cols{0, w};
    kernels::ResizeMethod method = method_;
    bool antialias = antialias_;
    Framing framing = framing_;
    if (framing == Framing::kCenterCrop) {
      if (h >= height_ && w >= width_) {
        rows = {(h - height_) / 2, height_};
        cols = {(w - width_) / 2, width_};
      } else {  // smart_resize: crop to the aspect ratio, bilinear, no antialias
        framing = Framing::kCropToAspect;
        method = kernels::ResizeMethod::kLinear;
        antialias = false;
      }
    }
    if (framing == Framing::kCropToAspect) CropToAspect(h, w, height_, width_, &rows, &cols);
    if (framing == Framing::kPadToAspect) PadToAspect(h, w, height_, width_, &rows, &cols);
    if (h <= 0 || w <= 0) return absl::InvalidArgumentError("cannot resize an empty image");
    // Shapes through the stages: framed (rows x cols), resized rows, output.
    Dims framed = xs;
    framed[ha] = rows.size;
    framed[wa] = cols.size;
    Dims mid = framed;
    mid[ha] = height_;
    const bool resize_rows = rows.size != height_, resize_cols = cols.size != width_;
    auto row_r = std::make_shared<const kernels::AxisResampling>(
        kernels::MakeAxisResampling(rows.size, height_, method, antialias));
    auto col_r = std::make_shared<const kernels::AxisResampling>(
        kernels::MakeAxisResampling(cols.size, width_, method, antialias));
    const int64_t framed_n = NumElements(framed), mid_n = NumElements(mid);
    const float fill = fill_;
    return MakePrepared(
        [=, height = height_](RunContext& ctx, std::span<const Tensor> in, std::span<const Tensor> out) {
          float* stage0 = static_cast<float*>(ctx.scratch());
          float* stage1 = stage0 + framed_n;
          // Frame: copy the window (or place the input on the fill canvas).
          const Tensor& x = in[0];
          const int64_t outer = Product(framed, 0, ha);
          const int64_t inner = Product(framed, wa + 1, framed.size());
          int64_t at = 0;
          for (int64_t o = 0; o < outer; ++o) {
            for (int64_t r = 0; r < rows.size; ++r) {
              const int64_t sr = r + rows.start;
              for (int64_t c = 0; c < cols.size; ++c) {
                const int64_t sc = c + cols.start;
                const bool inside = sr >= 0 && sr < h && sc >= 0 && sc < w;
                const int64_t src = o * h * w * inner + (sr * w + sc) * inner;
                for (int64_t k = 0; k < inner; ++k) stage0[at++] = inside ? LoadAsFloat(x, src + k) : fill;
              }
            }
          }
          const float* cur = stage0;
          float* y = out[0].f32();
          if (resize_rows) {
            float* dst = resize_cols ? stage1 : y;
            kernels::ResampleAxis(cur, outer, rows.size, cols.size * inner, *row_r, dst);
            cur = dst;
          }
          if (resize_cols) {
            kernels::ResampleAxis(cur, outer * height, cols.size, inner, *col_r, y);
            cur = y;
          }
          if (cur != y) std::copy(cur, cur + NumElements(out[0].shape), y);
          return absl::OkStatus();
        },
        (framed_n + mid_n) * 4);
  }

 private:
  const bool channels_first_;
  const int64_t height_, width_;
  const kernels::ResizeMethod method_;
  const bool antialias_;
  const Framing framing_;
  const float fill_;
};

absl::StatusOr<std::unique_ptr<Op>> CreateImageOp(const OpContext& ctx, bool center_crop) {
  KGATE_RETURN_IF_ERROR(ExpectUnaryFloatOut(ctx));
  const graph::Attributes& a = ctx.layer.attrs;
  if (ctx.inputs[0].shape.size() != 4) return OpError(ctx.layer, "expected a batch of images (rank 4)");
  const std::string format = a.GetString("data_format", "channels_last");
  if (format != "channels_last" && format != "channels_first") {
    return OpError(ctx.layer, util::StrCat("unknown data_format '", format, "'"));
  }
  const int64_t height = a.GetInt("height", 0), width = a.GetInt("width", 0);
  if (height <= 0 || width <= 0) return OpError(ctx.layer, "height and width must be positive");
  if (center_crop) {
    return std::unique_ptr<Op>(std::make_unique<ImageResizeOp>(format == "channels_first", height, width,
                                                               kernels::ResizeMethod::kLinear, false,
                                                               Framing::kCenterCrop, 0.f));
  }
  // Keras casts a resized integer image back to its dtype (round, saturate);
  // the planner's float output would differ, so integer images are refused.
  if (!IsFloatStorage(ctx.inputs[0].dtype)) return OpError(ctx.layer, "integer images are not supported");
  auto method = kernels::ParseResizeMethod(a.GetString("interpolation", "bilinear"));
  if (!method.ok()) return OpError(ctx.layer, util::ToStd(method.status().message()));
  if (a.GetString("fill_mode", "constant") != "constant") return OpError(ctx.layer, "only fill_mode 'constant'");
  const bool crop = a.GetBool("crop_to_aspect_ratio", false), pad = a.GetBool("pad_to_aspect_ratio", false);
  if (crop && pad) return OpError(ctx.layer, "crop_to_aspect_ratio and pad_to_aspect_ratio are exclusive");
  const Framing framing = crop ? Framing::kCropToAspect : pad ? Framing::kPadToAspect : Framing::kNone;
  return std::unique_ptr<Op>(std::make_unique<ImageResizeOp>(format == "channels_first", height, width, *method,
                                                             a.GetBool("antialias", false), framing,
                                                             static_cast<float>(a.GetFloat("fill_value", 0.0))));
}

absl::StatusOr<std::unique_ptr<Op>> CreateCenterCrop(const OpContext& ctx) { return CreateImageOp(ctx, true); }
absl::StatusOr<std::unique_ptr<Op>> CreateResizing(const OpContext& ctx) { return CreateImageOp(ctx, false); }

constexpr OpSpec kSpecs[] = {
    {"CenterCrop", CreateCenterCrop},
    {"Normalization", CreateNormalization},
    {"Rescaling", CreateRescaling},
    {"Resizing", CreateResizing},
};

}  // namespace

std::span<const OpSpec> PreprocessingOps() { return kSpecs; }

}  // namespace kgate::engine::ops
