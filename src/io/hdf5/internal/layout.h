// File: internal/layout.h
// Storage description of a dataset: the data layout message (0x0008,
// versions 3-5: compact, contiguous, chunked; virtual is KG-H005), the filter
// pipeline (0x000B, versions 1 and 2: only deflate and shuffle, and
// fletcher32 when Limits::accept_fletcher32; any other filter is KG-H006
// naming it) and the fill value messages (0x0004
// and 0x0005 versions 1-3, checked for bounds; the value fills chunks that
// were never written).
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "absl/status/statusor.h"
#include "io/hdf5/hdf5.h"
#include "io/hdf5/internal/object_header.h"

namespace kgate::io::hdf5::internal {

enum class ChunkIndex : uint8_t { kBTreeV1, kSingle, kImplicit, kFixedArray };

struct LayoutInfo {
  Layout kind = Layout::kContiguous;
  uint8_t version = 0;
  uint64_t address = 0;                 // contiguous data, or the chunk index
  uint64_t size = 0;                    // contiguous: stored bytes
  std::span<const uint8_t> compact;     // compact: the data
  // Chunked.
  std::vector<uint64_t> chunk_dims;     // one per dataspace dimension
  uint64_t chunk_element_size = 0;      // the extra last dimension
  ChunkIndex index = ChunkIndex::kBTreeV1;
  bool filter_edge_chunks = true;       // v4 flag bit 0 clear
  uint64_t single_filtered_size = 0;    // single chunk with filters (flag bit 1)
  uint32_t single_filter_mask = 0;
  bool single_filtered = false;
};

absl::StatusOr<LayoutInfo> ParseLayout(const Context& ctx, const Message& m);

enum FilterId : uint16_t {
  kFilterDeflate = 1,
  kFilterShuffle = 2,
  kFilterFletcher32 = 3,
};

struct Filter {
  uint16_t id = 0;
  uint16_t flags = 0;
  std::vector<uint32_t> client_data;
};

// Parses the pipeline; an unsupported filter is KG-H006 naming it.
absl::StatusOr<std::vector<Filter>> ParseFilterPipeline(const Context& ctx, const Message& m);

struct FillValue {
  bool defined = false;
  std::span<const uint8_t> value;  // empty when not defined
};

absl::StatusOr<FillValue> ParseFillValue(const Context& ctx, const Message& m);

}  // namespace kgate::io::hdf5::internal
