// File: zip_reader.h
// A strict, read-only ZIP reader for .keras archives. It never extracts to
// disk and never trusts one structure without the other: every central
// directory entry is cross-checked against its local header (name, method,
// flags, sizes, CRC), entries must tile the file in order from offset 0 with
// nothing hidden before, between or overlapping them, and names must be
// relative, forward-slash, free of "..", control characters and duplicates
// (also after case folding and "./" normalisation). Only STORED and DEFLATE
// are supported; encryption, zip64, multi-disk archives, data descriptors
// whose values disagree, and symlink or other non-regular entries are refused.
// Caps on entry count, member size, total size and compression ratio are
// checked on the declared sizes at Open, and inflation stops as soon as a
// member would exceed its declared size, so a bomb is refused before it
// inflates and a lying header stops at its claim, not after.
//
// Every error carries a rule from util/rules.h (KG-Z001..KG-Z009) and names
// the member and the offset. A ZipArchive is a view: the bytes given to Open
// must outlive it and every MemberData it returns. Reading members from many
// threads at once is safe.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace kgate::io::zip {

struct Limits {
  // A .keras file has 3 members plus assets; 4096 is generous yet bounds the
  // per-entry bookkeeping a hostile central directory can demand.
  uint32_t max_entries = 4096;
  uint64_t max_member_bytes = uint64_t{8} << 30;   // 8 GiB uncompressed per member
  // Checked at Open on the sum of the declared sizes: a read never yields
  // more than its member's declared size, so no read state is needed.
  uint64_t max_total_bytes = uint64_t{16} << 30;   // 16 GiB uncompressed over all members
  // A DEFLATE member that would inflate to more than this many times its
  // compressed size is a bomb, once it is larger than ratio_floor_bytes.
  // Real weights compress 1.1-3x; JSON configs up to ~20x.
  uint32_t max_ratio = 100;
  uint64_t ratio_floor_bytes = uint64_t{1} << 20;  // 1 MiB
  uint32_t max_name_bytes = 1024;
};

struct Entry {
  std::string name;
  uint16_t method = 0;            // 0 STORED, 8 DEFLATE
  uint16_t flags = 0;             // general-purpose bit flag
  uint32_t crc32 = 0;
  uint64_t compressed_size = 0;
  uint64_t uncompressed_size = 0;
  uint64_t local_header_offset = 0;
  uint64_t data_offset = 0;       // first byte of the (compressed) data
  uint32_t external_attributes = 0;
};

// The bytes of one member: a view into the archive for STORED members, or an
// owned buffer for inflated ones. Move-only.
class MemberData {
 public:
  MemberData() = default;
  MemberData(MemberData&&) noexcept = default;
  MemberData& operator=(MemberData&&) noexcept = default;
  MemberData(const MemberData&) = delete;  // view_ may point into owned_
  MemberData& operator=(const MemberData&) = delete;

  static MemberData View(std::span<const uint8_t> bytes);
  static MemberData Owned(std::vector<uint8_t> bytes);

  std::span<const uint8_t> bytes() const { return view_; }
  std::string_view text() const {
    return {reinterpret_cast<const char*>(view_.data()), view_.size()};
  }

 private:
  std::vector<uint8_t> owned_;
  std::span<const uint8_t> view_;
};

class ZipArchive {
 public:
  // Parses and validates the whole directory structure of `bytes`. Member
  // contents are checked (CRC, inflation caps) when read.
  static absl::StatusOr<ZipArchive> Open(std::span<const uint8_t> bytes, const Limits& limits = {});

  // Entries in central-directory order (which equals file order).
  const std::vector<Entry>& entries() const { return entries_; }
  // The entry with exactly this name, or nullptr.
  const Entry* Find(std::string_view name) const;

  // Reads, inflates if needed, and CRC-checks one member.
  absl::StatusOr<MemberData> Read(const Entry& entry) const;

 private:
  ZipArchive(std::span<const uint8_t> bytes, Limits limits, std::vector<Entry> entries)
      : bytes_(bytes), limits_(limits), entries_(std::move(entries)) {}

  std::span<const uint8_t> bytes_;
  Limits limits_;
  std::vector<Entry> entries_;
};

// True when `bytes` start with a ZIP local file header signature.
bool LooksLikeZip(std::span<const uint8_t> bytes);

}  // namespace kgate::io::zip
