// File: spatial_layout.h
// How the convolution and pooling kernels see an engine tensor with spatial
// axes: (batch, spatial..., channels) for channels_last or (batch, channels,
// spatial...) for channels_first, as oneDNN's logical (N, C, spatial...)
// dims over that memory (1-D tensors get a unit height, since oneDNN has no
// 1-D kernels), and lax's "SAME" padding, which puts the odd element at the
// end. Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "engine/tensor.h"
#include "oneapi/dnnl/dnnl.hpp"

namespace kgate::engine::kernels {

struct SpatialShape {
  int64_t batch = 0;
  int64_t channels = 0;
  std::vector<int64_t> spatial;  // Keras order, 1 to 3 axes
};

// Splits `dims` (rank spatial_rank + 2); an internal error naming `what`
// when the rank is off.
absl::StatusOr<SpatialShape> SplitSpatial(const Dims& dims, size_t spatial_rank, bool channels_first,
                                          std::string_view what);

// oneDNN's view of the tensor: dims (N, C, [1,] spatial...), plain nhwc /
// ndhwc or nchw / ncdhw memory.
dnnl::memory::desc SpatialDesc(const SpatialShape& s, bool channels_first);

// `v` with a leading 1 when it has one entry (the unit height of 1-D ops).
dnnl::memory::dims AsOneDnnSpatial(const std::vector<int64_t>& v, int64_t fill = 1);

// lax "SAME" padding of one axis (input n, output o, stride s, window
// extent k): (before, after), the extra element after.
std::pair<int64_t, int64_t> SamePadding(int64_t n, int64_t o, int64_t s, int64_t k);

}  // namespace kgate::engine::kernels
