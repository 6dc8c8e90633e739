// New-style groups: link, link info and group info messages.
#include "io/hdf5/internal/links.h"
#include "util/status_macros.h"

namespace kgate::io::hdf5::internal {
namespace {

using util::StrCat;

constexpr uint8_t kLinkHard = 0;
constexpr uint8_t kLinkSoft = 1;
constexpr uint8_t kLinkExternal = 64;

absl::StatusOr<std::string> CString(Cursor& c, std::string_view what) {
  std::string out;
  while (true) {
    if (c.remaining() == 0) return c.Error(StrCat(what, " is not NUL-terminated"));
    KGATE_ASSIGN_OR_RETURN(uint8_t ch, c.U8());
    if (ch == 0) return out;
    out.push_back(static_cast<char>(ch));
  }
}

}  // namespace

absl::StatusOr<Link> ParseLinkMessage(const Context& ctx, const Message& m) {
  Cursor c = BodyCursor(ctx, m, "link message");
  KGATE_ASSIGN_OR_RETURN(uint8_t version, c.U8());
  if (version != 1) return c.UnsupportedError(StrCat("version ", version, " (supported: 1)"));
  KGATE_ASSIGN_OR_RETURN(uint8_t flags, c.U8());
  if (flags & 0xE0) return c.Error(StrCat("reserved link flags set (", flags, ")"));
  uint8_t type = kLinkHard;
  if (flags & 0x08) {
    KGATE_ASSIGN_OR_RETURN(type, c.U8());
  }
  if (flags & 0x04) KGATE_RETURN_IF_ERROR(c.Skip(8));  // creation order
  if (flags & 0x10) {
    KGATE_ASSIGN_OR_RETURN(uint8_t charset, c.U8());
    if (charset > 1) return c.Error(StrCat("link name character set ", charset));
  }
  KGATE_ASSIGN_OR_RETURN(uint64_t name_length, c.UInt(1u << (flags & 0x03)));
  if (name_length == 0 || name_length > c.remaining()) {
    return c.Error(StrCat("link name length ", name_length, " (", c.remaining(), " bytes left)"));
  }
  const uint64_t name_offset = c.offset();
  KGATE_ASSIGN_OR_RETURN(auto name, c.Bytes(name_length));
  Link link;
  link.name.assign(reinterpret_cast<const char*>(name.data()), name.size());
  KGATE_RETURN_IF_ERROR(CheckLinkName(link.name, name_offset));
  if (type == kLinkHard) {
    link.kind = LinkKind::kHard;
    KGATE_ASSIGN_OR_RETURN(link.address, c.Offset());
    return link;
  }
  if (type != kLinkSoft && type < kLinkExternal) return c.Error(StrCat("link type ", type));
  KGATE_ASSIGN_OR_RETURN(uint16_t info_length, c.U16());
  const uint64_t info_offset = c.offset();
  KGATE_ASSIGN_OR_RETURN(auto info, c.Bytes(info_length));
  if (type == kLinkSoft) {
    link.kind = LinkKind::kSoft;
    link.target.assign(reinterpret_cast<const char*>(info.data()), info.size());
  } else if (type == kLinkExternal) {
    link.kind = LinkKind::kExternal;
    Cursor e(ctx, info, info_offset, "external link");
    KGATE_ASSIGN_OR_RETURN(uint8_t version_flags, e.U8());
    if ((version_flags >> 4) != 0) return e.UnsupportedError(StrCat("version ", version_flags >> 4));
    KGATE_ASSIGN_OR_RETURN(std::string file, CString(e, "external link file name"));
    KGATE_ASSIGN_OR_RETURN(std::string path, CString(e, "external link object path"));
    link.target = StrCat(file, ":", path);
  } else {
    link.kind = LinkKind::kUserDefined;
    link.target = StrCat("user-defined link type ", type, " with ", info_length, " bytes of data");
  }
  return link;
}

absl::Status CheckLinkInfo(const Context& ctx, const Message& m) {
  Cursor c = BodyCursor(ctx, m, "link info message");
  KGATE_ASSIGN_OR_RETURN(uint8_t version, c.U8());
  if (version != 0) return c.UnsupportedError(StrCat("version ", version, " (supported: 0)"));
  KGATE_ASSIGN_OR_RETURN(uint8_t flags, c.U8());
  if (flags & ~0x03) return c.Error(StrCat("unknown flags ", flags));
  if (flags & 0x01) KGATE_RETURN_IF_ERROR(c.Skip(8));  // maximum creation index
  KGATE_ASSIGN_OR_RETURN(uint64_t heap, c.Offset());
  KGATE_ASSIGN_OR_RETURN(uint64_t name_index, c.Offset());
  if (flags & 0x02) KGATE_RETURN_IF_ERROR(c.Offset().status());  // creation order index
  if (!ctx.IsUndef(heap) || !ctx.IsUndef(name_index)) {
    return Unsupported(StrCat("link info message at offset ", m.offset,
                              ": dense link storage (fractal heap at offset ", heap,
                              ", v2 B-tree name index at offset ", name_index, ") is not supported"));
  }
  return absl::OkStatus();
}

absl::Status CheckGroupInfo(const Context& ctx, const Message& m) {
  Cursor c = BodyCursor(ctx, m, "group info message");
  KGATE_ASSIGN_OR_RETURN(uint8_t version, c.U8());
  if (version != 0) return c.UnsupportedError(StrCat("version ", version, " (supported: 0)"));
  KGATE_ASSIGN_OR_RETURN(uint8_t flags, c.U8());
  if (flags & ~0x03) return c.Error(StrCat("unknown flags ", flags));
  if (flags & 0x01) KGATE_RETURN_IF_ERROR(c.Skip(4));  // max compact / min dense
  if (flags & 0x02) KGATE_RETURN_IF_ERROR(c.Skip(4));  // estimated entries / name length
  return absl::OkStatus();
}

}  // namespace kgate::io::hdf5::internal
