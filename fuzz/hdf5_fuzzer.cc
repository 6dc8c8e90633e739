// libFuzzer target for the strict HDF5 reader: opens the input, visits every
// object, reads every dataset's data (and strings), decodes attributes (done
// by opening) and resolves visited paths again through OpenPath. Inputs with
// version 2/3 superblocks or "OHDR" headers are run a second time with those
// checksums recomputed, so mutations also reach the decoders behind them.
// Seeds: fuzz/corpus/hdf5_fuzzer/ (written by tools/fixtures/make_hdf5_cases.py).
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "io/hdf5/hdf5.h"
#include "io/hdf5/internal/checksum.h"

namespace {

using kgate::io::hdf5::Dataset;
using kgate::io::hdf5::File;
using kgate::io::hdf5::Limits;
using kgate::io::hdf5::Link;
using kgate::io::hdf5::Object;
using kgate::io::hdf5::TypeClass;

// Smaller caps than the defaults keep each run fast; the logic under test is
// the same at any cap.
Limits FuzzLimits() {
  Limits limits;
  limits.max_dataset_bytes = uint64_t{8} << 20;
  limits.max_attribute_bytes = uint64_t{4} << 20;
  limits.max_objects_visited = 4096;
  limits.accept_fletcher32 = true;  // fuzz its decoder too
  return limits;
}

void Store32(std::vector<uint8_t>& b, size_t at, uint32_t v) {
  for (int i = 0; i < 4; ++i) b[at + i] = static_cast<uint8_t>(v >> (8 * i));
}

// Recomputes the superblock (v2/v3) and "OHDR" chunk-0 checksums in place;
// returns whether anything could be resealed.
bool Reseal(std::vector<uint8_t>& b) {
  using kgate::io::hdf5::internal::Lookup3;
  bool changed = false;
  if (b.size() > 12 && (b[8] == 2 || b[8] == 3)) {
    const size_t end = 12 + 4 * size_t{b[9]};
    if (end + 4 <= b.size()) {
      Store32(b, end, Lookup3(std::span<const uint8_t>(b).first(end)));
      changed = true;
    }
  }
  for (size_t pos = 0; pos + 8 <= b.size(); ++pos) {
    if (b[pos] != 'O' || b[pos + 1] != 'H' || b[pos + 2] != 'D' || b[pos + 3] != 'R') continue;
    const uint8_t flags = b[pos + 5];
    size_t p = pos + 6 + ((flags & 0x20) ? 16 : 0) + ((flags & 0x10) ? 4 : 0);
    const size_t width = size_t{1} << (flags & 3);
    if (p + width > b.size()) continue;
    uint64_t chunk = 0;
    for (size_t i = 0; i < width; ++i) chunk |= uint64_t{b[p + i]} << (8 * i);
    p += width;
    if (chunk > b.size() || p + chunk + 4 > b.size()) continue;
    Store32(b, p + chunk, Lookup3(std::span<const uint8_t>(b).subspan(pos, p + chunk - pos)));
    changed = true;
  }
  return changed;
}

void Run(std::span<const uint8_t> bytes);

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::span<const uint8_t> bytes(data, size);
  Run(bytes);
  std::vector<uint8_t> resealed(bytes.begin(), bytes.end());
  if (Reseal(resealed)) Run(resealed);
  return 0;
}

namespace {

void Run(std::span<const uint8_t> bytes) {
  (void)kgate::io::hdf5::LooksLikeHdf5(bytes);
  (void)kgate::io::hdf5::HasHdf5SignatureAfterUserBlock(bytes);
  auto file = File::Open(bytes, FuzzLimits());
  if (!file.ok()) return;
  std::vector<std::string> paths;
  (void)file->Visit(
      [&](std::string_view path, const absl::StatusOr<Object>& object) {
        paths.emplace_back(path);
        if (!object.ok()) return;
        const Dataset* d = std::get_if<Dataset>(&*object);
        if (d == nullptr) return;
        auto buffer = file->ReadData(*d);
        if (buffer.ok() && buffer->bytes().size() != d->declared_bytes()) __builtin_trap();
        if (d->type.type_class == TypeClass::kFixedString || d->type.type_class == TypeClass::kVlenString) {
          (void)file->ReadStrings(*d);
        }
        for (const auto& attr : d->attributes) {
          if (attr.numbers.size() + attr.strings.size() != attr.space.num_elements()) __builtin_trap();
        }
      },
      [&](std::string_view group, const Link& link) { (void)link.target.size(); });
  // Path resolution re-reads every group on the way; a few paths suffice.
  constexpr size_t kPathsResolved = 8;
  for (size_t i = 0; i < paths.size() && i < kPathsResolved; ++i) (void)file->OpenPath(paths[i]);
}

}  // namespace
