// Decoding of the fixed ZIP records: end of central directory, central and
// local headers, extra fields and data descriptors. Structural damage is
// KG-Z001; zip64 and other unsupported features KG-Z007; bytes appended
// after the archive KG-Z003; a descriptor that disagrees KG-Z002.
#include <cstring>

#include "io/zip/zip_internal.h"
#include "util/checked_math.h"
#include "util/rules.h"
#include "util/strings.h"

namespace kgate::io::zip::internal {
namespace {

using util::StrCat;
namespace rules = util::rules;

// Names longer than this are cut in messages (the cap on names is separate).
constexpr size_t kMaxQuotedNameBytes = 120;

uint16_t Le16(std::span<const uint8_t> b, uint64_t at) {
  uint16_t v;
  std::memcpy(&v, b.data() + at, sizeof(v));
  return v;
}

uint32_t Le32(std::span<const uint8_t> b, uint64_t at) {
  uint32_t v;
  std::memcpy(&v, b.data() + at, sizeof(v));
  return v;
}

}  // namespace

std::string Hex(uint32_t v) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out = "0x";
  bool started = false;
  for (int shift = 28; shift >= 0; shift -= 4) {
    unsigned d = (v >> shift) & 0xF;
    if (d != 0 || started || shift == 0) {
      out.push_back(kDigits[d]);
      started = true;
    }
  }
  return out;
}

std::string QuoteName(std::span<const uint8_t> name) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out = "'";
  size_t n = std::min(name.size(), kMaxQuotedNameBytes);
  for (size_t i = 0; i < n; ++i) {
    uint8_t c = name[i];
    if (c >= 0x20 && c < 0x7f && c != '\\' && c != '\'') {
      out.push_back(static_cast<char>(c));
    } else {
      out += "\\x";
      out.push_back(kDigits[c >> 4]);
      out.push_back(kDigits[c & 0xF]);
    }
  }
  if (n < name.size()) out += "...";
  out.push_back('\'');
  return out;
}

std::string DescribeEntry(uint64_t index, std::span<const uint8_t> name) {
  return StrCat("entry ", index, " ", QuoteName(name));
}

absl::StatusOr<EndOfCentralDir> FindEndOfCentralDir(std::span<const uint8_t> bytes) {
  const uint64_t size = bytes.size();
  if (size < kEndOfCentralDirBytes) {
    return util::RuleError(rules::kZipMalformed,
                           StrCat("zip: file is ", size, " bytes, too short for the ",
                                  kEndOfCentralDirBytes, "-byte end of central directory record"));
  }
  // The last signature wins, as in Python's zipfile; its comment must then
  // end exactly at the end of the file.
  const uint64_t last = size - kEndOfCentralDirBytes;
  const uint64_t window = std::min<uint64_t>(last, kMaxEocdSearchBytes - kEndOfCentralDirBytes);
  uint64_t pos = last;
  bool found = false;
  for (uint64_t back = 0; back <= window; ++back) {
    pos = last - back;
    if (Le32(bytes, pos) == kEndOfCentralDirSignature) {
      found = true;
      break;
    }
  }
  if (!found) {
    return util::RuleError(rules::kZipMalformed,
                           StrCat("zip: no end of central directory record (signature PK\\5\\6) in the last ",
                                  window + kEndOfCentralDirBytes, " bytes: not a ZIP archive or truncated"));
  }
  EndOfCentralDir e;
  e.offset = pos;
  e.disk = Le16(bytes, pos + 4);
  e.cd_disk = Le16(bytes, pos + 6);
  e.entries_on_disk = Le16(bytes, pos + 8);
  e.entries_total = Le16(bytes, pos + 10);
  e.cd_size = Le32(bytes, pos + 12);
  e.cd_offset = Le32(bytes, pos + 16);
  e.comment_bytes = Le16(bytes, pos + 20);
  const uint64_t after = size - pos - kEndOfCentralDirBytes;
  if (e.comment_bytes > after) {
    return util::RuleError(rules::kZipMalformed,
                           StrCat("zip: end of central directory record at offset ", pos, " declares a ",
                                  e.comment_bytes, "-byte comment but only ", after,
                                  " bytes follow it (truncated file)"));
  }
  if (e.comment_bytes < after) {
    return util::RuleError(rules::kZipHiddenData,
                           StrCat("zip: ", after - e.comment_bytes,
                                  " bytes after the end of the archive (the end of central directory "
                                  "record at offset ", pos, " has a ", e.comment_bytes,
                                  "-byte comment that must end at end of file): appended data"));
  }
  if (pos >= kZip64LocatorBytes && Le32(bytes, pos - kZip64LocatorBytes) == kZip64LocatorSignature) {
    return util::RuleError(rules::kZipUnsupported,
                           StrCat("zip: zip64 end of central directory locator at offset ",
                                  pos - kZip64LocatorBytes, ": zip64 archives are not supported"));
  }
  if (e.entries_on_disk == kZip64Marker16 || e.entries_total == kZip64Marker16 ||
      e.cd_size == kZip64Marker32 || e.cd_offset == kZip64Marker32 || e.disk == kZip64Marker16 ||
      e.cd_disk == kZip64Marker16) {
    return util::RuleError(rules::kZipUnsupported,
                           StrCat("zip: end of central directory record at offset ", pos,
                                  " holds zip64 markers (0xFFFF / 0xFFFFFFFF): zip64 archives are not supported"));
  }
  if (e.disk != 0 || e.cd_disk != 0) {
    return util::RuleError(rules::kZipUnsupported,
                           StrCat("zip: multi-disk archive (disk ", e.disk, ", central directory on disk ",
                                  e.cd_disk, "): only single-disk archives are supported"));
  }
  if (e.entries_on_disk != e.entries_total) {
    return util::RuleError(rules::kZipMalformed,
                           StrCat("zip: end of central directory record counts ", e.entries_on_disk,
                                  " entries on this disk but ", e.entries_total, " in total"));
  }
  return e;
}

