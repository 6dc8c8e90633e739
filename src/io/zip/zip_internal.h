// File: zip_internal.h
// Private to src/io/zip. The record layouts of the ZIP format (APPNOTE 6.3.10
// sections 4.3.7, 4.3.9, 4.3.12, 4.3.16) and the helpers that zip_reader.cc
// composes: record parsing (zip_records.cc), member-name rules and duplicate
// detection (zip_names.cc), and bounded inflation with CRC-32 (zip_inflate.cc).
// Every function here reads only inside the span it is given and returns a
// status tagged with a KG-Z rule; none of them keeps a pointer after it
// returns, except that record views (name, extra) point into the archive.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "io/zip/zip_reader.h"

namespace kgate::io::zip::internal {

inline constexpr uint32_t kLocalHeaderSignature = 0x04034b50;       // "PK\3\4"
inline constexpr uint32_t kCentralHeaderSignature = 0x02014b50;     // "PK\1\2"
inline constexpr uint32_t kEndOfCentralDirSignature = 0x06054b50;   // "PK\5\6"
inline constexpr uint32_t kZip64LocatorSignature = 0x07064b50;      // "PK\6\7"
inline constexpr uint32_t kDataDescriptorSignature = 0x08074b50;    // "PK\7\8"

inline constexpr uint64_t kLocalHeaderBytes = 30;
inline constexpr uint64_t kCentralHeaderBytes = 46;
inline constexpr uint64_t kEndOfCentralDirBytes = 22;
inline constexpr uint64_t kZip64LocatorBytes = 20;
// The EOCD comment length is a uint16, so the record starts at most this far
// before the end of the file.
inline constexpr uint64_t kMaxEocdSearchBytes = 65535 + kEndOfCentralDirBytes;

// Values that announce a zip64 field (APPNOTE 4.4.1.4).
inline constexpr uint16_t kZip64Marker16 = 0xFFFF;
inline constexpr uint32_t kZip64Marker32 = 0xFFFFFFFF;

// General-purpose flag bits (APPNOTE 4.4.4).
inline constexpr uint16_t kFlagEncrypted = 1u << 0;
inline constexpr uint16_t kFlagDeflateOption1 = 1u << 1;   // compression level hint
inline constexpr uint16_t kFlagDeflateOption2 = 1u << 2;
inline constexpr uint16_t kFlagDataDescriptor = 1u << 3;
inline constexpr uint16_t kFlagStrongEncryption = 1u << 6;
inline constexpr uint16_t kFlagUtf8 = 1u << 11;
inline constexpr uint16_t kFlagMaskedHeaders = 1u << 13;   // central directory encryption

inline constexpr uint16_t kMethodStored = 0;
inline constexpr uint16_t kMethodDeflate = 8;
// "Version made by" hosts whose external attributes carry a Unix st_mode.
inline constexpr uint8_t kHostUnix = 3;
inline constexpr uint8_t kHostOsx = 19;

struct EndOfCentralDir {
  uint64_t offset = 0;  // where the record starts
  uint16_t disk = 0;
  uint16_t cd_disk = 0;
  uint16_t entries_on_disk = 0;
  uint16_t entries_total = 0;
  uint32_t cd_size = 0;
  uint32_t cd_offset = 0;
  uint16_t comment_bytes = 0;
};

struct CentralRecord {
  uint64_t offset = 0;  // of the record itself
  uint16_t version_made_by = 0;
  uint16_t flags = 0;
  uint16_t method = 0;
  uint32_t crc32 = 0;
  uint32_t compressed_size = 0;
  uint32_t uncompressed_size = 0;
  uint16_t disk_start = 0;
  uint32_t external_attributes = 0;
  uint32_t local_header_offset = 0;
  std::span<const uint8_t> name;
  std::span<const uint8_t> extra;
  uint64_t end = 0;  // offset just past the record's name, extra field and comment
};

struct LocalRecord {
  uint16_t flags = 0;
  uint16_t method = 0;
  uint32_t crc32 = 0;
  uint32_t compressed_size = 0;
  uint32_t uncompressed_size = 0;
  std::span<const uint8_t> name;
  std::span<const uint8_t> extra;
  uint64_t data_offset = 0;
};

// "0x1f" (lower-case hex, no leading zeros).
std::string Hex(uint32_t value);
// "entry 3 'config.json'", with the name escaped and shortened for messages.
std::string DescribeEntry(uint64_t index, std::span<const uint8_t> name);
// The name with bytes outside printable ASCII written as \xNN, at most
// ~120 characters.
std::string QuoteName(std::span<const uint8_t> name);

// Locates and decodes the end of central directory record. The comment must
// end exactly at the end of `bytes`; a zip64 locator before it is refused.
absl::StatusOr<EndOfCentralDir> FindEndOfCentralDir(std::span<const uint8_t> bytes);

// Decodes the central directory header at `offset`; the record (with its
// name, extra field and comment) must lie before `limit`.
absl::StatusOr<CentralRecord> ParseCentralRecord(std::span<const uint8_t> bytes, uint64_t offset,
                                                 uint64_t limit, uint64_t index);

// Decodes the local file header at `offset` for the entry `what`.
absl::StatusOr<LocalRecord> ParseLocalRecord(std::span<const uint8_t> bytes, uint64_t offset,
                                             std::string_view what);

// Checks that `extra` is an exact sequence of (id, size, data) fields and
// that none of them changes how the entry must be read (zip64, encryption,
// a second Unicode name).
absl::Status CheckExtraFields(std::span<const uint8_t> extra, std::string_view what,
                              std::string_view which);

// Length of the data descriptor at `offset` (12 or 16 bytes) after checking
// that it repeats the central directory's CRC and sizes.
absl::StatusOr<uint64_t> CheckDataDescriptor(std::span<const uint8_t> bytes, uint64_t offset,
                                             const CentralRecord& central, std::string_view what);

// Member-name rules (KG-Z004). `bytes_declared` is the uncompressed size:
// a directory name (trailing '/') must declare 0 bytes.
absl::Status CheckName(std::span<const uint8_t> name, bool utf8_flag, uint64_t bytes_declared,
                       uint32_t max_name_bytes, std::string_view what);

// The key under which two names collide: without a leading "./" and a
// trailing "/", ASCII letters folded to lower case.
std::string CollisionKey(std::string_view name);

// Refuses two entries with the same collision key, and a file name that is
// also used as a directory of another entry (KG-Z005). O(n log n).
absl::Status CheckDuplicates(const std::vector<Entry>& entries);

// Raw-inflates `compressed` (exactly all of it) into exactly `declared`
// bytes. Stops with KG-Z009 as soon as the output would exceed `declared`;
// the buffer grows with the output actually produced, never to `declared`
// up front.
absl::StatusOr<std::vector<uint8_t>> Inflate(std::span<const uint8_t> compressed, uint64_t declared,
                                             std::string_view what);

// zlib's CRC-32 of `bytes`.
uint32_t Crc32(std::span<const uint8_t> bytes);

}  // namespace kgate::io::zip::internal
