#include "io/hdf5/internal/object.h"

#include <algorithm>
#include <optional>
#include <unordered_set>

#include "io/hdf5/internal/attribute.h"
#include "io/hdf5/internal/links.h"
#include "io/hdf5/internal/object_header.h"
#include "util/status_macros.h"

namespace kgate::io::hdf5::internal {
namespace {

using util::StrCat;

// Messages that change nothing about how an object is read.
bool IsHarmless(uint16_t type) {
  switch (type) {
    case kMsgNil:
    case kMsgComment:
    case kMsgModificationTimeOld:
    case kMsgContinuation:
    case kMsgModificationTime:
    case kMsgBTreeK:
    case kMsgDriverInfo:
    case kMsgReferenceCount:
    case kMsgFileSpaceInfo:
      return true;
    default:
      return false;
  }
}

std::string Hex16(uint16_t v) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out = "0x";
  for (int shift = 12; shift >= 0; shift -= 4) out.push_back(kHex[(v >> shift) & 15]);
  return out;
}

absl::Status UnknownMessage(const Message& m) {
  return Unsupported(StrCat("object header message type ", Hex16(m.type), " (", MessageTypeName(m.type),
                            ") at offset ", m.offset, " with flags ", m.flags, " is not supported"));
}

// "external data files" message: names the first file in the error.
absl::Status ExternalStorageError(const Context& ctx, const Message& m) {
  std::string first = "?";
  Cursor c = BodyCursor(ctx, m, "external data files message");
  auto describe = [&]() -> absl::Status {
    KGATE_RETURN_IF_ERROR(c.Skip(4));  // version, reserved
    KGATE_RETURN_IF_ERROR(c.Skip(2));  // allocated slots
    KGATE_ASSIGN_OR_RETURN(uint16_t used, c.U16());
    KGATE_ASSIGN_OR_RETURN(uint64_t heap_address, c.Offset());
    if (used == 0) return absl::OkStatus();
    KGATE_ASSIGN_OR_RETURN(uint64_t name_offset, c.Length());
    KGATE_ASSIGN_OR_RETURN(LocalHeap heap, ReadLocalHeap(ctx, heap_address));
    KGATE_ASSIGN_OR_RETURN(first, HeapString(heap, name_offset, "external file name"));
    return absl::OkStatus();
  };
  describe().IgnoreError();
  return util::RuleError(util::rules::kHdf5ExternalStorage,
                         StrCat("external data files message at offset ", m.offset,
                                ": the dataset's data is stored in another file (\"", Printable(first),
                                "\"); external storage is never read"));
}

absl::Status ValidateDataset(const Context& ctx, DatasetInfo* d) {
  const Datatype& type = d->type.type;
  const Dataspace& space = d->space.space;
  auto declared = util::CheckedMul(space.num_elements(), type.size);
  if (!declared) {
    return SizeError(StrCat("declared size (", space.num_elements(), " elements x ", type.size,
                            " bytes) overflows 64 bits"));
  }
  d->declared_bytes = *declared;
  if (*declared > ctx.limits.max_dataset_bytes) {
    return OverLimit(util::rules::kHdf5ShapeBomb,
                     StrCat("declared size ", *declared, " bytes exceeds max_dataset_bytes ",
                            ctx.limits.max_dataset_bytes));
  }
  LayoutInfo& l = d->layout;
  if (!d->filters.empty() && l.kind != Layout::kChunked) {
    return Malformed("filter pipeline on a dataset that is not chunked");
  }
  switch (l.kind) {
    case Layout::kContiguous:
      if (ctx.IsUndef(l.address)) {
        if (*declared != 0) {
          return SizeError(StrCat("contiguous storage was never written (undefined address) but the dataset "
                                  "declares ", *declared, " bytes"));
        }
        return absl::OkStatus();
      }
      if (l.size != *declared) {
        return SizeError(StrCat("contiguous storage holds ", l.size, " bytes but the dataset declares ",
                                *declared, " (", space.num_elements(), " elements x ", type.size, " bytes)"));
      }
      if (!ctx.Fits(l.address, l.size)) {
        return SizeError(StrCat("contiguous storage of ", l.size, " bytes at offset ", l.address,
                                " extends past the end of the file (", ctx.file.size(), " bytes)"));
      }
      return absl::OkStatus();
    case Layout::kCompact:
      if (l.size != *declared) {
        return SizeError(StrCat("compact storage holds ", l.size, " bytes but the dataset declares ", *declared));
      }
      return absl::OkStatus();
    case Layout::kChunked: {
      if (space.is_scalar || space.is_null || l.chunk_dims.size() != space.dims.size()) {
        return Malformed(StrCat("chunked layout of rank ", l.chunk_dims.size(), " for a dataspace of rank ",
                                space.dims.size()));
      }
      if (l.chunk_element_size != type.size) {
        return Malformed(StrCat("chunk element size ", l.chunk_element_size, " differs from the datatype size ",
                                type.size));
      }
      auto chunk_bytes = util::CheckedProduct(l.chunk_dims);
      if (chunk_bytes) chunk_bytes = util::CheckedMul(*chunk_bytes, type.size);
      if (!chunk_bytes || *chunk_bytes > kMaxChunkBytes) {
        return Malformed("chunk size exceeds 4 GiB (the format's limit)");
      }
      for (const Filter& f : d->filters) {
        // libhdf5 stores the datatype size as the shuffle filter's parameter.
        if (f.id == kFilterShuffle && (f.client_data.size() != 1 || f.client_data[0] != type.size)) {
          return Malformed(StrCat("shuffle filter parameters (", f.client_data.size(), " values, element size ",
                                  f.client_data.empty() ? 0 : f.client_data[0], ") do not match the datatype size ",
                                  type.size));
        }
      }
      return absl::OkStatus();
    }
  }
  return absl::OkStatus();
}

struct Collected {
  std::optional<Message> dataspace, datatype, layout, fill, fill_old, filters, symbol_table;
  bool link_info = false, group_info = false;
};

absl::Status SetOnce(std::optional<Message>* slot, const Message& m) {
  if (slot->has_value()) {
    return Malformed(StrCat("duplicate ", MessageTypeName(m.type), " message at offset ", m.offset));
  }
  *slot = m;
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<ObjectInfo> ParseObject(const Context& ctx, uint64_t address) {
  KGATE_ASSIGN_OR_RETURN(ObjectHeader header, ReadObjectHeader(ctx, address));
  ObjectInfo info;
  Collected got;
  uint64_t attribute_budget = ctx.limits.max_attribute_bytes;
  std::unordered_set<std::string> attribute_names;
  for (const Message& m : header.messages) {
    switch (m.type) {
      case kMsgDataspace: KGATE_RETURN_IF_ERROR(SetOnce(&got.dataspace, m)); break;
      case kMsgDatatype: KGATE_RETURN_IF_ERROR(SetOnce(&got.datatype, m)); break;
      case kMsgLayout: KGATE_RETURN_IF_ERROR(SetOnce(&got.layout, m)); break;
      case kMsgFillValue: KGATE_RETURN_IF_ERROR(SetOnce(&got.fill, m)); break;
      case kMsgFillValueOld: KGATE_RETURN_IF_ERROR(SetOnce(&got.fill_old, m)); break;
      case kMsgFilterPipeline: KGATE_RETURN_IF_ERROR(SetOnce(&got.filters, m)); break;
      case kMsgSymbolTable: KGATE_RETURN_IF_ERROR(SetOnce(&got.symbol_table, m)); break;
      case kMsgExternalFiles: return ExternalStorageError(ctx, m);
      case kMsgLinkInfo:
        if (got.link_info) return Malformed(StrCat("duplicate link info message at offset ", m.offset));
        got.link_info = true;
        KGATE_RETURN_IF_ERROR(CheckLinkInfo(ctx, m));
        break;
      case kMsgGroupInfo:
        got.group_info = true;
        KGATE_RETURN_IF_ERROR(CheckGroupInfo(ctx, m));
        break;
      case kMsgLink: {
        KGATE_ASSIGN_OR_RETURN(Link link, ParseLinkMessage(ctx, m));
        if (info.links.size() >= ctx.limits.max_links_per_group) {
          return OverLimit(util::rules::kHdf5Malformed,
                           StrCat("group has more than ", ctx.limits.max_links_per_group,
                                  " links (max_links_per_group)"));
        }
        info.links.push_back(std::move(link));
        break;
      }
      case kMsgAttribute: {
        KGATE_ASSIGN_OR_RETURN(Attribute attr, ParseAttribute(ctx, m, &attribute_budget));
        if (!attribute_names.insert(attr.name).second) {
          return Malformed(StrCat("duplicate attribute \"", Printable(attr.name), "\" at offset ", m.offset));
        }
        info.attributes.push_back(std::move(attr));
        break;
      }
      case kMsgAttributeInfo: KGATE_RETURN_IF_ERROR(CheckAttributeInfo(ctx, m)); break;
      default:
        if (!IsHarmless(m.type)) return UnknownMessage(m);
    }
  }
  const bool new_style = got.link_info || got.group_info || !info.links.empty();
  const bool is_group = new_style || got.symbol_table.has_value();
  const bool is_dataset = got.dataspace || got.layout || got.filters || got.fill || got.fill_old;
  if (is_group && is_dataset) return Malformed("object header has both group and dataset messages");
  if (is_group) {
    if (new_style && got.symbol_table) {
      return Malformed("group has both a symbol table and link messages");
    }
    if (got.datatype) return Malformed("group with a datatype message");
    if (got.symbol_table) KGATE_RETURN_IF_ERROR(ReadSymbolTable(ctx, *got.symbol_table, &info.links));
    std::sort(info.links.begin(), info.links.end(),
              [](const Link& a, const Link& b) { return a.name < b.name; });
    for (size_t i = 1; i < info.links.size(); ++i) {
      if (info.links[i].name == info.links[i - 1].name) {
        return Malformed(StrCat("duplicate link name \"", Printable(info.links[i].name), "\" in group"));
      }
    }
    info.is_group = true;
    return info;
  }
  if (!is_dataset) {
    if (got.datatype) return Unsupported("committed (named) datatype objects are not supported");
    return Malformed(StrCat("object header at offset ", address, " describes neither a group nor a dataset"));
  }
  if (!got.dataspace || !got.datatype || !got.layout) {
    return Malformed("dataset is missing its dataspace, datatype or layout message");
  }
  DatasetInfo& d = info.dataset;
  {
    Cursor c = BodyCursor(ctx, *got.datatype, "datatype message");
    KGATE_ASSIGN_OR_RETURN(d.type, ParseDatatype(c));
  }
  {
    Cursor c = BodyCursor(ctx, *got.dataspace, "dataspace message");
    KGATE_ASSIGN_OR_RETURN(d.space, ParseDataspace(c, ctx.limits));
  }
  KGATE_ASSIGN_OR_RETURN(d.layout, ParseLayout(ctx, *got.layout));
  if (got.filters) {
    KGATE_ASSIGN_OR_RETURN(d.filters, ParseFilterPipeline(ctx, *got.filters));
  }
  if (got.fill_old) {
    KGATE_ASSIGN_OR_RETURN(d.fill, ParseFillValue(ctx, *got.fill_old));
  }
  if (got.fill) {
    KGATE_ASSIGN_OR_RETURN(d.fill, ParseFillValue(ctx, *got.fill));  // the new message wins
  }
  KGATE_RETURN_IF_ERROR(ValidateDataset(ctx, &d));
  return info;
}

absl::Status CheckSuperblockExtension(const Context& ctx, uint64_t address) {
  KGATE_ASSIGN_OR_RETURN(ObjectHeader header, ReadObjectHeader(ctx, address));
  for (const Message& m : header.messages) {
    if (m.type == kMsgSharedMessageTable) {
      return Unsupported(StrCat("superblock extension: shared object header message table at offset ", m.offset,
                                " (shared messages are not supported)"));
    }
    if (m.type == kMsgDriverInfo) {
      return Unsupported(StrCat("superblock extension: driver info message at offset ", m.offset,
                                " (family/multi/split file drivers read other files)"));
    }
    if (!IsHarmless(m.type)) return util::Annotate(UnknownMessage(m), "superblock extension: ");
  }
  return absl::OkStatus();
}

}  // namespace kgate::io::hdf5::internal
