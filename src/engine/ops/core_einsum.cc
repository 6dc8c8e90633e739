#include "engine/ops/core_internal.h"
namespace kgate::engine::ops::core_internal {
absl::StatusOr<std::unique_ptr<Op>> CreateEinsumDense(const OpContext& ctx) {
  return OpError(ctx.layer, "EinsumDense pending");
}
}  // namespace kgate::engine::ops::core_internal
