// libFuzzer target for the strict ZIP reader: Open, then Read every entry.
// Seeds: fuzz/corpus/zip_fuzzer/ (tools/fixtures/make_zip_cases.py).
// Invariants checked on success: entries tile the file in order, every name
// is found by Find, and a read member has exactly its declared size.
#include <cstddef>
#include <cstdint>
#include <span>

#include "io/zip/zip_reader.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::span<const uint8_t> bytes(data, size);
  kgate::io::zip::Limits limits;
  // Keep a single input's memory well under libFuzzer's RSS limit.
  limits.max_member_bytes = uint64_t{64} << 20;
  limits.max_total_bytes = uint64_t{256} << 20;
  auto archive = kgate::io::zip::ZipArchive::Open(bytes, limits);
  if (!archive.ok()) return 0;
  uint64_t previous_end = 0;
  for (const kgate::io::zip::Entry& e : archive->entries()) {
    if (e.local_header_offset != previous_end) __builtin_trap();
    if (e.data_offset > size || e.compressed_size > size - e.data_offset) __builtin_trap();
    if (archive->Find(e.name) != &e) __builtin_trap();
    auto member = archive->Read(e);
    if (member.ok() && member->bytes().size() != e.uncompressed_size) __builtin_trap();
    previous_end = e.data_offset + e.compressed_size;
    if (e.flags & 0x0008) {
      // The 12- or 16-byte data descriptor that Open validated.
      const bool signed_descriptor = previous_end + 16 <= size && data[previous_end] == 'P' &&
                                     data[previous_end + 1] == 'K' && data[previous_end + 2] == 7 &&
                                     data[previous_end + 3] == 8;
      previous_end += signed_descriptor ? 16 : 12;
    }
  }
  return 0;
}
