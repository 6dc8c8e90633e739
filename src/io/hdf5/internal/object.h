// File: internal/object.h
// Reads one object header and classifies it as a group or a dataset,
// decoding everything the public API exposes (links, attributes, datatype,
// dataspace) and everything ReadData needs (layout, filters, fill value).
// Dataset checks that need no data are done here: external storage
// (KG-H004), virtual layout (KG-H005), unsupported types, filters, messages
// and dense storage (KG-H006), and the declared size against its cap and
// against contiguous/compact storage (KG-H007). Unknown message types are
// refused unless they are known to be harmless for reading.
#pragma once

#include <cstdint>
#include <vector>

#include "absl/status/statusor.h"
#include "io/hdf5/hdf5.h"
#include "io/hdf5/internal/datatype.h"
#include "io/hdf5/internal/layout.h"

namespace kgate::io::hdf5::internal {

struct DatasetInfo {
  DecodedType type;
  DecodedSpace space;
  LayoutInfo layout;
  std::vector<Filter> filters;
  FillValue fill;
  uint64_t declared_bytes = 0;
};

struct ObjectInfo {
  bool is_group = false;
  std::vector<Link> links;             // groups: sorted by name, unique
  std::vector<Attribute> attributes;   // header order, unique names
  DatasetInfo dataset;                 // datasets
};

absl::StatusOr<ObjectInfo> ParseObject(const Context& ctx, uint64_t address);

// Validates the messages of a superblock extension (v2/v3 superblocks).
absl::Status CheckSuperblockExtension(const Context& ctx, uint64_t address);

}  // namespace kgate::io::hdf5::internal
