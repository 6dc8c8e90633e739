#include "engine/op.h"

#include <utility>

#include "util/strings.h"

namespace kgate::engine {
namespace {

class FunctionPrepared final : public PreparedOp {
 public:
  FunctionPrepared(RunFunction run, int64_t scratch) : run_(std::move(run)), scratch_(scratch) {}
  int64_t scratch_bytes() const override { return scratch_; }
  absl::Status Run(RunContext& ctx, std::span<const Tensor> in, std::span<const Tensor> out) const override {
    return run_(ctx, in, out);
  }

 private:
  RunFunction run_;
  int64_t scratch_;
};

class AliasOp final : public Op {
 public:
  absl::StatusOr<std::unique_ptr<PreparedOp>> Prepare(std::span<const Dims>, std::span<const Dims>) const override {
    return MakePrepared([](RunContext&, std::span<const Tensor>, std::span<const Tensor>) {
      return absl::InternalError("an aliasing op is never run");
    });
  }
  int AliasedInput(int output) const override { return output == 0 ? 0 : -1; }
};

}  // namespace

absl::Status RunContext::CheckDeadline() const {
  if (deadline_ != absl::InfiniteFuture() && absl::Now() >= deadline_) {
    return absl::DeadlineExceededError("prediction deadline exceeded");
  }
  return absl::OkStatus();
}

std::unique_ptr<PreparedOp> MakePrepared(RunFunction run, int64_t scratch_bytes) {
  return std::make_unique<FunctionPrepared>(std::move(run), scratch_bytes);
}

std::unique_ptr<Op> MakeAliasOp() { return std::make_unique<AliasOp>(); }

absl::Status OpError(const graph::Layer& layer, std::string_view message) {
  return absl::InvalidArgumentError(util::StrCat("layer '", layer.name, "' (", layer.class_name, "): ", message));
}

}  // namespace kgate::engine
