#include "io/hdf5/internal/datatype.h"

#include <cstring>
#include <string_view>

#include "util/status_macros.h"

namespace kgate::io::hdf5::internal {
namespace {

using util::StrCat;

enum TypeClassId : uint8_t {
  kFixedPoint = 0,
  kFloatingPoint = 1,
  kTime = 2,
  kString = 3,
  kBitfield = 4,
  kOpaque = 5,
  kCompound = 6,
  kReference = 7,
  kEnum = 8,
  kVariableLength = 9,
  kArray = 10,
  kComplex = 11,
};

std::string_view ClassName(uint8_t cls) {
  switch (cls) {
    case kFixedPoint: return "fixed-point";
    case kFloatingPoint: return "floating-point";
    case kTime: return "time";
    case kString: return "string";
    case kBitfield: return "bitfield";
    case kOpaque: return "opaque";
    case kCompound: return "compound";
    case kReference: return "reference";
    case kEnum: return "enumerated";
    case kVariableLength: return "variable-length";
    case kArray: return "array";
    case kComplex: return "complex";
    default: return "unknown";
  }
}

struct Header {
  uint8_t cls;
  uint8_t version;
  uint32_t bits;  // 24 class bit-field bits
  uint32_t size;
  uint64_t offset;
};

absl::StatusOr<Header> ReadHeader(Cursor& c) {
  Header h;
  h.offset = c.offset();
  KGATE_ASSIGN_OR_RETURN(uint8_t cv, c.U8());
  h.cls = cv & 0x0F;
  h.version = cv >> 4;
  KGATE_ASSIGN_OR_RETURN(uint64_t bits, c.UInt(3));
  h.bits = static_cast<uint32_t>(bits);
  KGATE_ASSIGN_OR_RETURN(h.size, c.U32());
  // Versions 1-5 encode the supported classes identically (version 5, from
  // HDF5 2.0, is written for enums with libver='latest'; names unpadded as in 3).
  if (h.version < 1 || h.version > 5) {
    return Unsupported(StrCat("datatype at offset ", h.offset, ": version ", h.version, " (supported: 1-5)"));
  }
  return h;
}

absl::Status TypeError(const Header& h, std::string_view problem) {
  return Unsupported(StrCat(ClassName(h.cls), " datatype at offset ", h.offset, ": ", problem));
}

absl::StatusOr<DecodedType> ParseFixedPoint(Cursor& c, const Header& h) {
  if (h.bits & 0x01) return TypeError(h, "big-endian byte order is not supported");
  if (h.size != 1 && h.size != 2 && h.size != 4 && h.size != 8) {
    return TypeError(h, StrCat("size ", h.size, " (supported: 1, 2, 4, 8)"));
  }
  KGATE_ASSIGN_OR_RETURN(uint16_t bit_offset, c.U16());
  KGATE_ASSIGN_OR_RETURN(uint16_t precision, c.U16());
  if (bit_offset != 0 || precision != h.size * 8) {
    return TypeError(h, StrCat("bit offset ", bit_offset, " and precision ", precision,
                               " (expected 0 and ", h.size * 8, ": padded integers are not supported)"));
  }
  DecodedType out;
  out.type.type_class = TypeClass::kInteger;
  out.type.size = h.size;
  out.type.is_signed = (h.bits & 0x08) != 0;
  return out;
}

absl::StatusOr<DecodedType> ParseFloat(Cursor& c, const Header& h) {
  // Byte order is bits 0 and 6; both clear means little-endian.
  if (h.bits & 0x41) return TypeError(h, "big-endian or VAX byte order is not supported");
  if (h.bits & 0x0E) return TypeError(h, "padding bits are not supported");
  if (((h.bits >> 4) & 0x03) != 2) return TypeError(h, "mantissa normalization must be 'implied' (IEEE)");
  const uint32_t sign = (h.bits >> 8) & 0xFF;
  KGATE_ASSIGN_OR_RETURN(uint16_t bit_offset, c.U16());
  KGATE_ASSIGN_OR_RETURN(uint16_t precision, c.U16());
  KGATE_ASSIGN_OR_RETURN(uint8_t exp_pos, c.U8());
  KGATE_ASSIGN_OR_RETURN(uint8_t exp_size, c.U8());
  KGATE_ASSIGN_OR_RETURN(uint8_t mant_pos, c.U8());
  KGATE_ASSIGN_OR_RETURN(uint8_t mant_size, c.U8());
  KGATE_ASSIGN_OR_RETURN(uint32_t exp_bias, c.U32());
  struct Ieee { uint32_t size, sign, exp_pos, exp_size, mant_size, bias; };
  static constexpr Ieee kLayouts[] = {{2, 15, 10, 5, 10, 15}, {4, 31, 23, 8, 23, 127}, {8, 63, 52, 11, 52, 1023}};
  for (const Ieee& l : kLayouts) {
    if (h.size == l.size && sign == l.sign && bit_offset == 0 && precision == l.size * 8 &&
        exp_pos == l.exp_pos && exp_size == l.exp_size && mant_pos == 0 && mant_size == l.mant_size &&
        exp_bias == l.bias) {
      DecodedType out;
      out.type.type_class = TypeClass::kFloat;
      out.type.size = h.size;
      out.type.is_signed = true;
      return out;
    }
  }
  return TypeError(h, StrCat("size ", h.size, ", sign bit ", sign, ", precision ", precision, ", exponent ",
                             exp_pos, "+", exp_size, " bias ", exp_bias, ", mantissa ", mant_pos, "+", mant_size,
                             " is not IEEE binary16/32/64"));
}

absl::StatusOr<DecodedType> ParseFixedString(const Header& h) {
  const uint32_t pad = h.bits & 0x0F;
  const uint32_t cset = (h.bits >> 4) & 0x0F;
  if (pad > 2) return TypeError(h, StrCat("string padding type ", pad));
  if (cset > 1) return TypeError(h, StrCat("character set ", cset, " (supported: ASCII, UTF-8)"));
  if (h.size == 0) return Malformed(StrCat("string datatype at offset ", h.offset, ": size 0"));
  DecodedType out;
  out.type.type_class = TypeClass::kFixedString;
  out.type.size = h.size;
  out.type.utf8 = cset == 1;
  out.pad = static_cast<StringPad>(pad);
  return out;
}

absl::StatusOr<DecodedType> ParseVlen(Cursor& c, const Header& h) {
  const uint32_t kind = h.bits & 0x0F;
  const uint32_t cset = (h.bits >> 8) & 0x0F;
  if (kind != 1) return TypeError(h, "variable-length sequences are not supported (only strings)");
  if (cset > 1) return TypeError(h, StrCat("character set ", cset, " (supported: ASCII, UTF-8)"));
  const uint32_t expected = 4 + c.ctx().offset_size + 4;
  if (h.size != expected) {
    return Malformed(StrCat("variable-length string datatype at offset ", h.offset, ": size ", h.size,
                            " (expected ", expected, ")"));
  }
  // The base type must be a one-byte integer (h5py: unsigned char).
  KGATE_ASSIGN_OR_RETURN(Header base, ReadHeader(c));
  if (base.cls != kFixedPoint || base.size != 1) {
    return TypeError(h, StrCat("string base type is ", ClassName(base.cls), " of size ", base.size,
                               " (expected a 1-byte integer)"));
  }
  KGATE_RETURN_IF_ERROR(ParseFixedPoint(c, base).status());
  DecodedType out;
  out.type.type_class = TypeClass::kVlenString;
  out.type.size = h.size;
  out.type.utf8 = cset == 1;
  return out;
}

// h5py's bool: enum over int8 with exactly FALSE=0 and TRUE=1.
absl::StatusOr<DecodedType> ParseEnum(Cursor& c, const Header& h) {
  const uint32_t members = h.bits & 0xFFFF;
  KGATE_ASSIGN_OR_RETURN(Header base, ReadHeader(c));
  if (base.cls != kFixedPoint || base.size != 1 || h.size != 1) {
    return TypeError(h, "only h5py's bool (an enum of int8 with FALSE and TRUE) is supported");
  }
  KGATE_RETURN_IF_ERROR(ParseFixedPoint(c, base).status());
  if (members != 2) return TypeError(h, StrCat(members, " members (only bool: FALSE, TRUE)"));
  std::string names[2];
  for (std::string& name : names) {
    const uint64_t start = c.pos();
    std::string n;
    while (true) {
      KGATE_ASSIGN_OR_RETURN(uint8_t ch, c.U8());
      if (ch == 0) break;
      if (n.size() >= 16) return TypeError(h, "member name too long for a bool");
      n.push_back(static_cast<char>(ch));
    }
    if (h.version < 3) {  // names padded to a multiple of 8 bytes
      const uint64_t used = c.pos() - start;
      KGATE_RETURN_IF_ERROR(c.Skip((8 - used % 8) % 8));
    }
    name = std::move(n);
  }
  KGATE_ASSIGN_OR_RETURN(uint8_t v0, c.U8());
  KGATE_ASSIGN_OR_RETURN(uint8_t v1, c.U8());
  if (names[0] != "FALSE" || names[1] != "TRUE" || v0 != 0 || v1 != 1) {
    return TypeError(h, "only h5py's bool (an enum of int8 with FALSE=0 and TRUE=1) is supported");
  }
  DecodedType out;
  out.type.type_class = TypeClass::kBool;
  out.type.size = 1;
  return out;
}

}  // namespace

absl::StatusOr<DecodedType> ParseDatatype(Cursor& c) {
  KGATE_ASSIGN_OR_RETURN(Header h, ReadHeader(c));
  switch (h.cls) {
    case kFixedPoint: return ParseFixedPoint(c, h);
    case kFloatingPoint: return ParseFloat(c, h);
    case kString: return ParseFixedString(h);
    case kVariableLength: return ParseVlen(c, h);
    case kEnum: return ParseEnum(c, h);
    default:
      return Unsupported(StrCat("datatype at offset ", h.offset, ": class ", h.cls, " (", ClassName(h.cls),
                                ") is not supported"));
  }
}

absl::StatusOr<DecodedSpace> ParseDataspace(Cursor& c, const Limits& limits) {
  const uint64_t start = c.offset();
  KGATE_ASSIGN_OR_RETURN(uint8_t version, c.U8());
  KGATE_ASSIGN_OR_RETURN(uint8_t rank, c.U8());
  KGATE_ASSIGN_OR_RETURN(uint8_t flags, c.U8());
  Dataspace space;
  if (version == 1) {
    KGATE_RETURN_IF_ERROR(c.Skip(5));  // reserved
    space.is_scalar = rank == 0;
  } else if (version == 2) {
    KGATE_ASSIGN_OR_RETURN(uint8_t type, c.U8());
    if (type > 2) return Malformed(StrCat("dataspace at offset ", start, ": type ", type));
    space.is_scalar = type == 0;
    space.is_null = type == 2;
    if (type != 1 && rank != 0) {
      return Malformed(StrCat("dataspace at offset ", start, ": scalar/null dataspace with rank ", rank));
    }
  } else {
    return Unsupported(StrCat("dataspace at offset ", start, ": version ", version, " (supported: 1, 2)"));
  }
  if (flags & ~0x01) {
    return Unsupported(StrCat("dataspace at offset ", start, ": flags ", flags,
                              " (permutation indices are not supported)"));
  }
  if (rank > limits.max_rank) {
    return OverLimit(util::rules::kHdf5Malformed,
                     StrCat("dataspace at offset ", start, ": rank ", rank, " exceeds max_rank ", limits.max_rank));
  }
  space.dims.resize(rank);
  for (uint64_t& d : space.dims) {
    KGATE_ASSIGN_OR_RETURN(d, c.Length());
  }
  DecodedSpace out;
  out.max_dims = space.dims;
  if (flags & 0x01) {
    const uint64_t unlimited = c.ctx().length_size >= 8 ? ~uint64_t{0}
                                                        : (uint64_t{1} << (8 * c.ctx().length_size)) - 1;
    for (uint8_t i = 0; i < rank; ++i) {
      KGATE_ASSIGN_OR_RETURN(uint64_t max, c.Length());
      out.max_dims[i] = max == unlimited ? ~uint64_t{0} : max;
      if (max != unlimited && max < space.dims[i]) {
        return Malformed(StrCat("dataspace at offset ", start, ": dims[", i, "]=", space.dims[i],
                                " exceeds its maximum ", max));
      }
    }
  }
  if (!util::CheckedProduct(space.dims)) {
    return SizeError(StrCat("dataspace at offset ", start, ": the element count overflows 64 bits"));
  }
  out.space = std::move(space);
  return out;
}

}  // namespace kgate::io::hdf5::internal
