// Chunk indexes: v1 B-tree (type 1), single chunk, implicit, fixed array.
#include <algorithm>
#include <cstring>
#include <unordered_set>
#include <utility>

#include "io/hdf5/internal/checksum.h"
#include "io/hdf5/internal/chunks.h"
#include "util/status_macros.h"

namespace kgate::io::hdf5::internal {
namespace {

using util::StrCat;

// Collects chunks and checks each one's coordinates and extent.
class ChunkCollector {
 public:
  ChunkCollector(const Context& ctx, const DatasetInfo& d, ChunkList* out)
      : ctx_(ctx), dims_(d.space.space.dims), chunk_(d.layout.chunk_dims), out_(out) {
    out_->rank = dims_.size();
  }

  absl::Status Add(std::span<const uint64_t> coord, uint64_t address, uint64_t size, uint32_t mask) {
    KGATE_RETURN_IF_ERROR(ctx_.Charge(1));
    uint64_t linear = 0;
    for (size_t i = 0; i < dims_.size(); ++i) {
      if (coord[i] % chunk_[i] != 0 || coord[i] >= dims_[i]) {
        return Malformed(StrCat("chunk at offset ", address, ": coordinate ", coord[i], " in dimension ", i,
                                " is not a multiple of the chunk size ", chunk_[i],
                                " or not inside the dataspace (", dims_[i], ")"));
      }
      const uint64_t grid = (dims_[i] + chunk_[i] - 1) / chunk_[i];
      linear = linear * grid + coord[i] / chunk_[i];
    }
    if (!seen_.insert(linear).second) {
      return Malformed(StrCat("chunk at offset ", address, ": a second chunk for the same coordinates"));
    }
    if (out_->entries.size() >= kMaxChunks) {
      return OverLimit(util::rules::kHdf5Malformed, StrCat("more than ", kMaxChunks, " chunks"));
    }
    if (size == 0 || ctx_.IsUndef(address) || !ctx_.Fits(address, size)) {
      return Malformed(StrCat("chunk of ", size, " bytes at offset ", address, " is outside the file (",
                              ctx_.file.size(), " bytes)"));
    }
    out_->entries.push_back({address, size, mask, out_->coords.size()});
    out_->coords.insert(out_->coords.end(), coord.begin(), coord.end());
    out_->stored_bytes += size;  // each size fits in the file, and there are at most kMaxChunks
    return absl::OkStatus();
  }

