// File: internal/chunks.h
// Chunked storage: listing the chunks of a dataset from its index (version 1
// B-tree of type 1, single chunk, implicit, or fixed array), decoding one
// chunk through the filter pipeline (fletcher32 verified, deflate capped at
// the chunk's size, shuffle undone), and assembling the chunks into the
// dataset's bytes. Chunk coordinates must be aligned, inside the dataspace
// and unique; missing chunks read as the fill value (zeros by default). A
// declared size that is both large and far beyond the stored bytes is
// refused before anything is allocated (KG-H007, CVE-2026-0897).
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "absl/status/statusor.h"
#include "io/hdf5/internal/object.h"

struct z_stream_s;

namespace kgate::io::hdf5::internal {

struct ChunkEntry {
  uint64_t address = 0;
  uint64_t size = 0;          // stored (filtered) bytes
  uint32_t filter_mask = 0;   // bit i set: filter i was not applied
  uint64_t first_coord = 0;   // index into ChunkList::coords
};

struct ChunkList {
  size_t rank = 0;
  std::vector<ChunkEntry> entries;
  std::vector<uint64_t> coords;  // rank element offsets per entry
  uint64_t stored_bytes = 0;     // sum of entry sizes
};

// Lists the allocated chunks of a chunked dataset.
absl::StatusOr<ChunkList> ListChunks(const Context& ctx, const DatasetInfo& d);

// A decoded chunk: a view into the file (unfiltered) or owned bytes.
struct DecodedChunk {
  std::vector<uint8_t> owned;
  std::span<const uint8_t> bytes;
};

// A zlib inflate state reused across the chunks of one read.
class Inflater {
 public:
  Inflater();
  ~Inflater();
  Inflater(const Inflater&) = delete;
  Inflater& operator=(const Inflater&) = delete;
  // Inflates one zlib stream; more than `cap` bytes of output is KG-H007.
  absl::StatusOr<std::vector<uint8_t>> Inflate(std::span<const uint8_t> in, uint64_t cap, uint64_t address);

 private:
  std::unique_ptr<z_stream_s> stream_;
  bool initialized_ = false;
};

// Decodes one chunk to exactly `chunk_bytes` bytes. `edge` is true for a
// chunk that extends past the dataspace (unfiltered when the layout says so).
absl::StatusOr<DecodedChunk> DecodeChunk(const Context& ctx, const DatasetInfo& d, const ChunkEntry& e,
                                         bool edge, uint64_t chunk_bytes, Inflater* inflater);

// The dataset's bytes, assembled from its chunks.
absl::StatusOr<std::vector<uint8_t>> ReadChunked(const Context& ctx, const DatasetInfo& d);

}  // namespace kgate::io::hdf5::internal
