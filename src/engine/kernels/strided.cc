#include "engine/kernels/strided.h"

#include "engine/kernels/transpose.h"

namespace kgate::engine::kernels {

std::vector<int64_t> RowMajorStrides(const Dims& shape) {
  std::vector<int64_t> strides(shape.size());
  int64_t s = 1;
  for (size_t i = shape.size(); i-- > 0;) {
    strides[i] = s;
    s *= shape[i];
  }
  return strides;
}

std::vector<int64_t> AxisOffsets(const Dims& shape, const std::vector<bool>& selected) {
  const std::vector<int64_t> strides = RowMajorStrides(shape);
  std::vector<int64_t> offsets = {0};
  for (size_t d = 0; d < shape.size(); ++d) {
    if (!selected[d]) continue;
    std::vector<int64_t> next;
    next.reserve(offsets.size() * static_cast<size_t>(shape[d]));
    for (int64_t o : offsets) {
      for (int64_t i = 0; i < shape[d]; ++i) next.push_back(o + i * strides[d]);
    }
    offsets = std::move(next);
  }
  return offsets;
}

void Transpose(const void* in, const Dims& in_shape, std::span<const int> perm, size_t elem_size, void* out) {
  Transpose(in, out, in_shape, perm, elem_size);
}

bool MakeBroadcast(const Dims& a, const Dims& b, const Dims& out, Broadcast* plan) {
  const size_t rank = out.size();
  if (a.size() > rank || b.size() > rank) return false;
  plan->out = out;
  plan->a_strides.assign(rank, 0);
  plan->b_strides.assign(rank, 0);
  for (const auto& [shape, strides] : {std::pair{&a, &plan->a_strides}, std::pair{&b, &plan->b_strides}}) {
    const std::vector<int64_t> own = RowMajorStrides(*shape);
    const size_t off = rank - shape->size();
    for (size_t i = 0; i < shape->size(); ++i) {
      const int64_t d = (*shape)[i];
      if (d == out[off + i]) {
        (*strides)[off + i] = d == 1 ? 0 : own[i];
      } else if (d != 1) {
        return false;
      }
    }
  }
  return true;
}

}  // namespace kgate::engine::kernels