 private:
  const Context& ctx_;
  const std::vector<uint64_t>& dims_;
  const std::vector<uint64_t>& chunk_;
  ChunkList* out_;
  std::unordered_set<uint64_t> seen_;
};

absl::Status ListBTree(const Context& ctx, const DatasetInfo& d, ChunkCollector& collect) {
  const size_t rank = d.space.space.dims.size();
  const uint64_t key_size = 8 + 8 * (uint64_t{rank} + 1);
  const uint64_t prefix = 8 + 2 * uint64_t{ctx.offset_size};
  std::unordered_set<uint64_t> visited;
  std::vector<std::pair<uint64_t, int>> stack = {{d.layout.address, -1}};
  std::vector<uint64_t> coord(rank + 1);
  while (!stack.empty()) {
    auto [address, expected_level] = stack.back();
    stack.pop_back();
    if (!visited.insert(address).second) {
      return Malformed(StrCat("chunk B-tree node at offset ", address, " is reached twice"));
    }
    if (visited.size() > kMaxBTreeNodes) return OverLimit(util::rules::kHdf5Malformed, "chunk B-tree has too many nodes");
    KGATE_ASSIGN_OR_RETURN(Cursor c, Cursor::At(ctx, address, prefix, "chunk B-tree node"));
    KGATE_RETURN_IF_ERROR(ExpectSignature(c, "TREE"));
    KGATE_ASSIGN_OR_RETURN(uint8_t type, c.U8());
    KGATE_ASSIGN_OR_RETURN(uint8_t level, c.U8());
    KGATE_ASSIGN_OR_RETURN(uint16_t entries, c.U16());
    if (type != 1) return c.Error(StrCat("node type ", type, " in a chunk B-tree (expected 1)"));
    if (expected_level >= 0 && level != expected_level) {
      return c.Error(StrCat("level ", level, " below a node of level ", expected_level + 1));
    }
    if (level >= kMaxBTreeDepth) return c.Error(StrCat("level ", level, " exceeds ", kMaxBTreeDepth));
    KGATE_RETURN_IF_ERROR(ctx.Charge(uint64_t{entries} + 1));
    const uint64_t body = (uint64_t{entries} + 1) * key_size + uint64_t{entries} * ctx.offset_size;
    KGATE_ASSIGN_OR_RETURN(Cursor b, Cursor::At(ctx, address + prefix, body, "chunk B-tree node"));
    for (uint16_t i = 0; i < entries; ++i) {
      KGATE_ASSIGN_OR_RETURN(uint32_t size, b.U32());
      KGATE_ASSIGN_OR_RETURN(uint32_t mask, b.U32());
      for (uint64_t& v : coord) {
        KGATE_ASSIGN_OR_RETURN(v, b.U64());
      }
      KGATE_ASSIGN_OR_RETURN(uint64_t child, b.Offset());
      if (level > 0) {
        stack.push_back({child, level - 1});
        continue;
      }
      if (coord[rank] != 0) return b.Error("chunk key with a non-zero element-size offset");
      KGATE_RETURN_IF_ERROR(collect.Add(std::span<const uint64_t>(coord.data(), rank), child, size, mask));
    }
  }
  return absl::OkStatus();
}

// Number of chunks along each dimension of `extent` (ceil division).
std::vector<uint64_t> Grid(const std::vector<uint64_t>& extent, const std::vector<uint64_t>& chunk) {
  std::vector<uint64_t> g(extent.size());
  for (size_t i = 0; i < g.size(); ++i) g[i] = extent[i] / chunk[i] + (extent[i] % chunk[i] != 0);
  return g;
}

// Calls fn(coord, linear index in the max-dims grid) for every chunk of the
// current dataspace, in row-major order.
template <typename Fn>
absl::Status ForEachChunk(const DatasetInfo& d, Fn fn) {
  const auto& dims = d.space.space.dims;
  const auto& chunk = d.layout.chunk_dims;
  const std::vector<uint64_t> grid = Grid(dims, chunk);
  const std::vector<uint64_t> max_grid = Grid(d.space.max_dims, chunk);
  for (uint64_t g : grid) {
    if (g == 0) return absl::OkStatus();  // an empty dataspace has no chunks
  }
  std::vector<uint64_t> index(dims.size(), 0), coord(dims.size(), 0);
  while (true) {
    uint64_t linear = 0;
    for (size_t i = 0; i < dims.size(); ++i) {
      linear = linear * max_grid[i] + index[i];
      coord[i] = index[i] * chunk[i];
    }
    KGATE_RETURN_IF_ERROR(fn(std::span<const uint64_t>(coord), linear));
    size_t i = dims.size();
    while (i > 0 && ++index[i - 1] == grid[i - 1]) index[--i] = 0;
    if (i == 0) return absl::OkStatus();
  }
}

// Chunks in the max-dims grid (what implicit and fixed-array indexes hold).
absl::StatusOr<uint64_t> MaxChunkCount(const DatasetInfo& d) {
  for (uint64_t m : d.space.max_dims) {
    if (m == ~uint64_t{0}) return Malformed("implicit or fixed-array chunk index on an unlimited dimension");
  }
  auto count = util::CheckedProduct(Grid(d.space.max_dims, d.layout.chunk_dims));
  if (!count) return SizeError("chunk count overflows 64 bits");
  return *count;
}

absl::Status ListImplicit(const Context& ctx, const DatasetInfo& d, ChunkCollector& collect) {
  if (!d.filters.empty()) return Malformed("implicit chunk index with filters");
  if (ctx.IsUndef(d.layout.address)) return absl::OkStatus();  // nothing allocated
  KGATE_ASSIGN_OR_RETURN(uint64_t count, MaxChunkCount(d));
  const uint64_t chunk_bytes = *util::CheckedMul(*util::CheckedProduct(d.layout.chunk_dims), d.type.type.size);
  auto total = util::CheckedMul(count, chunk_bytes);
  if (!total || !ctx.Fits(d.layout.address, *total)) {
    return Malformed(StrCat("implicit chunk index: ", count, " chunks of ", chunk_bytes, " bytes at offset ",
                            d.layout.address, " do not fit in the file"));
  }
  return ForEachChunk(d, [&](std::span<const uint64_t> coord, uint64_t linear) {
    return collect.Add(coord, d.layout.address + linear * chunk_bytes, chunk_bytes, 0);
  });
}

absl::Status ListSingle(const Context& ctx, const DatasetInfo& d, ChunkCollector& collect) {
  const auto& dims = d.space.space.dims;
  for (size_t i = 0; i < dims.size(); ++i) {
    if (dims[i] > d.layout.chunk_dims[i]) return Malformed("single-chunk index on a dataset larger than its chunk");
  }
  if (ctx.IsUndef(d.layout.address)) return absl::OkStatus();
  for (uint64_t v : dims) {
    if (v == 0) return absl::OkStatus();
  }
  const uint64_t chunk_bytes = *util::CheckedMul(*util::CheckedProduct(d.layout.chunk_dims), d.type.type.size);
  const std::vector<uint64_t> origin(dims.size(), 0);
  if (d.layout.single_filtered) {
    return collect.Add(origin, d.layout.address, d.layout.single_filtered_size, d.layout.single_filter_mask);
  }
  return collect.Add(origin, d.layout.address, chunk_bytes, 0);
}

absl::Status ListFixedArray(const Context& ctx, const DatasetInfo& d, ChunkCollector& collect) {
  const bool filtered = !d.filters.empty();
  // Header: "FAHD", version, client id, entry size, page bits, entry count,
  // data block address, checksum.
  const uint64_t header_size = 8 + ctx.length_size + ctx.offset_size + 4;
  KGATE_ASSIGN_OR_RETURN(Cursor h, Cursor::At(ctx, d.layout.address, header_size, "fixed array header"));
  KGATE_RETURN_IF_ERROR(ExpectSignature(h, "FAHD"));
  KGATE_ASSIGN_OR_RETURN(uint8_t version, h.U8());
  if (version != 0) return h.UnsupportedError(StrCat("version ", version));
  KGATE_ASSIGN_OR_RETURN(uint8_t client, h.U8());
  KGATE_ASSIGN_OR_RETURN(uint8_t entry_size, h.U8());
  KGATE_ASSIGN_OR_RETURN(uint8_t page_bits, h.U8());
  KGATE_ASSIGN_OR_RETURN(uint64_t count, h.Length());
  KGATE_ASSIGN_OR_RETURN(uint64_t block, h.Offset());
  KGATE_ASSIGN_OR_RETURN(uint32_t checksum, h.U32());
  if (checksum != Lookup3(ctx.file.subspan(d.layout.address, header_size - 4))) {
    return Malformed(StrCat("fixed array header at offset ", d.layout.address, ": checksum mismatch"));
  }
  if (client != (filtered ? 1 : 0)) return h.Error(StrCat("client id ", client, " does not match the filters"));
  const unsigned size_width = filtered ? entry_size - ctx.offset_size - 4u : 0;
  if ((!filtered && entry_size != ctx.offset_size) ||
      (filtered && (entry_size <= ctx.offset_size + 4u || size_width > 8))) {
    return h.Error(StrCat("entry size ", entry_size));
  }
  if (page_bits == 0 || page_bits > 32) return h.Error(StrCat("page bits ", page_bits));
  KGATE_ASSIGN_OR_RETURN(uint64_t max_count, MaxChunkCount(d));
  if (count != max_count) {
    return h.Error(StrCat(count, " entries for a dataset of ", max_count, " chunks"));
  }
  if (ctx.IsUndef(block)) return absl::OkStatus();  // nothing allocated yet
  // Data block: "FADB", version, client id, header address, [page bitmap],
  // then either the entries and a checksum, or a checksum and checksummed pages.
  const uint64_t page_entries = uint64_t{1} << page_bits;
  const uint64_t pages = count > page_entries ? (count + page_entries - 1) / page_entries : 0;
  const uint64_t bitmap = (pages + 7) / 8;
  auto entries_bytes = util::CheckedMul(count, entry_size);
  if (!entries_bytes || *entries_bytes > ctx.file.size()) {
    return Malformed(StrCat("fixed array of ", count, " entries does not fit in the file"));
  }
  const uint64_t prefix = 6 + ctx.offset_size + bitmap;
  const uint64_t first_part = pages ? prefix : prefix + *entries_bytes;
  KGATE_ASSIGN_OR_RETURN(Cursor b, Cursor::At(ctx, block, first_part + 4, "fixed array data block"));
  KGATE_RETURN_IF_ERROR(ExpectSignature(b, "FADB"));
  KGATE_ASSIGN_OR_RETURN(uint8_t block_version, b.U8());
  KGATE_ASSIGN_OR_RETURN(uint8_t block_client, b.U8());
  KGATE_ASSIGN_OR_RETURN(uint64_t owner, b.Offset());
  if (block_version != 0 || block_client != client || owner != d.layout.address) {
    return b.Error("data block does not belong to its fixed array header");
  }
  KGATE_ASSIGN_OR_RETURN(auto page_bitmap, b.Bytes(bitmap));
  uint32_t stored_checksum;
  std::memcpy(&stored_checksum, ctx.file.data() + block + first_part, 4);
  if (Lookup3(ctx.file.subspan(block, first_part)) != stored_checksum) {
    return Malformed(StrCat("fixed array data block at offset ", block, ": checksum mismatch"));
  }
  // Reads entry `i` (already located) at cursor `e`.
  auto read_entry = [&](Cursor& e, uint64_t* address, uint64_t* size, uint32_t* mask) -> absl::Status {
    KGATE_ASSIGN_OR_RETURN(*address, e.Offset());
    if (filtered) {
      KGATE_ASSIGN_OR_RETURN(*size, e.UInt(size_width));
      KGATE_ASSIGN_OR_RETURN(*mask, e.U32());
    }
    return absl::OkStatus();
  };
  const uint64_t chunk_bytes = *util::CheckedMul(*util::CheckedProduct(d.layout.chunk_dims), d.type.type.size);
  const uint64_t page_stride = page_entries * entry_size + 4;
  std::vector<bool> page_checked(pages, false);
  return ForEachChunk(d, [&](std::span<const uint64_t> coord, uint64_t linear) -> absl::Status {
    uint64_t at = block + prefix + linear * entry_size;
    if (pages) {
      const uint64_t page = linear / page_entries;
      if (!(page_bitmap[page / 8] & (0x80 >> (page % 8)))) return absl::OkStatus();  // page never written
      const uint64_t page_start = block + prefix + 4 + page * page_stride;
      const uint64_t in_page = page + 1 < pages ? page_entries : count - page * page_entries;
      if (!page_checked[page]) {
        KGATE_RETURN_IF_ERROR(
            Cursor::At(ctx, page_start, in_page * entry_size + 4, "fixed array data block page").status());
        uint32_t stored;
        std::memcpy(&stored, ctx.file.data() + page_start + in_page * entry_size, 4);
        if (stored != Lookup3(ctx.file.subspan(page_start, in_page * entry_size))) {
          return Malformed(StrCat("fixed array data block page at offset ", page_start, ": checksum mismatch"));
        }
        page_checked[page] = true;
      }
      at = page_start + (linear % page_entries) * entry_size;
    }
    KGATE_ASSIGN_OR_RETURN(Cursor e, Cursor::At(ctx, at, entry_size, "fixed array entry"));
    uint64_t address = 0, size = chunk_bytes;
    uint32_t mask = 0;
    KGATE_RETURN_IF_ERROR(read_entry(e, &address, &size, &mask));
    if (ctx.IsUndef(address)) return absl::OkStatus();  // chunk never written
    return collect.Add(coord, address, size, mask);
  });
}

// Chunks must not share bytes: aliasing would fake stored data (defeating the
// shape-bomb ratio) and never happens in a file libhdf5 wrote.
absl::Status CheckNoOverlap(const ChunkList& list) {
  std::vector<std::pair<uint64_t, uint64_t>> ranges;
  ranges.reserve(list.entries.size());
  for (const ChunkEntry& e : list.entries) ranges.emplace_back(e.address, e.size);
  std::sort(ranges.begin(), ranges.end());
  for (size_t i = 1; i < ranges.size(); ++i) {
    if (ranges[i - 1].first + ranges[i - 1].second > ranges[i].first) {  // sums fit: both are in the file
      return Malformed(StrCat("chunks at offsets ", ranges[i - 1].first, " and ", ranges[i].first, " overlap"));
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<ChunkList> ListChunks(const Context& ctx, const DatasetInfo& d) {
  ChunkList out;
  ChunkCollector collect(ctx, d, &out);
  switch (d.layout.index) {
    case ChunkIndex::kBTreeV1:
      if (!ctx.IsUndef(d.layout.address)) KGATE_RETURN_IF_ERROR(ListBTree(ctx, d, collect));
      break;
    case ChunkIndex::kSingle: KGATE_RETURN_IF_ERROR(ListSingle(ctx, d, collect)); break;
    case ChunkIndex::kImplicit: KGATE_RETURN_IF_ERROR(ListImplicit(ctx, d, collect)); break;
    case ChunkIndex::kFixedArray:
      if (!ctx.IsUndef(d.layout.address)) KGATE_RETURN_IF_ERROR(ListFixedArray(ctx, d, collect));
      break;
  }
  KGATE_RETURN_IF_ERROR(CheckNoOverlap(out));
  return out;
}

}  // namespace kgate::io::hdf5::internal
