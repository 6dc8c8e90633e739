// The core family (keras/layers/core.cc): InputLayer, Dense (core_dense.cc),
// EinsumDense (core_einsum.cc), Activation, Identity and the layers that do
// nothing at inference (Dropout, SpatialDropout1D/2D/3D, GaussianNoise,
// GaussianDropout, AlphaDropout: Keras's predict always calls them with
// training=False, overriding any training=True recorded in the graph),
// Masking and Embedding.
#include <cmath>
#include <cstring>
#include <limits>
#include <string>

#include "engine/kernels/activation.h"
#include "engine/op_registry.h"
#include "engine/ops/core_internal.h"
#include "engine/ops/layer_support.h"
#include "util/status_macros.h"
#include "util/strings.h"

namespace kgate::engine::ops {
namespace {

absl::Status ExpectOneInOneOut(const OpContext& ctx) {
  if (ctx.inputs.size() != 1 || ctx.outputs.size() != 1) {
    return OpError(ctx.layer, util::StrCat("expected one input and one output, got ", ctx.inputs.size(), " and ",
                                           ctx.outputs.size()));
  }
  return absl::OkStatus();
}

// Identity and the inference no-ops: a view of the input, or a converting
// copy where the planner gives the output another storage type (an integer
// tensor through a layer whose compute dtype is float).
absl::StatusOr<std::unique_ptr<Op>> CreateIdentity(const OpContext& ctx) {
  KGATE_RETURN_IF_ERROR(ExpectOneInOneOut(ctx));
  const util::DType in = StorageType(ctx.inputs[0].dtype), out = StorageType(ctx.outputs[0].dtype);
  if (in == out) return MakeAliasOp();
  if (out != util::DType::kFloat32) {
    return OpError(ctx.layer, util::StrCat("cannot pass a ", util::DTypeName(ctx.inputs[0].dtype), " tensor on as ",
                                           util::DTypeName(ctx.outputs[0].dtype)));
  }
  class ConvertOp final : public Op {
   public:
    absl::StatusOr<std::unique_ptr<PreparedOp>> Prepare(std::span<const Dims>, std::span<const Dims>) const override {
      return MakePrepared([](RunContext&, std::span<const Tensor> in, std::span<const Tensor> out) {
        CopyAsFloat(in[0], out[0].f32());
        return absl::OkStatus();
      });
    }
  };
  return std::unique_ptr<Op>(std::make_unique<ConvertOp>());
}

absl::StatusOr<std::unique_ptr<Op>> CreateInputLayer(const OpContext&) { return MakeAliasOp(); }

// Activation(name): the Keras activation over the last axis for softmax-like
// ones. glu halves the last axis, which Keras's symbolic shape for the layer
// ignores: the op refines its output shape (Op::RefineOutputShapes).
absl::StatusOr<std::unique_ptr<Op>> CreateActivation(const OpContext& ctx) {
  KGATE_RETURN_IF_ERROR(ExpectOneInOneOut(ctx));
  const std::string name = ctx.layer.attrs.GetString("activation", "linear");
  if (!kernels::IsSupportedActivation(name) && name != "glu") {
    return OpError(ctx.layer, util::StrCat("activation '", name, "' is not supported by the engine"));
  }
  if (!IsFloatStorage(ctx.outputs[0].dtype)) return OpError(ctx.layer, "only floating outputs are supported");
  class ActivationOp final : public Op {
   public:
    explicit ActivationOp(std::string name) : name_(std::move(name)) {}
    void RefineOutputShapes(std::span<const Dims>, std::span<Dims> outputs) const override {
      if (name_ == "glu") HalveLastAxis(outputs);
    }
    absl::StatusOr<std::unique_ptr<PreparedOp>> Prepare(std::span<const Dims> in, std::span<const Dims>) const override {
      const int64_t last = in[0].empty() ? 1 : in[0].back();
      if (name_ == "glu") {
        if (last % 2 != 0) return absl::InvalidArgumentError(util::StrCat("glu needs an even last axis, got ", last));
        return MakePrepared([last](RunContext& ctx, std::span<const Tensor> x, std::span<const Tensor> y) {
          float* xs = static_cast<float*>(ctx.scratch());
          CopyAsFloat(x[0], xs);
          ApplyGlu(xs, last == 0 ? 0 : x[0].num_elements() / last, last, y[0].f32());
          return absl::OkStatus();
        }, NumElements(in[0]) * 4);
      }
      return MakePrepared([name = name_, last](RunContext&, std::span<const Tensor> x, std::span<const Tensor> y) {
        CopyAsFloat(x[0], y[0].f32());
        return kernels::ApplyActivation(name, y[0].f32(), y[0].num_elements(), last);
      });
    }

   private:
    const std::string name_;
  };
  return std::unique_ptr<Op>(std::make_unique<ActivationOp>(name));
}

// Masking: inputs * any(inputs != mask_value, axis=-1, keepdims=True), the
// multiplication kept so that infinities and NaNs propagate as in Keras. The
// mask for later layers is a separate ops.numpy node in the graph.
absl::StatusOr<std::unique_ptr<Op>> CreateMasking(const OpContext& ctx) {
  KGATE_RETURN_IF_ERROR(ExpectOneInOneOut(ctx));
  if (!IsFloatStorage(ctx.outputs[0].dtype)) return OpError(ctx.layer, "only floating outputs are supported");
  const float mask_value = static_cast<float>(ctx.layer.attrs.GetFloat("mask_value", 0.0));
  class MaskingOp final : public Op {
   public:
    explicit MaskingOp(float mask_value) : mask_value_(mask_value) {}
    absl::StatusOr<std::unique_ptr<PreparedOp>> Prepare(std::span<const Dims> in, std::span<const Dims>) const override {
      const int64_t last = in[0].empty() ? 1 : in[0].back();
      return MakePrepared([mv = mask_value_, last](RunContext&, std::span<const Tensor> x, std::span<const Tensor> y) {
        const int64_t n = x[0].num_elements();
        float* out = y[0].f32();
        for (int64_t r = 0; last > 0 && r < n / last; ++r) {
          bool any = false;
          for (int64_t i = r * last; i < (r + 1) * last && !any; ++i) any = LoadAsFloat(x[0], i) != mv;
          const float keep = any ? 1.f : 0.f;
          for (int64_t i = r * last; i < (r + 1) * last; ++i) out[i] = LoadAsFloat(x[0], i) * keep;
        }
        return absl::OkStatus();
      });
    }

   private:
    const float mask_value_;
  };
  return std::unique_ptr<Op>(std::make_unique<MaskingOp>(mask_value));
}

// Embedding: ops.take(embeddings, cast(ids, int32), axis=0). Float ids are
// cast as XLA casts (truncation toward zero, saturating, NaN -> 0). jnp.take
// wraps negative ids in [-input_dim, -1] and fills rows of NaN for any other
// id out of range (its default mode "fill"); the engine does the same.
int64_t TokenId(const Tensor& ids, int64_t i) {
  if (ids.dtype == util::DType::kInt32) return ids.i32()[i];
  if (ids.dtype == util::DType::kBool) return ids.b8()[i];
  const float f = ids.f32()[i];
  if (std::isnan(f)) return 0;
  if (f >= 2147483647.f) return std::numeric_limits<int32_t>::max();
  if (f <= -2147483648.f) return std::numeric_limits<int32_t>::min();
  return static_cast<int64_t>(std::trunc(f));
}

absl::StatusOr<std::unique_ptr<Op>> CreateEmbedding(const OpContext& ctx) {
  KGATE_RETURN_IF_ERROR(ExpectOneInOneOut(ctx));
  if (!IsFloatStorage(ctx.outputs[0].dtype)) return OpError(ctx.layer, "only floating outputs are supported");
  const int64_t input_dim = ctx.layer.attrs.GetInt("input_dim", 0);
  const int64_t output_dim = ctx.layer.attrs.GetInt("output_dim", 0);
  KGATE_ASSIGN_OR_RETURN(SharedFloats table, CopyWeight(ctx.layer, "embeddings", input_dim * output_dim));
  class EmbeddingOp final : public Op {
   public:
    EmbeddingOp(int64_t rows, int64_t dim, SharedFloats table) : rows_(rows), dim_(dim), table_(std::move(table)) {}
    absl::StatusOr<std::unique_ptr<PreparedOp>> Prepare(std::span<const Dims>, std::span<const Dims>) const override {
      return MakePrepared([rows = rows_, dim = dim_, table = table_](RunContext&, std::span<const Tensor> x,
                                                                      std::span<const Tensor> y) {
        const int64_t n = x[0].num_elements();
        float* out = y[0].f32();
        for (int64_t i = 0; i < n; ++i) {
          int64_t id = TokenId(x[0], i);
          if (id < 0 && id >= -rows) id += rows;
          float* row = out + i * dim;
          if (id < 0 || id >= rows) {
            std::fill(row, row + dim, std::numeric_limits<float>::quiet_NaN());
          } else {
            std::memcpy(row, table->f32() + id * dim, static_cast<size_t>(dim) * sizeof(float));
          }
        }
        return absl::OkStatus();
      });
    }

   private:
    const int64_t rows_, dim_;
    const SharedFloats table_;
  };
  return std::unique_ptr<Op>(std::make_unique<EmbeddingOp>(input_dim, output_dim, std::move(table)));
}

constexpr OpSpec kSpecs[] = {
    {"Activation", CreateActivation},
    {"AlphaDropout", CreateIdentity},
    {"Dense", core_internal::CreateDense, /*accepts_epilogue=*/true},
    {"Dropout", CreateIdentity},
    {"EinsumDense", core_internal::CreateEinsumDense},
    {"Embedding", CreateEmbedding},
    {"GaussianDropout", CreateIdentity},
    {"GaussianNoise", CreateIdentity},
    {"Identity", CreateIdentity},
    {"InputLayer", CreateInputLayer},
    {"Masking", CreateMasking},
    {"SpatialDropout1D", CreateIdentity},
    {"SpatialDropout2D", CreateIdentity},
    {"SpatialDropout3D", CreateIdentity},
};

}  // namespace

std::span<const OpSpec> CoreOps() { return kSpecs; }

}  // namespace kgate::engine::ops
