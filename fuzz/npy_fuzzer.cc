// libFuzzer target for the strict .npy reader and the writer: whatever
// Parse accepts must serialize and parse back to the same array.
// Seeds: fuzz/corpus/npy_fuzzer/ (tools/fixtures/make_npy_cases.py).
#include <cstddef>
#include <cstdint>
#include <span>

#include "io/npy/npy.h"
#include "util/dtype.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  kgate::io::npy::Limits limits;
  limits.max_data_bytes = uint64_t{64} << 20;
  auto array = kgate::io::npy::Parse(std::span<const uint8_t>(data, size), limits);
  if (!array.ok()) return 0;
  if (array->data.size() != array->NumElements() * kgate::util::DTypeSize(array->dtype)) __builtin_trap();
  const std::vector<uint8_t> written = kgate::io::npy::Serialize(*array);
  if (written.empty()) __builtin_trap();
  kgate::io::npy::Limits relaxed = limits;
  relaxed.max_header_bytes = uint64_t{1} << 24;
  auto back = kgate::io::npy::Parse(written, relaxed);
  if (!back.ok() || back->dtype != array->dtype || back->shape != array->shape || back->data != array->data) {
    __builtin_trap();
  }
  return 0;
}
