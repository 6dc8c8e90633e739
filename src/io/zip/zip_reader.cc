// ZipArchive: Open validates the whole directory structure; Read returns one
// member, CRC-checked. See zip_reader.h for the rules and zip_internal.h for
// the helpers.
//
// Open walks the central directory once, in order, and for each entry checks
// its central record, then the local header it points to, which must start
// exactly where the previous entry (data plus data descriptor) ended. The
// first entry starts at offset 0 and the central directory starts exactly
// where the last entry ends, so the entries tile the file with nothing
// hidden. Duplicate names are found by sorting: O(n log n) in all.
#include "io/zip/zip_reader.h"

#include <algorithm>
#include <cstring>

#include "io/zip/zip_internal.h"
#include "util/checked_math.h"
#include "util/rules.h"
#include "util/status_macros.h"
#include "util/strings.h"

namespace kgate::io::zip {
namespace {

using util::StrCat;
namespace rules = util::rules;
using namespace internal;  // NOLINT: private helpers of this module

// st_mode file types (high 16 bits of external attributes on Unix hosts).
constexpr uint32_t kModeTypeMask = 0170000;
constexpr uint32_t kModeRegular = 0100000;
constexpr uint32_t kModeDirectory = 0040000;
constexpr uint32_t kModeSymlink = 0120000;

std::string Octal(uint32_t v) {
  std::string digits;
  do {
    digits.insert(digits.begin(), static_cast<char>('0' + (v & 7)));
    v >>= 3;
  } while (v != 0);
  return "0" + digits;
}

std::string_view MethodName(uint16_t method) {
  switch (method) {
    case 1: return " (shrink)";
    case 6: return " (implode)";
    case 9: return " (deflate64)";
    case 12: return " (bzip2)";
    case 14: return " (LZMA)";
    case 93: return " (zstd)";
    case 95: return " (xz)";
    case 99: return " (AES encryption)";
    default: return "";
  }
}

std::string_view ModeTypeName(uint32_t type) {
  switch (type) {
    case kModeSymlink: return "a symbolic link";
    case 0010000: return "a FIFO";
    case 0020000: return "a character device";
    case 0060000: return "a block device";
    case 0140000: return "a socket";
    default: return "an unknown file type";
  }
}

// Flags, method, zip64 markers and multi-disk fields of one central record.
absl::Status CheckFeatures(const CentralRecord& c, std::string_view what) {
  if (c.compressed_size == kZip64Marker32 || c.uncompressed_size == kZip64Marker32 ||
      c.local_header_offset == kZip64Marker32 || c.disk_start == kZip64Marker16) {
    return util::RuleError(rules::kZipUnsupported,
                           StrCat("zip: ", what, ": zip64 markers (0xFFFFFFFF) in the central directory "
                                  "record at offset ", c.offset, ": zip64 is not supported"));
  }
  KGATE_RETURN_IF_ERROR(CheckExtraFields(c.extra, what, "central"));
  if (c.disk_start != 0) {
    return util::RuleError(rules::kZipUnsupported,
                           StrCat("zip: ", what, ": starts on disk ", c.disk_start,
                                  ": multi-disk archives are not supported"));
  }
  if (c.flags & (kFlagEncrypted | kFlagStrongEncryption | kFlagMaskedHeaders)) {
    return util::RuleError(rules::kZipUnsupported,
                           StrCat("zip: ", what, ": encrypted (flags ", Hex(c.flags),
                                  "): encrypted members are not supported"));
  }
  if (c.method != kMethodStored && c.method != kMethodDeflate) {
    return util::RuleError(rules::kZipUnsupported,
                           StrCat("zip: ", what, ": compression method ", c.method, MethodName(c.method),
                                  " is not supported (only 0 STORED and 8 DEFLATE)"));
  }
  uint16_t allowed = kFlagDataDescriptor | kFlagUtf8;
  if (c.method == kMethodDeflate) allowed |= kFlagDeflateOption1 | kFlagDeflateOption2;
  if (c.flags & ~allowed) {
    return util::RuleError(rules::kZipUnsupported,
                           StrCat("zip: ", what, ": unsupported general-purpose flag bits ",
                                  Hex(c.flags & ~allowed), " (flags ", Hex(c.flags), ")"));
  }
  if (c.method == kMethodStored && c.compressed_size != c.uncompressed_size) {
    return util::RuleError(rules::kZipHeaderMismatch,
                           StrCat("zip: ", what, ": STORED member with compressed size ", c.compressed_size,
                                  " but uncompressed size ", c.uncompressed_size));
  }
  return absl::OkStatus();
}

// Only regular files and (empty) directories; symlinks and devices are
// refused. A file type of 0 is what Python's zipfile writes (mode 0600).
absl::Status CheckFileType(const CentralRecord& c, std::string_view name, std::string_view what) {
  const unsigned host = c.version_made_by >> 8;
  if (host != kHostUnix && host != kHostOsx) return absl::OkStatus();
  const uint32_t type = (c.external_attributes >> 16) & kModeTypeMask;
  if (type == 0 || type == kModeRegular) return absl::OkStatus();
  if (type == kModeDirectory && !name.empty() && name.back() == '/') return absl::OkStatus();
  return util::RuleError(rules::kZipSymlink,
                         StrCat("zip: ", what, ": Unix mode ", Octal(c.external_attributes >> 16),
                                " marks ", type == kModeDirectory ? "a directory (without a trailing '/')"
                                                                    : ModeTypeName(type),
                                "; only regular files are allowed"));
}

// Size, total and ratio caps on the declared sizes, before any inflation.
absl::Status CheckCaps(const CentralRecord& c, const Limits& limits, uint64_t* total, std::string_view what) {
  const uint64_t size = c.uncompressed_size;
  if (size > limits.max_member_bytes) {
    return util::RuleLimitError(rules::kZipBomb,
                                StrCat("zip: ", what, ": declares ", size, " bytes, over the per-member cap of ",
                                       limits.max_member_bytes));
  }
  *total += size;  // at most 65535 * 4 GiB: no overflow
  if (*total > limits.max_total_bytes) {
    return util::RuleLimitError(rules::kZipBomb,
                                StrCat("zip: ", what, ": members declare ", *total,
                                       " bytes in all so far, over the archive cap of ", limits.max_total_bytes));
  }
  if (c.method == kMethodDeflate && size > limits.ratio_floor_bytes) {
    std::optional<uint64_t> bound = util::CheckedMul(limits.max_ratio, c.compressed_size);
    if (bound && size > *bound) {
      return util::RuleLimitError(rules::kZipBomb,
                                  StrCat("zip: ", what, ": declares ", size, " bytes from ", c.compressed_size,
                                         " compressed, more than ", limits.max_ratio,
                                         " times: decompression bomb"));
    }
  }
  return absl::OkStatus();
}

// The local header of `c` must sit at `*expected`, agree with `c`, and its
// data (plus descriptor) end before `cd_offset`. Advances `*expected`.
absl::StatusOr<Entry> CheckLocal(std::span<const uint8_t> bytes, const CentralRecord& c, uint64_t index,
                                 uint64_t previous_offset, uint64_t cd_offset, uint64_t* expected,
                                 std::string_view what) {
  const uint64_t at = c.local_header_offset;
  if (at != *expected) {
    if (index == 0 && at > 0) {
      return util::RuleError(rules::kZipHiddenData,
                             StrCat("zip: ", at, " bytes before the first local header (", what,
                                    " at offset ", at, "): prepended data / polyglot file"));
    }
    if (at > *expected) {
      return util::RuleError(rules::kZipHiddenData,
                             StrCat("zip: ", what, ": ", at - *expected,
                                    " hidden bytes between the end of the previous entry at offset ", *expected,
                                    " and its local header at offset ", at));
    }
    if (index > 0 && at <= previous_offset) {
      return util::RuleError(rules::kZipHiddenData,
                             StrCat("zip: ", what, ": local header at offset ", at,
                                    " comes before the previous entry's at ", previous_offset,
                                    ": central directory order differs from file order"));
    }
    return util::RuleError(rules::kZipHiddenData,
                           StrCat("zip: ", what, ": local header at offset ", at,
                                  " overlaps the previous entry, which ends at offset ", *expected));
  }
  KGATE_ASSIGN_OR_RETURN(LocalRecord local, ParseLocalRecord(bytes, at, what));
  if (local.name.size() != c.name.size() ||
      !std::equal(local.name.begin(), local.name.end(), c.name.begin())) {
    return util::RuleError(rules::kZipHeaderMismatch,
                           StrCat("zip: ", what, ": local header at offset ", at, " names the member ",
                                  QuoteName(local.name), ", not the central directory's ", QuoteName(c.name)));
  }
  auto mismatch = [&](std::string_view field, uint64_t local_value, uint64_t central_value) {
    return util::RuleError(rules::kZipHeaderMismatch,
                           StrCat("zip: ", what, ": local header at offset ", at, " has ", field, " ",
                                  local_value, " but the central directory has ", central_value));
  };
  if (local.method != c.method) return mismatch("compression method", local.method, c.method);
  if (local.flags != c.flags) {
    return util::RuleError(rules::kZipHeaderMismatch,
                           StrCat("zip: ", what, ": local header at offset ", at, " has flags ", Hex(local.flags),
                                  " but the central directory has ", Hex(c.flags)));
  }
  KGATE_RETURN_IF_ERROR(CheckExtraFields(local.extra, what, "local"));
  const bool descriptor = (c.flags & kFlagDataDescriptor) != 0;
  // With a data descriptor the local fields may be zero (the values follow
  // the data); otherwise, and whenever they are set, they must agree.
  auto differs = [&](uint32_t l, uint32_t central) { return l != central && !(descriptor && l == 0); };
  if (differs(local.crc32, c.crc32)) {
    return util::RuleError(rules::kZipHeaderMismatch,
                           StrCat("zip: ", what, ": local header at offset ", at, " has CRC-32 ", Hex(local.crc32),
                                  " but the central directory has ", Hex(c.crc32)));
  }
  if (differs(local.compressed_size, c.compressed_size)) {
    return mismatch("compressed size", local.compressed_size, c.compressed_size);
  }
  if (differs(local.uncompressed_size, c.uncompressed_size)) {
    return mismatch("uncompressed size", local.uncompressed_size, c.uncompressed_size);
  }
  if (!util::RangeFits(local.data_offset, c.compressed_size, bytes.size())) {
    return util::RuleError(rules::kZipMalformed,
                           StrCat("zip: ", what, ": ", c.compressed_size, " bytes of data at offset ",
                                  local.data_offset, " run past the end of the file (", bytes.size(), " bytes)"));
  }
  uint64_t end = local.data_offset + c.compressed_size;
  if (descriptor && end <= cd_offset) {
    KGATE_ASSIGN_OR_RETURN(uint64_t length, CheckDataDescriptor(bytes, end, c, what));
    end += length;
  }
  if (end > cd_offset) {
    return util::RuleError(rules::kZipHiddenData,
                           StrCat("zip: ", what, ": data ends at offset ", end,
                                  ", inside the central directory that starts at ", cd_offset,
                                  ": overlapping entries"));
  }
  *expected = end;
  Entry e;
  e.name.assign(reinterpret_cast<const char*>(c.name.data()), c.name.size());
  e.method = c.method;
  e.flags = c.flags;
  e.crc32 = c.crc32;
  e.compressed_size = c.compressed_size;
  e.uncompressed_size = c.uncompressed_size;
  e.local_header_offset = at;
  e.data_offset = local.data_offset;
  e.external_attributes = c.external_attributes;
  return e;
}

// Where the central directory must be, given the EOCD record.
absl::Status CheckCentralDirLocation(std::span<const uint8_t> bytes, const EndOfCentralDir& eocd) {
  const uint64_t cd_end = uint64_t{eocd.cd_offset} + eocd.cd_size;
  if (cd_end > eocd.offset) {
    return util::RuleError(rules::kZipMalformed,
                           StrCat("zip: central directory at offset ", eocd.cd_offset, " with ", eocd.cd_size,
                                  " bytes runs past the end of central directory record at ", eocd.offset));
  }
  if (cd_end == eocd.offset) return absl::OkStatus();
  const uint64_t real_start = eocd.offset - eocd.cd_size;
  const bool shifted = eocd.entries_total == 0 ||
                       (util::RangeFits(real_start, 4, bytes.size()) &&
                        std::memcmp(bytes.data() + real_start, "PK\1\2", 4) == 0);
  if (shifted) {
    return util::RuleError(rules::kZipHiddenData,
                           StrCat("zip: the central directory lies at offset ", real_start,
                                  " but the end record says ", eocd.cd_offset, ": ", real_start - eocd.cd_offset,
                                  " bytes were prepended to the archive (polyglot file)"));
  }
  return util::RuleError(rules::kZipHiddenData,
                         StrCat("zip: ", eocd.offset - cd_end, " hidden bytes between the end of the central "
                                "directory at offset ", cd_end, " and the end of central directory record at ",
                                eocd.offset));
}

}  // namespace

MemberData MemberData::View(std::span<const uint8_t> bytes) {
  MemberData m;
  m.view_ = bytes;
  return m;
}

MemberData MemberData::Owned(std::vector<uint8_t> bytes) {
  MemberData m;
  m.owned_ = std::move(bytes);
  m.view_ = m.owned_;
  return m;
}

absl::StatusOr<ZipArchive> ZipArchive::Open(std::span<const uint8_t> bytes, const Limits& limits) {
  KGATE_ASSIGN_OR_RETURN(EndOfCentralDir eocd, FindEndOfCentralDir(bytes));
  if (eocd.entries_total > limits.max_entries) {
    return util::RuleLimitError(rules::kZipBomb,
                                StrCat("zip: the archive declares ", eocd.entries_total,
                                       " entries, over the cap of ", limits.max_entries));
  }
  KGATE_RETURN_IF_ERROR(CheckCentralDirLocation(bytes, eocd));
  const uint64_t cd_end = uint64_t{eocd.cd_offset} + eocd.cd_size;
  std::vector<Entry> entries;
  // Never more records than the directory's bytes can hold.
  entries.reserve(std::min<uint64_t>(eocd.entries_total, eocd.cd_size / kCentralHeaderBytes));
  uint64_t pos = eocd.cd_offset;
  uint64_t expected_local = 0;
  uint64_t total = 0;
  for (uint64_t i = 0; i < eocd.entries_total; ++i) {
    KGATE_ASSIGN_OR_RETURN(CentralRecord c, ParseCentralRecord(bytes, pos, cd_end, i));
    const std::string what = DescribeEntry(i, c.name);
    const std::string_view name(reinterpret_cast<const char*>(c.name.data()), c.name.size());
    KGATE_RETURN_IF_ERROR(CheckFeatures(c, what));
    KGATE_RETURN_IF_ERROR(
        CheckName(c.name, (c.flags & kFlagUtf8) != 0, c.uncompressed_size, limits.max_name_bytes, what));
    KGATE_RETURN_IF_ERROR(CheckFileType(c, name, what));
    KGATE_RETURN_IF_ERROR(CheckCaps(c, limits, &total, what));
    const uint64_t previous = entries.empty() ? 0 : entries.back().local_header_offset;
    KGATE_ASSIGN_OR_RETURN(Entry e, CheckLocal(bytes, c, i, previous, eocd.cd_offset, &expected_local, what));
    entries.push_back(std::move(e));
    pos = c.end;
  }
  if (pos != cd_end) {
    return util::RuleError(rules::kZipMalformed,
                           StrCat("zip: the end record gives the central directory ", eocd.cd_size,
                                  " bytes, but its ", eocd.entries_total, " entries take ", pos - eocd.cd_offset));
  }
  if (expected_local != eocd.cd_offset) {
    return util::RuleError(rules::kZipHiddenData,
                           StrCat("zip: ", eocd.cd_offset - expected_local, " hidden bytes between the end of ",
                                  entries.empty() ? "nothing" : "the last entry", " at offset ", expected_local,
                                  " and the central directory at offset ", eocd.cd_offset));
  }
  KGATE_RETURN_IF_ERROR(CheckDuplicates(entries));
  return ZipArchive(bytes, limits, std::move(entries));
}

const Entry* ZipArchive::Find(std::string_view name) const {
  for (const Entry& e : entries_) {
    if (e.name == name) return &e;
  }
  return nullptr;
}

absl::StatusOr<MemberData> ZipArchive::Read(const Entry& entry) const {
  // Only entries that Open validated: entries_ is in file order, so the
  // local header offset finds the one candidate.
  auto it = std::lower_bound(entries_.begin(), entries_.end(), entry.local_header_offset,
                             [](const Entry& e, uint64_t v) { return e.local_header_offset < v; });
  if (it == entries_.end() || it->local_header_offset != entry.local_header_offset || it->name != entry.name ||
      it->method != entry.method || it->crc32 != entry.crc32 || it->data_offset != entry.data_offset ||
      it->compressed_size != entry.compressed_size || it->uncompressed_size != entry.uncompressed_size) {
    return absl::InvalidArgumentError(
        StrCat("zip: Read: entry '", entry.name, "' at offset ", entry.local_header_offset,
               " is not an entry of this archive"));
  }
  const Entry& e = *it;
  const std::span<const uint8_t> name(reinterpret_cast<const uint8_t*>(e.name.data()), e.name.size());
  const std::string what = StrCat(DescribeEntry(it - entries_.begin(), name), " at offset ", e.local_header_offset);
  const std::span<const uint8_t> data = bytes_.subspan(e.data_offset, e.compressed_size);
  MemberData out;
  if (e.method == kMethodStored) {
    out = MemberData::View(data);
  } else {
    KGATE_ASSIGN_OR_RETURN(std::vector<uint8_t> inflated, Inflate(data, e.uncompressed_size, what));
    out = MemberData::Owned(std::move(inflated));
  }
  const uint32_t crc = Crc32(out.bytes());
  if (crc != e.crc32) {
    return util::RuleError(rules::kZipCrcMismatch,
                           StrCat("zip: ", what, ": CRC-32 of the content is ", Hex(crc), " but the header says ",
                                  Hex(e.crc32), " (tampered or corrupt)"));
  }
  return out;
}

bool LooksLikeZip(std::span<const uint8_t> bytes) {
  return bytes.size() >= 4 && std::memcmp(bytes.data(), "PK\3\4", 4) == 0;
}

}  // namespace kgate::io::zip
