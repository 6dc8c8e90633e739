// File: internal/superblock.h
// The superblock: versions 0 and 1 (root symbol-table entry) and 2 and 3
// (root object header address, lookup3 checksum, optional extension). A
// signature anywhere but offset 0 (a user block), a non-zero base address or
// a driver info block (family/multi/split drivers that name other files) is
// refused. Pure function over the file bytes.
#pragma once

#include <cstdint>
#include <span>

#include "absl/status/statusor.h"

namespace kgate::io::hdf5::internal {

struct Superblock {
  uint8_t version = 0;
  uint8_t offset_size = 8;
  uint8_t length_size = 8;
  uint64_t eof_address = 0;        // the file's logical end; <= bytes.size()
  uint64_t root_address = 0;       // root group object header
  uint64_t extension_address = 0;  // v2/v3 superblock extension, or UNDEF
  bool has_extension = false;
};

absl::StatusOr<Superblock> ParseSuperblock(std::span<const uint8_t> bytes);

}  // namespace kgate::io::hdf5::internal
