// File: internal/checksum.h
// The two checksums of the HDF5 format: Jenkins' lookup3 (hashlittle, as
// H5_checksum_lookup3) over superblocks v2/v3, v2 object headers and their
// continuation chunks, and fixed-array index blocks; and HDF5's Fletcher-32
// variant (H5_checksum_fletcher32) for the fletcher32 filter. Pure functions.
#pragma once

#include <cstdint>
#include <span>

namespace kgate::io::hdf5::internal {

uint32_t Lookup3(std::span<const uint8_t> bytes, uint32_t initval = 0);
uint32_t Fletcher32(std::span<const uint8_t> bytes);

}  // namespace kgate::io::hdf5::internal
