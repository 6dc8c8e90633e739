// File: internal/values.h
// Turns raw element bytes into attribute values: numbers (integers, IEEE
// floats including binary16, bools) as doubles, fixed-length strings by their
// padding rule, and variable-length strings through global heap collections
// ("GCOL"). Each collection is parsed once per decode and fully validated
// (bounds, object sizes, unique indices) before any object is used.
//
// Decoding charges a byte budget (8 bytes per number, 32 plus the length per
// string) so that references to one big heap object cannot multiply into
// unbounded memory; running out is KG-H007.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "absl/status/statusor.h"
#include "io/hdf5/internal/datatype.h"
#include "io/hdf5/internal/format.h"
#include "util/dtype.h"

namespace kgate::io::hdf5::internal {

// Global heap objects of the collections seen so far, by collection address.
class GlobalHeapCache {
 public:
  explicit GlobalHeapCache(const Context& ctx) : ctx_(ctx) {}
  // The data of object `index` in the collection at `address`.
  absl::StatusOr<std::span<const uint8_t>> Object(uint64_t address, uint32_t index);

 private:
  absl::Status Load(uint64_t address);

  const Context& ctx_;
  std::unordered_map<uint64_t, std::unordered_map<uint32_t, std::span<const uint8_t>>> collections_;
};

// Decodes `count` elements of `type` from `raw` (which holds at least
// count * type.size bytes). `budget` is decremented by what is produced.
absl::Status DecodeNumbers(const DecodedType& type, std::span<const uint8_t> raw, uint64_t count,
                           uint64_t* budget, std::vector<double>* out);
absl::Status DecodeStrings(const Context& ctx, const DecodedType& type, std::span<const uint8_t> raw,
                           uint64_t count, uint64_t* budget, std::vector<std::string>* out);

// IEEE binary16 to double: util::HalfToDouble (util/dtype.h).
using util::HalfToDouble;

}  // namespace kgate::io::hdf5::internal
