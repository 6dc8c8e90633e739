#include "io/hdf5/internal/layout.h"

#include "util/status_macros.h"

namespace kgate::io::hdf5::internal {
namespace {

using util::StrCat;

constexpr uint8_t kClassCompact = 0;
constexpr uint8_t kClassContiguous = 1;
constexpr uint8_t kClassChunked = 2;
constexpr uint8_t kClassVirtual = 3;
constexpr uint8_t kMaxLayoutDims = 33;  // rank 32 + the element size dimension

std::string_view FilterName(uint16_t id) {
  switch (id) {
    case 1: return "deflate";
    case 2: return "shuffle";
    case 3: return "fletcher32";
    case 4: return "szip";
    case 5: return "nbit";
    case 6: return "scaleoffset";
    case 305: return "lzo";
    case 307: return "bzip2";
    case 32000: return "lzf";
    case 32001: return "blosc";
    case 32004: return "lz4";
    case 32008: return "bitshuffle";
    case 32013: return "zfp";
    case 32015: return "zstd";
    case 32026: return "blosc2";
    default: return "unregistered";
  }
}

absl::Status ParseChunkedV3(Cursor& c, LayoutInfo* out) {
  KGATE_ASSIGN_OR_RETURN(uint8_t ndims, c.U8());
  if (ndims < 2 || ndims > kMaxLayoutDims) return c.Error(StrCat("chunk dimensionality ", ndims));
  KGATE_ASSIGN_OR_RETURN(out->address, c.Offset());
  out->chunk_dims.resize(ndims - 1);
  for (uint64_t& d : out->chunk_dims) {
    KGATE_ASSIGN_OR_RETURN(d, c.U32());
  }
  KGATE_ASSIGN_OR_RETURN(out->chunk_element_size, c.U32());
  out->index = ChunkIndex::kBTreeV1;
  return absl::OkStatus();
}

absl::Status ParseChunkedV4(Cursor& c, LayoutInfo* out) {
  KGATE_ASSIGN_OR_RETURN(uint8_t flags, c.U8());
  if (flags & ~0x03) return c.Error(StrCat("unknown chunked layout flags ", flags));
  out->filter_edge_chunks = (flags & 0x01) == 0;
  KGATE_ASSIGN_OR_RETURN(uint8_t ndims, c.U8());
  if (ndims < 2 || ndims > kMaxLayoutDims) return c.Error(StrCat("chunk dimensionality ", ndims));
  KGATE_ASSIGN_OR_RETURN(uint8_t width, c.U8());
  if (width < 1 || width > 8) return c.Error(StrCat("chunk dimension width ", width));
  out->chunk_dims.resize(ndims - 1);
  for (uint64_t& d : out->chunk_dims) {
    KGATE_ASSIGN_OR_RETURN(d, c.UInt(width));
  }
  KGATE_ASSIGN_OR_RETURN(out->chunk_element_size, c.UInt(width));
  KGATE_ASSIGN_OR_RETURN(uint8_t index, c.U8());
  switch (index) {
    case 1:  // single chunk
      out->index = ChunkIndex::kSingle;
      if (flags & 0x02) {
        out->single_filtered = true;
        KGATE_ASSIGN_OR_RETURN(out->single_filtered_size, c.Length());
        KGATE_ASSIGN_OR_RETURN(out->single_filter_mask, c.U32());
      }
      break;
    case 2:  // implicit
      out->index = ChunkIndex::kImplicit;
      break;
    case 3:  // fixed array
      out->index = ChunkIndex::kFixedArray;
      KGATE_RETURN_IF_ERROR(c.Skip(1));  // page bits (read again from the array header)
      break;
    case 4:
      return c.UnsupportedError("chunk index 'extensible array' (a dataset with one unlimited dimension)");
    case 5:
      return c.UnsupportedError("chunk index 'version 2 B-tree' (a dataset with several unlimited dimensions)");
    default:
      return c.Error(StrCat("unknown chunk index type ", index));
  }
  KGATE_ASSIGN_OR_RETURN(out->address, c.Offset());
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<LayoutInfo> ParseLayout(const Context& ctx, const Message& m) {
  Cursor c = BodyCursor(ctx, m, "data layout message");
  LayoutInfo out;
  KGATE_ASSIGN_OR_RETURN(out.version, c.U8());
  if (out.version < 3) {
    // Versions 1 and 2 carry the class in the third byte.
    if (m.body.size() >= 3 && m.body[2] == kClassVirtual) {
      return util::RuleError(util::rules::kHdf5VirtualDataset, "virtual dataset layout");
    }
    return c.UnsupportedError(StrCat("layout version ", out.version, " (supported: 3, 4, 5)"));
  }
  KGATE_ASSIGN_OR_RETURN(uint8_t cls, c.U8());
  if (cls == kClassVirtual) {
    return util::RuleError(util::rules::kHdf5VirtualDataset,
                           StrCat("data layout message at offset ", m.offset,
                                  ": virtual dataset (its data comes from other datasets or files)"));
  }
  if (out.version > 5) return c.UnsupportedError(StrCat("layout version ", out.version, " (supported: 3, 4, 5)"));
  switch (cls) {
    case kClassCompact: {
      out.kind = Layout::kCompact;
      KGATE_ASSIGN_OR_RETURN(uint16_t size, c.U16());
      KGATE_ASSIGN_OR_RETURN(out.compact, c.Bytes(size));
      out.size = size;
      break;
    }
    case kClassContiguous: {
      out.kind = Layout::kContiguous;
      KGATE_ASSIGN_OR_RETURN(out.address, c.Offset());
      KGATE_ASSIGN_OR_RETURN(out.size, c.Length());
      break;
    }
    case kClassChunked:
      out.kind = Layout::kChunked;
      KGATE_RETURN_IF_ERROR(out.version == 3 ? ParseChunkedV3(c, &out) : ParseChunkedV4(c, &out));
      for (uint64_t d : out.chunk_dims) {
        if (d == 0) return c.Error("chunk dimension 0");
      }
      break;
    default:
      return c.Error(StrCat("unknown layout class ", cls));
  }
  return out;
}

absl::StatusOr<std::vector<Filter>> ParseFilterPipeline(const Context& ctx, const Message& m) {
  Cursor c = BodyCursor(ctx, m, "filter pipeline message");
  KGATE_ASSIGN_OR_RETURN(uint8_t version, c.U8());
  if (version != 1 && version != 2) return c.UnsupportedError(StrCat("version ", version, " (supported: 1, 2)"));
  KGATE_ASSIGN_OR_RETURN(uint8_t count, c.U8());
  if (count > 32) return c.Error(StrCat(count, " filters (HDF5 allows at most 32)"));
  if (version == 1) KGATE_RETURN_IF_ERROR(c.Skip(6));
  std::vector<Filter> filters(count);
  for (Filter& f : filters) {
    KGATE_ASSIGN_OR_RETURN(f.id, c.U16());
    uint16_t name_length = 0;
    if (version == 1 || f.id >= 256) {
      KGATE_ASSIGN_OR_RETURN(name_length, c.U16());
    }
    KGATE_ASSIGN_OR_RETURN(f.flags, c.U16());
    KGATE_ASSIGN_OR_RETURN(uint16_t values, c.U16());
    if (name_length > 0) {
      KGATE_RETURN_IF_ERROR(c.Skip(version == 1 ? (name_length + 7u) & ~7u : name_length));
    }
    f.client_data.resize(values);
    for (uint32_t& v : f.client_data) {
      KGATE_ASSIGN_OR_RETURN(v, c.U32());
    }
    if (version == 1 && (values % 2) == 1) KGATE_RETURN_IF_ERROR(c.Skip(4));
    const bool supported = f.id == kFilterDeflate || f.id == kFilterShuffle ||
                           (f.id == kFilterFletcher32 && ctx.limits.accept_fletcher32);
    if (!supported) {
      return Unsupported(StrCat("filter pipeline message at offset ", m.offset, ": filter ", f.id, " (",
                                FilterName(f.id), ") is not supported (only deflate and shuffle",
                                ctx.limits.accept_fletcher32 ? ", fletcher32)" : ")"));
    }
  }
  return filters;
}

absl::StatusOr<FillValue> ParseFillValue(const Context& ctx, const Message& m) {
  Cursor c = BodyCursor(ctx, m, "fill value message");
  FillValue out;
  if (m.type == kMsgFillValueOld) {
    KGATE_ASSIGN_OR_RETURN(uint32_t size, c.U32());
    KGATE_ASSIGN_OR_RETURN(out.value, c.Bytes(size));
    out.defined = size > 0;
    return out;
  }
  KGATE_ASSIGN_OR_RETURN(uint8_t version, c.U8());
  if (version == 1 || version == 2) {
    KGATE_ASSIGN_OR_RETURN(uint8_t alloc_time, c.U8());
    KGATE_ASSIGN_OR_RETURN(uint8_t write_time, c.U8());
    KGATE_ASSIGN_OR_RETURN(uint8_t defined, c.U8());
    if (alloc_time > 3 || write_time > 2 || defined > 2) return c.Error("fill value settings out of range");
    if (version == 1 || defined) {
      KGATE_ASSIGN_OR_RETURN(uint32_t size, c.U32());
      KGATE_ASSIGN_OR_RETURN(out.value, c.Bytes(size));
      out.defined = size > 0;
    }
    return out;
  }
  if (version == 3) {
    KGATE_ASSIGN_OR_RETURN(uint8_t flags, c.U8());
    if (flags & 0xC0) return c.Error(StrCat("reserved fill value flags ", flags));
    if ((flags & 0x10) && (flags & 0x20)) return c.Error("fill value both undefined and defined");
    if (flags & 0x20) {
      KGATE_ASSIGN_OR_RETURN(uint32_t size, c.U32());
      KGATE_ASSIGN_OR_RETURN(out.value, c.Bytes(size));
      out.defined = size > 0;
    }
    return out;
  }
  return c.UnsupportedError(StrCat("version ", version, " (supported: 1-3)"));
}

}  // namespace kgate::io::hdf5::internal
