#include "engine/kernels/dnnl_convolution.h"

#include <algorithm>
#include <cstring>
#include <optional>
#include <tuple>
#include <unordered_map>
#include <utility>

#include "engine/align.h"
#include "engine/kernels/activation.h"
#include "engine/kernels/dnnl_context.h"
#include "engine/kernels/omp_threads.h"
#include "engine/kernels/spatial_layout.h"
#include "util/status_macros.h"
#include "util/strings.h"

namespace kgate::engine::kernels {
namespace {

using dnnl::memory;
using Tag = memory::format_tag;

memory::dims WeightDims(const ConvGeometry& g) {
  memory::dims dims;
  if (g.groups > 1) dims.push_back(g.groups);
  dims.push_back(g.out_channels / g.groups);
  dims.push_back(g.in_channels / g.groups);
  if (g.kernel.size() == 1) dims.push_back(1);
  dims.insert(dims.end(), g.kernel.begin(), g.kernel.end());
  return dims;
}

memory::desc PlainWeightsDesc(const ConvGeometry& g) {
  const memory::dims dims = WeightDims(g);
  Tag tag;
  if (dims.size() == 4) tag = Tag::oihw;
  else if (dims.size() == 5) tag = g.groups > 1 ? Tag::goihw : Tag::oidhw;
  else tag = Tag::goidhw;
  return memory::desc(dims, memory::data_type::f32, tag);
}

// Per spatial axis: oneDNN's padding for one convolution, and (transposed
// only) how many trailing output positions oneDNN cannot produce because
// Keras pads past the full transposed convolution there.
struct Padding {
  memory::dims left, right;
  std::vector<int64_t> missing;
};

absl::StatusOr<Padding> ComputePadding(const ConvGeometry& g, const SpatialShape& in, const SpatialShape& out) {
  Padding p;
  if (g.kernel.size() == 1) {
    p.left.push_back(0);
    p.right.push_back(0);
    p.missing.push_back(0);
  }
  for (size_t i = 0; i < g.kernel.size(); ++i) {
    const int64_t n = in.spatial[i], o = out.spatial[i], s = g.strides[i];
    const int64_t k = (g.kernel[i] - 1) * g.dilation[i] + 1;  // the dilated extent
    int64_t left = 0, right = 0, missing = 0;
    if (!g.transposed) {
      if (g.padding == "same") {
        std::tie(left, right) = SamePadding(n, o, s, k);
      } else if (g.padding == "causal") {
        left = k - 1;
      } else if (!g.input_padding.empty()) {
        left = g.input_padding[2 * i];
        right = g.input_padding[2 * i + 1];
      }
    } else {
      // Keras's padding of the stride-dilated input (backend_utils
      // _convert_conv_transpose_padding_args_from_keras_to_jax), turned into
      // oneDNN's cropping of the full transposed convolution.
      const bool has_op = !g.output_padding.empty();
      const int64_t op = has_op ? g.output_padding[i] : 0;
      int64_t keras_left, keras_right;
      if (g.padding == "valid") {
        keras_left = k - 1;
        keras_right = k - 1 + (has_op ? op : std::max(k, s) - k);
      } else {
        const int64_t pad_len = has_op ? k + k % 2 - 2 + op : s + k - 2;
        keras_left = std::min(pad_len / 2 + pad_len % 2, k - 1);
        keras_right = pad_len - keras_left;
      }
      left = k - 1 - keras_left;
      right = k - 1 - keras_right;
      if (right < 0) {
        missing = -right;
        right = 0;
      }
      if ((n - 1) * s + k - left - right != o - missing || o - missing <= 0) {
        return absl::InternalError(util::StrCat("transposed convolution axis ", i, ": output length ", o,
                                                " does not follow from input length ", n));
      }
    }
    p.left.push_back(left);
    p.right.push_back(right);
    p.missing.push_back(missing);
  }
  return p;
}

memory::dims OneDnnDilation(const ConvGeometry& g) {
  std::vector<int64_t> gaps;
  for (int64_t x : g.dilation) gaps.push_back(x - 1);  // oneDNN counts the gaps
  return AsOneDnnSpatial(gaps, 0);
}

class PreparedConvolutionImpl final : public PreparedConvolution {
 public:
  struct Parts {
    dnnl::primitive primitive;
    memory::desc src, dst, scratchpad;
    std::shared_ptr<const memory> weights;
    memory bias;  // empty handle when there is none
    bool has_bias = false;
    std::string activation;  // applied after the primitive ("linear" when fused or none)
    int64_t last_dim = 1;    // of the output, for axis-wise activations
    int64_t out_elements = 0;
    // Transposed convolutions whose output extends past oneDNN's: the
    // primitive writes `dst` into scratch, Run copies it and fills the rest
    // with the bias.
    bool expand = false;
    SpatialShape produced, wanted;
    bool channels_first = false;
    std::vector<float> fill;  // per channel: the bias
    int threads = 1;          // the team the primitive was created for
  };
  explicit PreparedConvolutionImpl(Parts p) : p_(std::move(p)) {}

