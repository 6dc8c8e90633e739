#include "io/hdf5/internal/attribute.h"

#include "io/hdf5/internal/datatype.h"
#include "io/hdf5/internal/values.h"
#include "util/status_macros.h"

namespace kgate::io::hdf5::internal {
namespace {

using util::StrCat;

uint64_t Pad8(uint64_t n) { return (n + 7) & ~uint64_t{7}; }

}  // namespace

absl::StatusOr<Attribute> ParseAttribute(const Context& ctx, const Message& m, uint64_t* budget) {
  Cursor c = BodyCursor(ctx, m, "attribute message");
  KGATE_ASSIGN_OR_RETURN(uint8_t version, c.U8());
  if (version < 1 || version > 3) return c.UnsupportedError(StrCat("version ", version, " (supported: 1-3)"));
  KGATE_ASSIGN_OR_RETURN(uint8_t flags, c.U8());
  if (version == 1 && flags != 0) return c.Error("reserved byte is not zero");
  if (version >= 2 && (flags & 0x03)) {
    return c.UnsupportedError("shared datatype or dataspace in an attribute is not supported");
  }
  if (flags & ~0x03) return c.Error(StrCat("unknown attribute flags ", flags));
  KGATE_ASSIGN_OR_RETURN(uint16_t name_size, c.U16());
  KGATE_ASSIGN_OR_RETURN(uint16_t type_size, c.U16());
  KGATE_ASSIGN_OR_RETURN(uint16_t space_size, c.U16());
  if (version == 3) {
    KGATE_ASSIGN_OR_RETURN(uint8_t charset, c.U8());
    if (charset > 1) return c.Error(StrCat("attribute name character set ", charset));
  }
  const bool padded = version == 1;
  // Name, NUL-terminated, exactly one NUL at the end.
  if (name_size < 2) return c.Error("empty attribute name");
  KGATE_ASSIGN_OR_RETURN(auto name_bytes, c.Bytes(name_size));
  if (padded) KGATE_RETURN_IF_ERROR(c.Skip(Pad8(name_size) - name_size));
  std::string_view name(reinterpret_cast<const char*>(name_bytes.data()), name_size - 1);
  if (name_bytes[name_size - 1] != 0 || name.find('\0') != std::string_view::npos) {
    return c.Error("attribute name is not a single NUL-terminated string");
  }
  Attribute attr;
  attr.name = std::string(name);
  // Datatype and dataspace, each decoded inside its declared size.
  const uint64_t type_offset = c.offset();
  KGATE_ASSIGN_OR_RETURN(auto type_bytes, c.Bytes(type_size));
  if (padded) KGATE_RETURN_IF_ERROR(c.Skip(Pad8(type_size) - type_size));
  Cursor tc(ctx, type_bytes, type_offset, "attribute datatype");
  KGATE_ASSIGN_OR_RETURN(DecodedType type, ParseDatatype(tc));
  const uint64_t space_offset = c.offset();
  KGATE_ASSIGN_OR_RETURN(auto space_bytes, c.Bytes(space_size));
  if (padded) KGATE_RETURN_IF_ERROR(c.Skip(Pad8(space_size) - space_size));
  Cursor sc(ctx, space_bytes, space_offset, "attribute dataspace");
  KGATE_ASSIGN_OR_RETURN(DecodedSpace space, ParseDataspace(sc, ctx.limits));
  attr.type = type.type;
  attr.space = std::move(space.space);

  const uint64_t count = attr.space.num_elements();
  auto bytes = util::CheckedMul(count, attr.type.size);
  if (!bytes) return SizeError(StrCat("attribute \"", Printable(attr.name), "\": size overflows 64 bits"));
  if (*bytes > ctx.limits.max_attribute_bytes) {
    return OverLimit(util::rules::kHdf5ShapeBomb,
                     StrCat("attribute \"", Printable(attr.name), "\": ", *bytes, " bytes exceed max_attribute_bytes ",
                            ctx.limits.max_attribute_bytes));
  }
  if (*bytes > c.remaining()) {
    return Malformed(StrCat("attribute \"", Printable(attr.name), "\" at offset ", m.offset, ": declares ", *bytes,
                            " bytes of data but the message holds ", c.remaining()));
  }
  KGATE_ASSIGN_OR_RETURN(auto raw, c.Bytes(*bytes));
  absl::Status s;
  if (attr.type.type_class == TypeClass::kFixedString || attr.type.type_class == TypeClass::kVlenString) {
    s = DecodeStrings(ctx, type, raw, count, budget, &attr.strings);
  } else {
    s = DecodeNumbers(type, raw, count, budget, &attr.numbers);
  }
  if (!s.ok()) return util::Annotate(s, StrCat("attribute \"", Printable(attr.name), "\": "));
  return attr;
}

absl::Status CheckAttributeInfo(const Context& ctx, const Message& m) {
  Cursor c = BodyCursor(ctx, m, "attribute info message");
  KGATE_ASSIGN_OR_RETURN(uint8_t version, c.U8());
  if (version != 0) return c.UnsupportedError(StrCat("version ", version, " (supported: 0)"));
  KGATE_ASSIGN_OR_RETURN(uint8_t flags, c.U8());
  if (flags & ~0x03) return c.Error(StrCat("unknown flags ", flags));
  if (flags & 0x01) KGATE_RETURN_IF_ERROR(c.Skip(2));  // maximum creation index
  KGATE_ASSIGN_OR_RETURN(uint64_t heap, c.Offset());
  KGATE_ASSIGN_OR_RETURN(uint64_t name_index, c.Offset());
  if (flags & 0x02) KGATE_RETURN_IF_ERROR(c.Offset().status());  // creation order index
  if (!ctx.IsUndef(heap) || !ctx.IsUndef(name_index)) {
    return Unsupported(StrCat("attribute info message at offset ", m.offset,
                              ": dense attribute storage (fractal heap at offset ", heap,
                              ") is not supported"));
  }
  return absl::OkStatus();
}

}  // namespace kgate::io::hdf5::internal
