#include "engine/kernels/spatial_layout.h"

#include <algorithm>

#include "util/strings.h"

namespace kgate::engine::kernels {

absl::StatusOr<SpatialShape> SplitSpatial(const Dims& d, size_t spatial_rank, bool channels_first,
                                          std::string_view what) {
  if (d.size() != spatial_rank + 2) {
    return absl::InternalError(util::StrCat(what, " has rank ", d.size(), ", expected ", spatial_rank + 2));
  }
  SpatialShape s;
  s.batch = d[0];
  s.channels = channels_first ? d[1] : d.back();
  s.spatial.assign(d.begin() + (channels_first ? 2 : 1), d.end() - (channels_first ? 0 : 1));
  return s;
}

dnnl::memory::desc SpatialDesc(const SpatialShape& s, bool channels_first) {
  using Tag = dnnl::memory::format_tag;
  dnnl::memory::dims dims = {s.batch, s.channels};
  const dnnl::memory::dims spatial = AsOneDnnSpatial(s.spatial);
  dims.insert(dims.end(), spatial.begin(), spatial.end());
  const Tag tag = dims.size() == 4 ? (channels_first ? Tag::nchw : Tag::nhwc)
                                   : (channels_first ? Tag::ncdhw : Tag::ndhwc);
  return dnnl::memory::desc(dims, dnnl::memory::data_type::f32, tag);
}

dnnl::memory::dims AsOneDnnSpatial(const std::vector<int64_t>& v, int64_t fill) {
  dnnl::memory::dims d;
  if (v.size() == 1) d.push_back(fill);
  d.insert(d.end(), v.begin(), v.end());
  return d;
}

std::pair<int64_t, int64_t> SamePadding(int64_t n, int64_t o, int64_t s, int64_t k) {
  const int64_t total = std::max<int64_t>((o - 1) * s + k - n, 0);
  return {total / 2, total - total / 2};
}

}  // namespace kgate::engine::kernels