  int64_t scratch_bytes() const override {
    int64_t bytes = AlignUp(static_cast<int64_t>(p_.scratchpad.get_size()));
    if (p_.expand) bytes += AlignUp(static_cast<int64_t>(p_.dst.get_size()));
    return bytes;
  }

  absl::Status Run(const float* in, float* out, void* scratch) const override {
    uint8_t* base = static_cast<uint8_t*>(scratch);
    float* dst = p_.expand ? reinterpret_cast<float*>(base + AlignUp(static_cast<int64_t>(p_.scratchpad.get_size())))
                           : out;
    std::unordered_map<int, memory> args;
    KGATE_RETURN_IF_ERROR(DnnlCall("convolution", [&] {
      args.emplace(DNNL_ARG_SRC, Wrap(p_.src, const_cast<float*>(in)));
      args.emplace(DNNL_ARG_WEIGHTS, *p_.weights);
      if (p_.has_bias) args.emplace(DNNL_ARG_BIAS, p_.bias);
      args.emplace(DNNL_ARG_DST, Wrap(p_.dst, dst));
      args.emplace(DNNL_ARG_SCRATCHPAD, Wrap(p_.scratchpad, base));
    }));
    ScopedOmpThreads team(p_.threads);
    KGATE_RETURN_IF_ERROR(Execute("convolution", p_.primitive, args));
    if (p_.expand) Expand(dst, out);
    return ApplyActivation(p_.activation, out, p_.out_elements, p_.last_dim);
  }

 private:
  // Copies the produced block into the top-left corner of the wanted output
  // and fills every other position with the bias.
  void Expand(const float* src, float* out) const {
    const SpatialShape& a = p_.produced;
    const SpatialShape& b = p_.wanted;
    std::vector<int64_t> as(3, 1), bs(3, 1);
    std::copy(a.spatial.begin(), a.spatial.end(), as.end() - static_cast<int64_t>(a.spatial.size()));
    std::copy(b.spatial.begin(), b.spatial.end(), bs.end() - static_cast<int64_t>(b.spatial.size()));
    const int64_t channels = b.channels;
    const int64_t a_pos = as[0] * as[1] * as[2], b_pos = bs[0] * bs[1] * bs[2];
    for (int64_t n = 0; n < b.batch; ++n) {
      for (int64_t z = 0; z < bs[0]; ++z) {
        for (int64_t y = 0; y < bs[1]; ++y) {
          for (int64_t x = 0; x < bs[2]; ++x) {
            const bool inside = z < as[0] && y < as[1] && x < as[2];
            const int64_t bp = (z * bs[1] + y) * bs[2] + x;
            const int64_t ap = (z * as[1] + y) * as[2] + x;
            for (int64_t c = 0; c < channels; ++c) {
              const int64_t bi = p_.channels_first ? (n * channels + c) * b_pos + bp : (n * b_pos + bp) * channels + c;
              const int64_t ai = p_.channels_first ? (n * channels + c) * a_pos + ap : (n * a_pos + ap) * channels + c;
              out[bi] = inside ? src[ai] : p_.fill[c];
            }
          }
        }
      }
    }
  }

