// Old-style groups: v1 B-tree (type 0), symbol table nodes, local heap.
#include <unordered_set>
#include <utility>

#include "io/hdf5/internal/links.h"
#include "util/status_macros.h"

namespace kgate::io::hdf5::internal {
namespace {

using util::StrCat;

class GroupTreeReader {
 public:
  GroupTreeReader(const Context& ctx, const LocalHeap& heap, std::vector<Link>* links)
      : ctx_(ctx), heap_(heap), links_(links) {}

  absl::Status Read(uint64_t root) {
    std::vector<std::pair<uint64_t, int>> stack;  // node address, expected level (-1: any)
    stack.push_back({root, -1});
    while (!stack.empty()) {
      auto [address, expected_level] = stack.back();
      stack.pop_back();
      if (!visited_.insert(address).second) {
        return Malformed(StrCat("group B-tree node at offset ", address, " is reached twice"));
      }
      if (visited_.size() > kMaxBTreeNodes) {
        return OverLimit(util::rules::kHdf5Malformed, "group B-tree has too many nodes");
      }
      KGATE_RETURN_IF_ERROR(ReadNode(address, expected_level, &stack));
    }
    return absl::OkStatus();
  }

 private:
  absl::Status ReadNode(uint64_t address, int expected_level, std::vector<std::pair<uint64_t, int>>* stack) {
    const uint64_t prefix = 8 + 2 * uint64_t{ctx_.offset_size};
    KGATE_ASSIGN_OR_RETURN(Cursor c, Cursor::At(ctx_, address, prefix, "group B-tree node"));
    KGATE_RETURN_IF_ERROR(ExpectSignature(c, "TREE"));
    KGATE_ASSIGN_OR_RETURN(uint8_t type, c.U8());
    KGATE_ASSIGN_OR_RETURN(uint8_t level, c.U8());
    KGATE_ASSIGN_OR_RETURN(uint16_t entries, c.U16());
    if (type != 0) return c.Error(StrCat("node type ", type, " in a group B-tree (expected 0)"));
    if (expected_level >= 0 && level != expected_level) {
      return c.Error(StrCat("level ", level, " below a node of level ", expected_level + 1));
    }
    if (level >= kMaxBTreeDepth) return c.Error(StrCat("level ", level, " exceeds ", kMaxBTreeDepth));
    // Keys (heap offsets, L bytes) and children (O bytes): key0 child0 ... keyN.
    const uint64_t body = (uint64_t{entries} + 1) * ctx_.length_size + uint64_t{entries} * ctx_.offset_size;
    KGATE_ASSIGN_OR_RETURN(Cursor b, Cursor::At(ctx_, address + prefix, body, "group B-tree node"));
    KGATE_RETURN_IF_ERROR(ctx_.Charge(uint64_t{entries} + 1));
    for (uint16_t i = 0; i < entries; ++i) {
      KGATE_RETURN_IF_ERROR(b.Length().status());
      KGATE_ASSIGN_OR_RETURN(uint64_t child, b.Offset());
      if (level > 0) {
        stack->push_back({child, level - 1});
      } else {
        KGATE_RETURN_IF_ERROR(ReadSymbolNode(child));
      }
    }
    return absl::OkStatus();
  }

