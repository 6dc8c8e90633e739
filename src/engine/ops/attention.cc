// Placeholder until this family's kernels land: an empty table, so models
// using these classes are refused with "the engine has no kernel for class".
#include "engine/op_registry.h"

namespace kgate::engine::ops {

std::span<const OpSpec> AttentionOps() { return {}; }

}  // namespace kgate::engine::ops