absl::StatusOr<CentralRecord> ParseCentralRecord(std::span<const uint8_t> bytes, uint64_t offset,
                                                 uint64_t limit, uint64_t index) {
  if (!util::RangeFits(offset, kCentralHeaderBytes, limit)) {
    return util::RuleError(rules::kZipMalformed,
                           StrCat("zip: central directory entry ", index, " at offset ", offset,
                                  " runs past the end of the central directory at ", limit,
                                  " (entry count or directory size is wrong)"));
  }
  if (Le32(bytes, offset) != kCentralHeaderSignature) {
    return util::RuleError(rules::kZipMalformed,
                           StrCat("zip: no central directory header signature (PK\\1\\2) at offset ", offset,
                                  " for entry ", index, "; found ", Hex(Le32(bytes, offset))));
  }
  CentralRecord r;
  r.offset = offset;
  r.version_made_by = Le16(bytes, offset + 4);
  r.flags = Le16(bytes, offset + 8);
  r.method = Le16(bytes, offset + 10);
  r.crc32 = Le32(bytes, offset + 16);
  r.compressed_size = Le32(bytes, offset + 20);
  r.uncompressed_size = Le32(bytes, offset + 24);
  const uint16_t name_bytes = Le16(bytes, offset + 28);
  const uint16_t extra_bytes = Le16(bytes, offset + 30);
  const uint16_t comment_bytes = Le16(bytes, offset + 32);
  r.disk_start = Le16(bytes, offset + 34);
  r.external_attributes = Le32(bytes, offset + 38);
  r.local_header_offset = Le32(bytes, offset + 42);
  const uint64_t variable = uint64_t{name_bytes} + extra_bytes + comment_bytes;
  if (!util::RangeFits(offset + kCentralHeaderBytes, variable, limit)) {
    return util::RuleError(rules::kZipMalformed,
                           StrCat("zip: central directory entry ", index, " at offset ", offset,
                                  ": name, extra field and comment (", variable,
                                  " bytes) run past the end of the central directory at ", limit));
  }
  r.name = bytes.subspan(offset + kCentralHeaderBytes, name_bytes);
  r.extra = bytes.subspan(offset + kCentralHeaderBytes + name_bytes, extra_bytes);
  r.end = offset + kCentralHeaderBytes + variable;
  return r;
}

