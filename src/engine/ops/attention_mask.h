// File: attention_mask.h
// MultiHeadAttention's boolean attention mask, combined exactly as Keras
// 3.15 does: _compute_attention_mask ANDs the query mask (B, T) -> (B, T, 1),
// the value and key masks (B, S) -> (B, 1, S), the causal mask and the
// sliding-window mask (both (1, T, S) over query/value axis 1) and the
// attention_mask, with numpy broadcasting; _masked_softmax then inserts
// size-1 axes before the last 2 * len(attention_axes) axes until the mask
// has the scores' rank, and the mask broadcasts to the scores
// (batch, <other axes>, heads, <query attention axes>, <key attention axes>).
// Prepare-time work turns every source into strides over the scores, so a
// run writes the final mask with one pass and no allocation.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "absl/status/statusor.h"
#include "engine/tensor.h"

namespace kgate::engine::ops {

// How a source tensor enters the combination.
enum class MaskRole { kQuery, kValue, kKey, kAttention };

struct MaskInput {
  MaskRole role;
  int input;  // index into the Run inputs
};

class AttentionMask {
 public:
  // `inputs` are the Run inputs' shapes; `query_len`/`value_len` are axis 1
  // of the query and value (for the causal and sliding-window masks);
  // `attention_axes` counts the attention axes; `scores` is the scores shape.
  static absl::StatusOr<AttentionMask> Create(std::span<const Dims> inputs, std::span<const MaskInput> masks,
                                              bool causal, int64_t sliding_window, int64_t query_len,
                                              int64_t value_len, int attention_axes, const Dims& scores);

  bool empty() const { return sources_.empty(); }
  // Writes the mask (1 = attend) for every score, in the scores' row-major order.
  void Fill(std::span<const Tensor> inputs, uint8_t* out) const;

 private:
  struct Source {
    int input = -1;                // Run input, or -1 for `built`
    std::vector<uint8_t> built;    // the causal/sliding-window mask (1, T, S)
    std::vector<int64_t> strides;  // element strides per scores axis (0 = broadcast)
  };
  // out &= (source != 0) over the scores, reading the source through `strides`.
  template <typename T>
  void AndSource(const T* data, const std::vector<int64_t>& strides, uint8_t* out) const;

  Dims scores_;
  std::vector<Source> sources_;
};

}  // namespace kgate::engine::ops
