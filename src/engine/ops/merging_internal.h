// File: merging_internal.h
// The Dot merge layer's factory (merging_dot.cc), joined into MergingOps()
// by merging.cc.
#pragma once

#include <memory>

#include "absl/status/statusor.h"
#include "engine/op.h"

namespace kgate::engine::ops::merging_internal {

absl::StatusOr<std::unique_ptr<Op>> CreateDot(const OpContext& ctx);

}  // namespace kgate::engine::ops::merging_internal
