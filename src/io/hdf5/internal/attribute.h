// File: internal/attribute.h
// Attribute messages (0x000C, versions 1-3) decoded into public Attributes,
// and the attribute info message (0x0015), whose dense storage (a fractal
// heap of attributes) is refused with KG-H006.
#pragma once

#include <cstdint>

#include "absl/status/statusor.h"
#include "io/hdf5/hdf5.h"
#include "io/hdf5/internal/object_header.h"

namespace kgate::io::hdf5::internal {

// Decodes one attribute message; `budget` bounds the decoded bytes of all
// attributes of the object (see values.h).
absl::StatusOr<Attribute> ParseAttribute(const Context& ctx, const Message& m, uint64_t* budget);

// Validates an attribute info message; dense attribute storage is KG-H006.
absl::Status CheckAttributeInfo(const Context& ctx, const Message& m);

}  // namespace kgate::io::hdf5::internal
