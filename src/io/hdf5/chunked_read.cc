// Assembles a chunked dataset from its chunks.
#include <cstring>

#include "io/hdf5/internal/chunks.h"
#include "util/status_macros.h"

namespace kgate::io::hdf5::internal {
namespace {

using util::StrCat;

// Copies the part of a decoded chunk at `origin` that lies inside the
// dataspace into `out` (C order).
void CopyChunk(std::span<const uint8_t> chunk, std::span<const uint64_t> origin, const std::vector<uint64_t>& dims,
               const std::vector<uint64_t>& chunk_dims, uint64_t element, uint8_t* out) {
  const size_t rank = dims.size();
  std::vector<uint64_t> extent(rank), chunk_stride(rank), data_stride(rank);
  for (size_t i = 0; i < rank; ++i) {
    const uint64_t left = dims[i] - origin[i];
    extent[i] = left < chunk_dims[i] ? left : chunk_dims[i];
  }
  uint64_t cs = element, ds = element;
  for (size_t i = rank; i-- > 0;) {
    chunk_stride[i] = cs;
    data_stride[i] = ds;
    cs *= chunk_dims[i];
    ds *= dims[i];
  }
  const uint64_t row = extent[rank - 1] * element;
  std::vector<uint64_t> index(rank, 0);  // over the first rank-1 dimensions
  while (true) {
    uint64_t src = 0, dst = 0;
    for (size_t i = 0; i < rank; ++i) {
      src += index[i] * chunk_stride[i];
      dst += (origin[i] + index[i]) * data_stride[i];
    }
    std::memcpy(out + dst, chunk.data() + src, row);
    size_t i = rank - 1;
    while (i > 0 && ++index[i - 1] == extent[i - 1]) index[--i] = 0;
    if (i == 0) return;
  }
}

}  // namespace

absl::StatusOr<std::vector<uint8_t>> ReadChunked(const Context& ctx, const DatasetInfo& d) {
  const auto& dims = d.space.space.dims;
  const auto& chunk_dims = d.layout.chunk_dims;
  const uint64_t element = d.type.type.size;
  const uint64_t chunk_bytes = *util::CheckedMul(*util::CheckedProduct(chunk_dims), element);  // checked at open
  KGATE_ASSIGN_OR_RETURN(ChunkList chunks, ListChunks(ctx, d));
  // CVE-2026-0897: a large declared size backed by (almost) nothing.
  if (d.declared_bytes > kShapeBombFloorBytes) {
    auto backed = util::CheckedMul(chunks.stored_bytes, kShapeBombRatio);
    if (backed && d.declared_bytes > *backed) {
      return SizeError(StrCat("declares ", d.declared_bytes, " bytes but its ", chunks.entries.size(),
                              " chunks store only ", chunks.stored_bytes, " bytes (more than ", kShapeBombRatio,
                              "x; shape bomb)"));
    }
  }
  std::vector<uint8_t> out(d.declared_bytes);
  const bool has_fill = d.fill.defined && d.fill.value.size() == element &&
                        d.type.type.type_class != TypeClass::kVlenString;
  if (has_fill) {  // chunks overwrite what they cover
    for (uint64_t at = 0; at < out.size(); at += element) std::memcpy(out.data() + at, d.fill.value.data(), element);
  }
  Inflater inflater;
  for (const ChunkEntry& e : chunks.entries) {
    std::span<const uint64_t> origin(chunks.coords.data() + e.first_coord, chunks.rank);
    bool edge = false;
    for (size_t i = 0; i < dims.size(); ++i) edge |= origin[i] + chunk_dims[i] > dims[i];
    KGATE_ASSIGN_OR_RETURN(DecodedChunk decoded, DecodeChunk(ctx, d, e, edge, chunk_bytes, &inflater));
    CopyChunk(decoded.bytes, origin, dims, chunk_dims, element, out.data());
  }
  return out;
}

}  // namespace kgate::io::hdf5::internal
