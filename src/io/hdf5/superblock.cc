#include "io/hdf5/internal/superblock.h"

#include <cstring>

#include "io/hdf5/internal/checksum.h"
#include "io/hdf5/internal/format.h"
#include "util/status_macros.h"

namespace kgate::io::hdf5::internal {
namespace {

using util::StrCat;

constexpr std::string_view kWhat = "superblock";

bool ValidWidth(uint8_t w) { return w == 2 || w == 4 || w == 8; }

absl::Status CheckEof(uint64_t eof, uint64_t min_end, uint64_t file_size) {
  if (eof > file_size) {
    return Malformed(StrCat("superblock: end-of-file address ", eof, " is beyond the ", file_size,
                            " bytes present (truncated file)"));
  }
  if (eof < min_end) {
    return Malformed(StrCat("superblock: end-of-file address ", eof,
                            " ends inside the superblock (", min_end, " bytes)"));
  }
  return absl::OkStatus();
}

// Versions 0 and 1.
absl::StatusOr<Superblock> ParseV0V1(std::span<const uint8_t> bytes, uint8_t version) {
  Context probe;
  probe.file = bytes;
  Cursor c(probe, bytes, 0, kWhat);
  KGATE_RETURN_IF_ERROR(c.Skip(9));
  KGATE_ASSIGN_OR_RETURN(uint8_t free_space_version, c.U8());
  KGATE_ASSIGN_OR_RETURN(uint8_t root_entry_version, c.U8());
  KGATE_RETURN_IF_ERROR(c.Skip(1));
  KGATE_ASSIGN_OR_RETURN(uint8_t shared_header_version, c.U8());
  if (free_space_version != 0 || root_entry_version != 0 || shared_header_version != 0) {
    return Unsupported(StrCat("superblock: free-space/root-entry/shared-header versions ",
                              free_space_version, "/", root_entry_version, "/", shared_header_version,
                              " (expected 0/0/0)"));
  }
  Superblock sb;
  sb.version = version;
  KGATE_ASSIGN_OR_RETURN(sb.offset_size, c.U8());
  KGATE_ASSIGN_OR_RETURN(sb.length_size, c.U8());
  if (!ValidWidth(sb.offset_size) || !ValidWidth(sb.length_size)) {
    return Unsupported(StrCat("superblock: offset/length sizes ", sb.offset_size, "/", sb.length_size,
                              " (supported: 2, 4, 8)"));
  }
  KGATE_RETURN_IF_ERROR(c.Skip(1));
  KGATE_ASSIGN_OR_RETURN(uint16_t leaf_k, c.U16());
  KGATE_ASSIGN_OR_RETURN(uint16_t internal_k, c.U16());
  if (leaf_k == 0 || internal_k == 0) return Malformed("superblock: group B-tree K values must be positive");
  KGATE_RETURN_IF_ERROR(c.Skip(4));  // file consistency flags
  if (version == 1) KGATE_RETURN_IF_ERROR(c.Skip(4));  // indexed storage K + reserved
  probe.offset_size = sb.offset_size;
  probe.length_size = sb.length_size;
  KGATE_ASSIGN_OR_RETURN(uint64_t base, c.Offset());
  KGATE_ASSIGN_OR_RETURN(uint64_t free_space, c.Offset());
  (void)free_space;
  KGATE_ASSIGN_OR_RETURN(sb.eof_address, c.Offset());
  KGATE_ASSIGN_OR_RETURN(uint64_t driver_info, c.Offset());
  // Root group symbol-table entry: name offset, object header address,
  // cache type, reserved, 16-byte scratch pad.
  KGATE_ASSIGN_OR_RETURN(uint64_t name_offset, c.Offset());
  (void)name_offset;
  KGATE_ASSIGN_OR_RETURN(sb.root_address, c.Offset());
  KGATE_RETURN_IF_ERROR(c.Skip(8 + 16));
  if (base != 0) {
    return util::RuleError(util::rules::kHdf5UserBlock,
                           StrCat("superblock: base address ", base, " (expected 0: no user block)"));
  }
  if (!probe.IsUndef(driver_info)) {
    return Unsupported(StrCat("superblock: driver info block at ", driver_info,
                              " (family/multi/split file drivers read other files)"));
  }
  KGATE_RETURN_IF_ERROR(CheckEof(sb.eof_address, c.pos(), bytes.size()));
  return sb;
}

// Versions 2 and 3.
absl::StatusOr<Superblock> ParseV2V3(std::span<const uint8_t> bytes, uint8_t version) {
  Context probe;
  probe.file = bytes;
  Cursor c(probe, bytes, 0, kWhat);
  KGATE_RETURN_IF_ERROR(c.Skip(9));
  Superblock sb;
  sb.version = version;
  KGATE_ASSIGN_OR_RETURN(sb.offset_size, c.U8());
  KGATE_ASSIGN_OR_RETURN(sb.length_size, c.U8());
  if (!ValidWidth(sb.offset_size) || !ValidWidth(sb.length_size)) {
    return Unsupported(StrCat("superblock: offset/length sizes ", sb.offset_size, "/", sb.length_size,
                              " (supported: 2, 4, 8)"));
  }
  probe.offset_size = sb.offset_size;
  probe.length_size = sb.length_size;
  KGATE_RETURN_IF_ERROR(c.Skip(1));  // file consistency flags
  KGATE_ASSIGN_OR_RETURN(uint64_t base, c.Offset());
  KGATE_ASSIGN_OR_RETURN(sb.extension_address, c.Offset());
  KGATE_ASSIGN_OR_RETURN(sb.eof_address, c.Offset());
  KGATE_ASSIGN_OR_RETURN(sb.root_address, c.Offset());
  const uint64_t checked_end = c.pos();
  KGATE_ASSIGN_OR_RETURN(uint32_t stored, c.U32());
  const uint32_t computed = Lookup3(bytes.subspan(0, checked_end));
  if (stored != computed) {
    return Malformed(StrCat("superblock: checksum mismatch (stored ", stored, ", computed ", computed, ")"));
  }
  if (base != 0) {
    return util::RuleError(util::rules::kHdf5UserBlock,
                           StrCat("superblock: base address ", base, " (expected 0: no user block)"));
  }
  sb.has_extension = !probe.IsUndef(sb.extension_address);
  KGATE_RETURN_IF_ERROR(CheckEof(sb.eof_address, c.pos(), bytes.size()));
  return sb;
}

}  // namespace

absl::StatusOr<Superblock> ParseSuperblock(std::span<const uint8_t> bytes) {
  if (!LooksLikeHdf5(bytes)) {
    if (HasHdf5SignatureAfterUserBlock(bytes)) {
      return util::RuleError(util::rules::kHdf5UserBlock,
                             "superblock: HDF5 signature found after a user block, not at offset 0 "
                             "(data before the superblock is refused)");
    }
    return Malformed("superblock: no HDF5 signature at offset 0");
  }
  if (bytes.size() < 9) return Malformed("superblock: truncated after the signature");
  const uint8_t version = bytes[8];
  switch (version) {
    case 0:
    case 1:
      return ParseV0V1(bytes, version);
    case 2:
    case 3:
      return ParseV2V3(bytes, version);
    default:
      return Unsupported(StrCat("superblock: version ", version, " (supported: 0-3)"));
  }
}

}  // namespace kgate::io::hdf5::internal