  Parts p_;
};

}  // namespace

DnnlConvolution::DnnlConvolution(ConvGeometry geometry, std::vector<float> weights, std::vector<float> bias,
                                 std::string activation, bool accumulate)
    : geometry_(std::move(geometry)),
      bias_(std::move(bias)),
      activation_(std::move(activation)),
      accumulate_(accumulate),
      plain_weights_desc_(PlainWeightsDesc(geometry_)) {
  auto plain = std::make_shared<memory>(plain_weights_desc_, CpuEngine());
  std::memcpy(plain->get_data_handle(), weights.data(), weights.size() * sizeof(float));
  layouts_.push_back(std::move(plain));
}

absl::StatusOr<std::unique_ptr<DnnlConvolution>> DnnlConvolution::Create(ConvGeometry geometry,
                                                                         std::vector<float> weights,
                                                                         std::vector<float> bias,
                                                                         std::string activation, bool accumulate) {
  const ConvGeometry& g = geometry;
  const size_t rank = g.kernel.size();
  if (rank < 1 || rank > 3 || g.strides.size() != rank || g.dilation.size() != rank || g.groups < 1 ||
      g.in_channels % g.groups != 0 || g.out_channels % g.groups != 0 ||
      (!g.output_padding.empty() && g.output_padding.size() != rank) ||
      (!g.input_padding.empty() && (g.input_padding.size() != 2 * rank || g.transposed || g.padding != "valid")) ||
      (accumulate && g.transposed)) {
    return absl::InternalError("inconsistent convolution geometry");
  }
  int64_t expected = g.out_channels * (g.in_channels / g.groups);
  for (int64_t k : g.kernel) expected *= k;
  if (static_cast<int64_t>(weights.size()) != expected ||
      (!bias.empty() && static_cast<int64_t>(bias.size()) != g.out_channels)) {
    return absl::InternalError(util::StrCat("convolution weights hold ", weights.size(), " values, expected ",
                                            expected));
  }
  if (!IsSupportedActivation(activation)) {
    return absl::UnimplementedError(util::StrCat("activation '", activation, "' is not supported by the engine"));
  }
  std::unique_ptr<DnnlConvolution> conv;
  KGATE_RETURN_IF_ERROR(DnnlCall("convolution weights", [&] {
    conv.reset(new DnnlConvolution(std::move(geometry), std::move(weights), std::move(bias), std::move(activation),
                                   accumulate));
  }));
  return conv;
}

absl::StatusOr<std::shared_ptr<const memory>> DnnlConvolution::WeightsIn(const memory::desc& layout) const {
  std::lock_guard<std::mutex> lock(mu_);
  for (const auto& m : layouts_) {
    if (m->get_desc() == layout) return m;
  }
  std::shared_ptr<memory> reordered;
  KGATE_RETURN_IF_ERROR(DnnlCall("convolution weights reorder", [&] {
    reordered = std::make_shared<memory>(layout, CpuEngine());
    memory source = *layouts_.front();
    dnnl::stream stream(CpuEngine());
    dnnl::reorder(source, *reordered).execute(stream, source, *reordered);
    stream.wait();
  }));
  // Layouts no plan holds any more (only this cache does) are dropped.
  std::erase_if(layouts_, [](const std::shared_ptr<const memory>& m) { return m.use_count() == 1; });
  layouts_.push_back(reordered);
  return reordered;
}

absl::StatusOr<std::unique_ptr<PreparedConvolution>> DnnlConvolution::Prepare(const Dims& in_dims,
                                                                              const Dims& out_dims) const {
  const ConvGeometry& g = geometry_;
  KGATE_ASSIGN_OR_RETURN(SpatialShape in, SplitSpatial(in_dims, g.kernel.size(), g.channels_first, "convolution input"));
  KGATE_ASSIGN_OR_RETURN(SpatialShape out,
                         SplitSpatial(out_dims, g.kernel.size(), g.channels_first, "convolution output"));
  if (in.channels != g.in_channels || out.channels != g.out_channels || in.batch != out.batch) {
    return absl::InternalError(util::StrCat("convolution shapes ", graph::ShapeString(in_dims), " -> ",
                                            graph::ShapeString(out_dims), " do not match its weights"));
  }
  KGATE_ASSIGN_OR_RETURN(Padding pad, ComputePadding(g, in, out));
  PreparedConvolutionImpl::Parts parts;
  parts.wanted = out;
  parts.produced = out;
  const size_t offset = g.kernel.size() == 1 ? 1 : 0;
  for (size_t i = 0; i < g.kernel.size(); ++i) {
    if (pad.missing[i + offset] > 0) parts.expand = true;
    parts.produced.spatial[i] -= pad.missing[i + offset];
  }
  parts.channels_first = g.channels_first;
  parts.out_elements = NumElements(out_dims);
  parts.last_dim = out_dims.back();
  parts.has_bias = !bias_.empty();
  std::optional<DnnlEltwise> eltwise = parts.expand ? std::nullopt : AsDnnlEltwise(activation_);
  parts.activation = eltwise ? "linear" : activation_;
  if (parts.expand) parts.fill = bias_.empty() ? std::vector<float>(g.out_channels, 0.f) : bias_;

  // Multiply-adds of one run: every output (or, transposed, input) position
  // meets every kernel tap of its group.
  int64_t macs = g.transposed ? NumElements(in_dims) * (g.out_channels / g.groups)
                              : NumElements(out_dims) * (g.in_channels / g.groups);
  for (int64_t k : g.kernel) macs *= k;
  parts.threads = ThreadsFor(macs);
  ScopedOmpThreads team(parts.threads);
  memory::desc weights_layout;
  KGATE_RETURN_IF_ERROR(DnnlCall("convolution primitive", [&] {
    const memory::desc src = SpatialDesc(in, g.channels_first);
    const memory::desc dst = SpatialDesc(parts.produced, g.channels_first);
    const memory::desc weights(WeightDims(g), memory::data_type::f32, Tag::any);
    const memory::desc bias = parts.has_bias ? memory::desc({g.out_channels}, memory::data_type::f32, Tag::a)
                                             : memory::desc();
    dnnl::primitive_attr attr;
    attr.set_scratchpad_mode(dnnl::scratchpad_mode::user);
    dnnl::post_ops ops;
    if (accumulate_) ops.append_sum(1.f);
    if (eltwise && activation_ != "linear") ops.append_eltwise(1.f, eltwise->algorithm, eltwise->alpha, eltwise->beta);
    attr.set_post_ops(ops);
    if (g.transposed) {
      dnnl::deconvolution_forward::desc d(dnnl::prop_kind::forward_inference, dnnl::algorithm::deconvolution_direct,
                                          src, weights, bias, dst, AsOneDnnSpatial(g.strides), OneDnnDilation(g), pad.left,
                                          pad.right);
      dnnl::deconvolution_forward::primitive_desc pd(d, attr, CpuEngine());
      parts.primitive = dnnl::deconvolution_forward(pd);
      weights_layout = pd.weights_desc();
      parts.scratchpad = pd.scratchpad_desc();
    } else {
      dnnl::convolution_forward::desc d(dnnl::prop_kind::forward_inference, dnnl::algorithm::convolution_direct, src,
                                        weights, bias, dst, AsOneDnnSpatial(g.strides), OneDnnDilation(g), pad.left, pad.right);
      dnnl::convolution_forward::primitive_desc pd(d, attr, CpuEngine());
      parts.primitive = dnnl::convolution_forward(pd);
      weights_layout = pd.weights_desc();
      parts.scratchpad = pd.scratchpad_desc();
    }
    parts.src = src;
    parts.dst = dst;
    if (parts.has_bias) {
      parts.bias = memory(bias, CpuEngine());
      std::memcpy(parts.bias.get_data_handle(), bias_.data(), bias_.size() * sizeof(float));
    }
  }));
  KGATE_ASSIGN_OR_RETURN(parts.weights, WeightsIn(weights_layout));
  return std::make_unique<PreparedConvolutionImpl>(std::move(parts));
}

}  // namespace kgate::engine::kernels
