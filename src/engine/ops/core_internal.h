// File: core_internal.h
// Factories of the core family that live in their own files (Dense in
// core_dense.cc, EinsumDense in core_einsum.cc), joined into CoreOps() by
// core.cc.
#pragma once

#include <memory>

#include "absl/status/statusor.h"
#include "engine/op.h"

namespace kgate::engine::ops::core_internal {

absl::StatusOr<std::unique_ptr<Op>> CreateDense(const OpContext& ctx);
absl::StatusOr<std::unique_ptr<Op>> CreateEinsumDense(const OpContext& ctx);

}  // namespace kgate::engine::ops::core_internal
