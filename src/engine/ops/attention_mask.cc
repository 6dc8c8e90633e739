#include "engine/ops/attention_mask.h"

#include <algorithm>
#include <cstdlib>
#include <utility>

#include "util/strings.h"

namespace kgate::engine::ops {
namespace {

// A mask operand as Keras sees it at each step: its shape and the element
// stride of every axis in its own data (0 on size-1 axes, which broadcast).
struct Operand {
  Dims shape;
  std::vector<int64_t> strides;
};

Operand Contiguous(const Dims& shape) {
  Operand op{shape, std::vector<int64_t>(shape.size(), 0)};
  int64_t stride = 1;
  for (size_t i = shape.size(); i-- > 0;) {
    op.strides[i] = shape[i] == 1 ? 0 : stride;
    stride *= shape[i];
  }
  return op;
}

// ops.expand_dims: a size-1 axis at position `pos`.
void InsertAxis(Operand& op, size_t pos) {
  op.shape.insert(op.shape.begin() + static_cast<std::ptrdiff_t>(pos), 1);
  op.strides.insert(op.strides.begin() + static_cast<std::ptrdiff_t>(pos), 0);
}

absl::Status MaskError(std::string_view what, const Dims& got, const Dims& scores) {
  return absl::InvalidArgumentError(util::StrCat("MultiHeadAttention: ", what, " ", graph::ShapeString(got),
                                                 " does not broadcast to the attention scores ",
                                                 graph::ShapeString(scores)));
}

}  // namespace

absl::StatusOr<AttentionMask> AttentionMask::Create(std::span<const Dims> inputs, std::span<const MaskInput> masks,
                                                    bool causal, int64_t sliding_window, int64_t query_len,
                                                    int64_t value_len, int attention_axes, const Dims& scores) {
  AttentionMask mask;
  mask.scores_ = scores;
  std::vector<Operand> operands;
  for (const MaskInput& m : masks) {
    const Dims& shape = inputs[m.input];
    Operand op = Contiguous(shape);
    if (m.role != MaskRole::kAttention) {
      if (shape.empty()) return MaskError("a query/value/key mask", shape, scores);
      // Query masks become (B, T, 1); value and key masks (B, 1, S).
      InsertAxis(op, m.role == MaskRole::kQuery ? shape.size() : shape.size() - 1);
    }
    operands.push_back(std::move(op));
    mask.sources_.push_back(Source{m.input, {}, {}});
  }
  if (causal || sliding_window > 0) {
    Source built{-1, std::vector<uint8_t>(static_cast<size_t>(query_len * value_len)), {}};
    for (int64_t i = 0; i < query_len; ++i) {
      for (int64_t j = 0; j < value_len; ++j) {
        const bool in_window = sliding_window <= 0 || std::llabs(i - j) < sliding_window;
        built.built[i * value_len + j] = (!causal || i >= j) && in_window;
      }
    }
    operands.push_back(Contiguous({1, query_len, value_len}));
    mask.sources_.push_back(std::move(built));
  }
  if (operands.empty()) return mask;

  // Numpy broadcasting of every operand (right-aligned) into one shape.
  size_t rank = 0;
  for (const Operand& op : operands) rank = std::max(rank, op.shape.size());
  Dims combined(rank, 1);
  for (Operand& op : operands) {
    while (op.shape.size() < rank) InsertAxis(op, 0);
    for (size_t i = 0; i < rank; ++i) {
      if (op.shape[i] == 1) continue;
      if (combined[i] != 1 && combined[i] != op.shape[i]) return MaskError("the combined mask", op.shape, scores);
      combined[i] = op.shape[i];
    }
  }
  // _masked_softmax: size-1 axes before the last 2 * len(attention_axes).
  const size_t tail = 2 * static_cast<size_t>(attention_axes);
  if (rank > scores.size() || (rank < scores.size() && rank < tail)) {
    return MaskError("the combined mask", combined, scores);
  }
  while (combined.size() < scores.size()) {
    combined.insert(combined.end() - static_cast<std::ptrdiff_t>(tail), 1);
    for (Operand& op : operands) InsertAxis(op, op.shape.size() - tail);
  }
  for (size_t i = 0; i < scores.size(); ++i) {
    if (combined[i] != 1 && combined[i] != scores[i]) return MaskError("the combined mask", combined, scores);
  }
  for (size_t s = 0; s < operands.size(); ++s) mask.sources_[s].strides = std::move(operands[s].strides);
  return mask;
}

void AttentionMask::Fill(std::span<const Tensor> inputs, uint8_t* out) const {
  const int64_t total = NumElements(scores_);
  std::fill(out, out + total, uint8_t{1});
  for (const Source& src : sources_) {
    if (src.input < 0) {
      AndSource(src.built.data(), src.strides, out);
      continue;
    }
    const Tensor& t = inputs[src.input];
    switch (t.dtype) {
      case util::DType::kBool: AndSource(t.b8(), src.strides, out); break;
      case util::DType::kInt32: AndSource(t.i32(), src.strides, out); break;
      default: AndSource(t.f32(), src.strides, out); break;
    }
  }
}

template <typename T>
void AttentionMask::AndSource(const T* data, const std::vector<int64_t>& strides, uint8_t* out) const {
  const size_t rank = scores_.size();
  const int64_t total = NumElements(scores_), inner = scores_[rank - 1], inner_stride = strides[rank - 1];
  std::vector<int64_t> index(rank, 0);
  int64_t offset = 0;
  for (int64_t base = 0; base < total; base += inner) {
    for (int64_t j = 0; j < inner; ++j) out[base + j] &= static_cast<uint8_t>(data[offset + j * inner_stride] != T{0});
    // Odometer over the outer axes, moving the source offset with it.
    for (size_t d = rank - 1; d-- > 0;) {
      offset += strides[d];
      if (++index[d] < scores_[d]) break;
      offset -= strides[d] * scores_[d];
      index[d] = 0;
    }
  }
}

}  // namespace kgate::engine::ops
