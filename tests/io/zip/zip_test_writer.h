// File: zip_test_writer.h
// A test-only ZIP writer that produces valid archives and, on request, each
// defect the reader must refuse: prepended or hidden bytes, overlapping
// entries, local headers that disagree with the central directory, data
// descriptors, odd external attributes, zip64 markers, bad EOCD fields,
// comments and trailing data. Every field that the reader checks can be
// overridden per entry; everything else gets the values Python's zipfile
// writes. Never use it outside tests.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace kgate::io::zip::testing {

struct TestEntry {
  std::string name;
  std::string data;                 // uncompressed content
  uint16_t method = 0;              // 0 STORED, 8 DEFLATE (compressed with zlib), other: stored bytes
  uint16_t flags = 0;
  uint16_t version_made_by = (3 << 8) | 20;  // Unix, 2.0
  uint32_t external_attributes = 0100644u << 16;
  std::string central_extra;
  std::string local_extra;
  std::string comment;              // entry comment in the central directory
  bool data_descriptor = false;     // sets flag bit 3, zero local crc/sizes, writes a descriptor
  bool descriptor_signature = true;

  // Overrides (the computed value otherwise).
  std::optional<std::string> compressed;  // raw member bytes as stored
  std::optional<std::string> local_name;
  std::optional<uint16_t> local_method;
  std::optional<uint16_t> local_flags;
  std::optional<uint32_t> crc;            // both headers
  std::optional<uint32_t> local_crc;
  std::optional<uint32_t> local_compressed_size;
  std::optional<uint32_t> local_uncompressed_size;
  std::optional<uint32_t> compressed_size;    // both headers
  std::optional<uint32_t> uncompressed_size;  // both headers
  std::optional<uint32_t> descriptor_crc;
  std::optional<uint32_t> local_header_offset;  // as recorded in the central directory
  std::optional<uint16_t> disk_start;

  std::string before;  // bytes written just before this entry's local header
};

struct TestArchive {
  std::vector<TestEntry> entries;
  std::string prefix;                 // bytes before the first entry
  bool prefix_adjusts_offsets = false;  // true: offsets include the prefix (like `zip -A`)
  std::string before_central;         // bytes between the last entry and the central directory
  std::vector<size_t> central_order;  // permutation of entries for the central directory
  std::string before_end;             // bytes between the central directory and the EOCD
  std::string comment;
  std::string trailing;               // bytes after the comment
  bool zip64_locator = false;         // a zip64 EOCD locator just before the EOCD

  std::optional<uint16_t> disk;
  std::optional<uint16_t> cd_disk;
  std::optional<uint16_t> entries_on_disk;
  std::optional<uint16_t> entries_total;
  std::optional<uint32_t> cd_size;
  std::optional<uint32_t> cd_offset;
  std::optional<uint16_t> comment_length;
};

// Serialises `archive`.
std::vector<uint8_t> Build(const TestArchive& archive);

// Shorthand: an archive of STORED (or DEFLATE) members with these names and contents.
std::vector<uint8_t> Simple(const std::vector<std::pair<std::string, std::string>>& members,
                            uint16_t method = 0);

// Raw DEFLATE (no zlib header) of `data`.
std::string Deflate(const std::string& data);
uint32_t Crc(const std::string& data);

}  // namespace kgate::io::zip::testing
