// Reshaping ops: Flatten, Reshape, Permute, RepeatVector (here) and the
// padding, cropping and upsampling layers (reshaping_spatial.cc). Reshape
// and channels_last Flatten only relabel the bytes, so they alias their
// input; channels_first Flatten first moves the channels last, as Keras's
// Flatten.call transposes before reshaping.
#include <memory>
#include <numeric>
#include <utility>
#include <vector>

#include "engine/kernels/transpose.h"
#include "engine/op_registry.h"
#include "util/status_macros.h"
#include "util/strings.h"

namespace kgate::engine::ops {

namespace reshaping_internal {
// Defined in reshaping_spatial.cc.
std::span<const OpSpec> SpatialSpecs();
}  // namespace reshaping_internal

namespace {

// Writes input 0 permuted by `perm` (output axis k = input axis perm[k]).
class PermuteOp final : public Op {
 public:
  explicit PermuteOp(std::vector<int> perm) : perm_(std::move(perm)) {}
  absl::StatusOr<std::unique_ptr<PreparedOp>> Prepare(std::span<const Dims> in, std::span<const Dims>) const override {
    if (in[0].size() != perm_.size()) return absl::InternalError("permutation rank does not match the input");
    return MakePrepared([perm = perm_](RunContext&, std::span<const Tensor> in, std::span<const Tensor> out) {
      if (in[0].dtype != out[0].dtype) return absl::InternalError("a permutation keeps the dtype");
      kernels::Transpose(in[0].data, out[0].data, in[0].shape, perm, util::DTypeSize(in[0].dtype));
      return absl::OkStatus();
    });
  }

 private:
  std::vector<int> perm_;
};

absl::StatusOr<std::unique_ptr<Op>> CreateFlatten(const OpContext& ctx) {
  const size_t rank = ctx.inputs[0].shape.size();
  if (ctx.layer.attrs.GetString("data_format", "channels_last") != "channels_first" || rank <= 2) {
    return MakeAliasOp();
  }
  std::vector<int> perm = {0};
  for (size_t a = 2; a < rank; ++a) perm.push_back(static_cast<int>(a));
  perm.push_back(1);
  return std::unique_ptr<Op>(new PermuteOp(std::move(perm)));
}

absl::StatusOr<std::unique_ptr<Op>> CreateReshape(const OpContext&) { return MakeAliasOp(); }

absl::StatusOr<std::unique_ptr<Op>> CreatePermute(const OpContext& ctx) {
  const std::vector<int64_t> dims = ctx.layer.attrs.GetInts("dims");
  std::vector<int> perm = {0};
  std::vector<bool> seen(dims.size() + 1, false);
  for (int64_t d : dims) {
    if (d < 1 || d > static_cast<int64_t>(dims.size()) || seen[d]) {
      return OpError(ctx.layer, "dims must be a permutation of 1..rank-1");
    }
    seen[d] = true;
    perm.push_back(static_cast<int>(d));
  }
  if (ctx.inputs[0].shape.size() != perm.size()) return OpError(ctx.layer, "dims do not match the input rank");
  return std::unique_ptr<Op>(new PermuteOp(std::move(perm)));
}

// (batch, features) -> (batch, n, features).
absl::StatusOr<std::unique_ptr<Op>> CreateRepeatVector(const OpContext& ctx) {
  class RepeatVectorOp final : public Op {
   public:
    absl::StatusOr<std::unique_ptr<PreparedOp>> Prepare(std::span<const Dims> in,
                                                        std::span<const Dims> out) const override {
      if (in[0].size() != 2 || out[0].size() != 3) return absl::InternalError("RepeatVector takes a rank-2 input");
      return MakePrepared([](RunContext&, std::span<const Tensor> in, std::span<const Tensor> out) {
        const int64_t batch = out[0].shape[0], n = out[0].shape[1], features = out[0].shape[2];
        const size_t size = util::DTypeSize(out[0].dtype);
        auto* dst = static_cast<uint8_t*>(out[0].data);
        const auto* src = static_cast<const uint8_t*>(in[0].data);
        for (int64_t b = 0; b < batch; ++b) {
          for (int64_t r = 0; r < n; ++r) {
            kernels::CopyConvert(src + b * features * util::DTypeSize(in[0].dtype), in[0].dtype,
                                 dst + (b * n + r) * features * size, out[0].dtype, features);
          }
        }
        return absl::OkStatus();
      });
    }
  };
  if (ctx.layer.attrs.GetInt("n", 0) < 0) return OpError(ctx.layer, "n must be >= 0");
  return std::unique_ptr<Op>(new RepeatVectorOp());
}

constexpr OpSpec kOwnSpecs[] = {
    {"Flatten", &CreateFlatten},
    {"Reshape", &CreateReshape},
    {"Permute", &CreatePermute},
    {"RepeatVector", &CreateRepeatVector},
};

}  // namespace

std::span<const OpSpec> ReshapingOps() {
  static const std::vector<OpSpec>* all = [] {
    auto* v = new std::vector<OpSpec>(std::begin(kOwnSpecs), std::end(kOwnSpecs));
    for (const OpSpec& s : reshaping_internal::SpatialSpecs()) v->push_back(s);
    return v;
  }();
  return *all;
}

}  // namespace kgate::engine::ops