absl::StatusOr<LocalRecord> ParseLocalRecord(std::span<const uint8_t> bytes, uint64_t offset,
                                             std::string_view what) {
  if (!util::RangeFits(offset, kLocalHeaderBytes, bytes.size())) {
    return util::RuleError(rules::kZipMalformed,
                           StrCat("zip: ", what, ": local header at offset ", offset,
                                  " runs past the end of the file (", bytes.size(), " bytes)"));
  }
  if (Le32(bytes, offset) != kLocalHeaderSignature) {
    return util::RuleError(rules::kZipMalformed,
                           StrCat("zip: ", what, ": no local header signature (PK\\3\\4) at offset ", offset,
                                  "; found ", Hex(Le32(bytes, offset))));
  }
  LocalRecord r;
  r.flags = Le16(bytes, offset + 6);
  r.method = Le16(bytes, offset + 8);
  r.crc32 = Le32(bytes, offset + 14);
  r.compressed_size = Le32(bytes, offset + 18);
  r.uncompressed_size = Le32(bytes, offset + 22);
  const uint16_t name_bytes = Le16(bytes, offset + 26);
  const uint16_t extra_bytes = Le16(bytes, offset + 28);
  const uint64_t start = offset + kLocalHeaderBytes;
  if (!util::RangeFits(start, uint64_t{name_bytes} + extra_bytes, bytes.size())) {
    return util::RuleError(rules::kZipMalformed,
                           StrCat("zip: ", what, ": local header at offset ", offset, " declares ",
                                  name_bytes, " name and ", extra_bytes,
                                  " extra bytes that run past the end of the file"));
  }
  r.name = bytes.subspan(start, name_bytes);
  r.extra = bytes.subspan(start + name_bytes, extra_bytes);
  r.data_offset = start + name_bytes + extra_bytes;
  return r;
}

absl::Status CheckExtraFields(std::span<const uint8_t> extra, std::string_view what,
                              std::string_view which) {
  uint64_t pos = 0;
  while (pos < extra.size()) {
    if (extra.size() - pos < 4) {
      return util::RuleError(rules::kZipMalformed,
                             StrCat("zip: ", what, ": ", which, " extra field has ", extra.size() - pos,
                                    " stray bytes at position ", pos, " (a field header needs 4)"));
    }
    const uint16_t id = Le16(extra, pos);
    const uint16_t size = Le16(extra, pos + 2);
    if (size > extra.size() - pos - 4) {
      return util::RuleError(rules::kZipMalformed,
                             StrCat("zip: ", what, ": ", which, " extra field ", Hex(id), " at position ", pos,
                                    " declares ", size, " bytes but only ", extra.size() - pos - 4,
                                    " remain in the ", extra.size(), "-byte extra area"));
    }
    switch (id) {
      case 0x0001:
        return util::RuleError(rules::kZipUnsupported,
                               StrCat("zip: ", what, ": ", which,
                                      " extra field holds a zip64 extended information record (0x0001): "
                                      "zip64 is not supported"));
      case 0x0017:
      case 0x9901:
        return util::RuleError(rules::kZipUnsupported,
                               StrCat("zip: ", what, ": ", which, " extra field ", Hex(id),
                                      " describes encryption: encrypted members are not supported"));
      case 0x7075:
        // Info-ZIP unzip would show this name instead of the header's.
        return util::RuleError(rules::kZipUnsupported,
                               StrCat("zip: ", what, ": ", which,
                                      " extra field holds an Info-ZIP Unicode Path (0x7075), a second "
                                      "name for the member: not supported"));
      default:
        break;  // timestamps (0x5455), Unix ids (0x7875), NTFS (0x000a), alignment padding, ...
    }
    pos += 4 + uint64_t{size};
  }
  return absl::OkStatus();
}

absl::StatusOr<uint64_t> CheckDataDescriptor(std::span<const uint8_t> bytes, uint64_t offset,
                                             const CentralRecord& central, std::string_view what) {
  // The signature is optional (APPNOTE 4.3.9.3); with it the record is 16
  // bytes, without 12. Try the signed form first, as writers use it.
  uint64_t fields = offset;
  uint64_t length = 12;
  if (util::RangeFits(offset, 16, bytes.size()) && Le32(bytes, offset) == kDataDescriptorSignature) {
    fields = offset + 4;
    length = 16;
  }
  if (!util::RangeFits(fields, 12, bytes.size())) {
    return util::RuleError(rules::kZipMalformed,
                           StrCat("zip: ", what, ": data descriptor at offset ", offset,
                                  " runs past the end of the file"));
  }
  const uint32_t crc = Le32(bytes, fields);
  const uint32_t csize = Le32(bytes, fields + 4);
  const uint32_t usize = Le32(bytes, fields + 8);
  if (crc != central.crc32 || csize != central.compressed_size || usize != central.uncompressed_size) {
    return util::RuleError(rules::kZipHeaderMismatch,
                           StrCat("zip: ", what, ": data descriptor at offset ", offset, " (crc ", Hex(crc),
                                  ", compressed ", csize, ", size ", usize,
                                  ") disagrees with the central directory (crc ", Hex(central.crc32),
                                  ", compressed ", central.compressed_size, ", size ",
                                  central.uncompressed_size, ")"));
  }
  return length;
}

}  // namespace kgate::io::zip::internal
