// File: internal/datatype.h
// Datatype (message 0x0003, versions 1-5) and dataspace (message 0x0001,
// versions 1 and 2) decoders. Supported datatypes: little-endian integers of
// 1, 2, 4 or 8 bytes with full precision, IEEE binary16/32/64 little-endian
// floats (exact exponent and mantissa layout), fixed-length strings,
// variable-length strings (byte base type), and h5py's bool enum (int8 with
// FALSE=0, TRUE=1). Every other class (compound, reference, array, opaque,
// bitfield, time, vlen sequence, other enums) and big-endian or padded
// numbers are refused with KG-H006 naming the class.
#pragma once

#include <vector>

#include "absl/status/statusor.h"
#include "io/hdf5/hdf5.h"
#include "io/hdf5/internal/format.h"

namespace kgate::io::hdf5::internal {

// String padding of fixed-length strings (datatype class 3).
enum class StringPad : uint8_t { kNullTerm = 0, kNullPad = 1, kSpacePad = 2 };

struct DecodedType {
  Datatype type;
  StringPad pad = StringPad::kNullTerm;  // fixed-length strings
};

// Decodes one datatype encoding at the cursor and advances past it.
absl::StatusOr<DecodedType> ParseDatatype(Cursor& c);

struct DecodedSpace {
  Dataspace space;
  std::vector<uint64_t> max_dims;  // = dims when not stored; UNDEF (all ones) = unlimited
};

// Decodes a dataspace; rank above limits.max_rank is refused.
absl::StatusOr<DecodedSpace> ParseDataspace(Cursor& c, const Limits& limits);

}  // namespace kgate::io::hdf5::internal
