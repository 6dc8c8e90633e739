// File: npy.h
// Strict reader and writer for NumPy .npy files (format versions 1.0, 2.0 and
// 3.0): little-endian or byte-order-free numeric and bool dtypes, C order
// only. The header dictionary is parsed by a small literal grammar (never
// evaluated): exactly the keys 'descr', 'fortran_order' and 'shape', each once.
// Object arrays (pickles), big-endian, Fortran order, structured dtypes, and
// shapes whose element count overflows or disagrees with the payload size are
// refused with INVALID_ARGUMENT naming the header field and what was expected.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "util/dtype.h"

namespace kgate::io::npy {

struct Limits {
  uint64_t max_header_bytes = 64 * 1024;          // NumPy itself caps headers at 10 KiB by default
  uint64_t max_data_bytes = uint64_t{4} << 30;    // 4 GiB payload
  uint32_t max_rank = 32;                          // NumPy's NPY_MAXDIMS (64 since 2.0); 32 is ample
};

struct Array {
  util::DType dtype = util::DType::kFloat32;
  std::vector<int64_t> shape;   // empty = scalar
  std::vector<uint8_t> data;    // C order, little-endian, DTypeSize(dtype) * NumElements bytes

  uint64_t NumElements() const;  // 0 when a dimension is negative or the product overflows
};

absl::StatusOr<Array> Parse(std::span<const uint8_t> bytes, const Limits& limits = {});
// Serializes as format version 1.0 (2.0 when the header would not fit),
// byte for byte as NumPy 2.x's numpy.save writes it (data 64-byte aligned).
// bfloat16, which NumPy lacks, is written as float32 (exactly). Returns an
// empty vector for an array that cannot be written (kString, or data whose
// size is not NumElements() * DTypeSize(dtype)); WriteFile says why.
std::vector<uint8_t> Serialize(const Array& array);

absl::StatusOr<Array> ReadFile(const std::string& path, const Limits& limits = {});
absl::Status WriteFile(const std::string& path, const Array& array);

}  // namespace kgate::io::npy
