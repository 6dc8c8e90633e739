#include "engine/ops/group_weights.h"

#include <cstring>

#include "engine/op.h"
#include "engine/ops/layer_support.h"
#include "util/strings.h"

namespace kgate::engine::ops {

absl::StatusOr<std::shared_ptr<AlignedBuffer>> CopyGroupWeight(const graph::Layer& layer, std::string_view group,
                                                               std::string_view name, int64_t expected) {
  for (const graph::Weight& w : layer.weights) {
    if (w.name != name || w.group != group) continue;
    const int64_t n = static_cast<int64_t>(w.values.size());
    if (n != expected) {
      return OpError(layer, util::StrCat("the variable '", group, "/", name, "' has ", n, " values; expected ",
                                         expected));
    }
    std::shared_ptr<AlignedBuffer> out = NewFloats(n);
    if (n > 0) std::memcpy(out->data(), w.values.data(), static_cast<size_t>(n) * sizeof(float));
    return out;
  }
  return OpError(layer, util::StrCat("the variable '", group, "/", name, "' is missing"));
}

}  // namespace kgate::engine::ops