  absl::Status ReadSymbolNode(uint64_t address) {
    if (!visited_.insert(address).second) {
      return Malformed(StrCat("symbol table node at offset ", address, " is reached twice"));
    }
    KGATE_ASSIGN_OR_RETURN(Cursor c, Cursor::At(ctx_, address, 8, "symbol table node"));
    KGATE_RETURN_IF_ERROR(ExpectSignature(c, "SNOD"));
    KGATE_ASSIGN_OR_RETURN(uint8_t version, c.U8());
    if (version != 1) return c.UnsupportedError(StrCat("version ", version, " (supported: 1)"));
    KGATE_RETURN_IF_ERROR(c.Skip(1));
    KGATE_ASSIGN_OR_RETURN(uint16_t count, c.U16());
    const uint64_t entry_size = 2 * uint64_t{ctx_.offset_size} + 24;
    KGATE_RETURN_IF_ERROR(ctx_.Charge(uint64_t{count} + 1));
    KGATE_ASSIGN_OR_RETURN(Cursor e, Cursor::At(ctx_, address + 8, count * entry_size, "symbol table node"));
    for (uint16_t i = 0; i < count; ++i) {
      const uint64_t entry_offset = e.offset();
      KGATE_ASSIGN_OR_RETURN(uint64_t name_offset, e.Offset());
      KGATE_ASSIGN_OR_RETURN(uint64_t header, e.Offset());
      KGATE_ASSIGN_OR_RETURN(uint32_t cache_type, e.U32());
      KGATE_RETURN_IF_ERROR(e.Skip(4));
      KGATE_ASSIGN_OR_RETURN(uint32_t scratch0, e.U32());
      KGATE_RETURN_IF_ERROR(e.Skip(12));
      Link link;
      KGATE_ASSIGN_OR_RETURN(link.name, HeapString(heap_, name_offset, "symbol table entry name"));
      KGATE_RETURN_IF_ERROR(CheckLinkName(link.name, entry_offset));
      if (cache_type == 2) {  // soft link: the value is in the local heap
        link.kind = LinkKind::kSoft;
        KGATE_ASSIGN_OR_RETURN(link.target, HeapString(heap_, scratch0, "soft link value"));
      } else if (cache_type <= 1) {
        link.kind = LinkKind::kHard;
        link.address = header;
      } else {
        return Malformed(StrCat("symbol table entry at offset ", entry_offset, ": cache type ", cache_type));
      }
      if (links_->size() >= ctx_.limits.max_links_per_group) {
        return OverLimit(util::rules::kHdf5Malformed,
                         StrCat("group has more than ", ctx_.limits.max_links_per_group,
                                " links (max_links_per_group)"));
      }
      links_->push_back(std::move(link));
    }
    return absl::OkStatus();
  }

  const Context& ctx_;
  const LocalHeap& heap_;
  std::vector<Link>* links_;
  std::unordered_set<uint64_t> visited_;
};

}  // namespace

absl::StatusOr<LocalHeap> ReadLocalHeap(const Context& ctx, uint64_t address) {
  KGATE_ASSIGN_OR_RETURN(Cursor c, Cursor::At(ctx, address, 8 + 2 * ctx.length_size + ctx.offset_size,
                                               "local heap"));
  KGATE_RETURN_IF_ERROR(ExpectSignature(c, "HEAP"));
  KGATE_ASSIGN_OR_RETURN(uint8_t version, c.U8());
  if (version != 0) return c.UnsupportedError(StrCat("version ", version, " (supported: 0)"));
  KGATE_RETURN_IF_ERROR(c.Skip(3));
  KGATE_ASSIGN_OR_RETURN(uint64_t size, c.Length());
  KGATE_RETURN_IF_ERROR(c.Length().status());  // free list head
  KGATE_ASSIGN_OR_RETURN(uint64_t data_address, c.Offset());
  KGATE_ASSIGN_OR_RETURN(Cursor d, Cursor::At(ctx, data_address, size, "local heap data segment"));
  KGATE_ASSIGN_OR_RETURN(auto data, d.Bytes(size));
  return LocalHeap{data, data_address};
}

absl::StatusOr<std::string> HeapString(const LocalHeap& heap, uint64_t offset, std::string_view what) {
  if (offset >= heap.data.size()) {
    return Malformed(StrCat(what, ": local heap offset ", offset, " is outside the heap data (",
                            heap.data.size(), " bytes at offset ", heap.data_offset, ")"));
  }
  std::string_view rest(reinterpret_cast<const char*>(heap.data.data()) + offset, heap.data.size() - offset);
  const size_t nul = rest.find('\0');
  if (nul == std::string_view::npos) {
    return Malformed(StrCat(what, ": local heap string at offset ", heap.data_offset + offset,
                            " is not NUL-terminated"));
  }
  return std::string(rest.substr(0, nul));
}

absl::Status CheckLinkName(std::string_view name, uint64_t offset) {
  if (name.empty() || name == "." || name == ".." || name.find('/') != std::string_view::npos ||
      name.find('\0') != std::string_view::npos) {
    return Malformed(StrCat("link name \"", Printable(name), "\" at offset ", offset,
                            " is not a valid path component (empty, '.', '..', or contains '/' or NUL)"));
  }
  return absl::OkStatus();
}

absl::Status ReadSymbolTable(const Context& ctx, const Message& m, std::vector<Link>* links) {
  Cursor c = BodyCursor(ctx, m, "symbol table message");
  KGATE_ASSIGN_OR_RETURN(uint64_t btree, c.Offset());
  KGATE_ASSIGN_OR_RETURN(uint64_t heap_address, c.Offset());
  KGATE_ASSIGN_OR_RETURN(LocalHeap heap, ReadLocalHeap(ctx, heap_address));
  GroupTreeReader reader(ctx, heap, links);
  return reader.Read(btree);
}

}  // namespace kgate::io::hdf5::internal
