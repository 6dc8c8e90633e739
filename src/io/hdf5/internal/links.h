// File: internal/links.h
// Group membership, in both encodings:
//  * old style: the symbol table message (0x0011) names a version 1 B-tree
//    of type 0 whose leaves are "SNOD" symbol table nodes, with link names in
//    a local heap ("HEAP"); entries of cache type 2 are soft links;
//  * new style: link messages (0x0006) in the object header, described by a
//    link info message (0x0002) and a group info message (0x000A). Dense
//    storage (a fractal heap named by the link info) is refused with KG-H006.
// B-tree walks are iterative, bounded in depth and node count, and keep a
// visited set, so shared or cyclic nodes cannot loop.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "io/hdf5/hdf5.h"
#include "io/hdf5/internal/object_header.h"

namespace kgate::io::hdf5::internal {

// Appends the links of an old-style group.
absl::Status ReadSymbolTable(const Context& ctx, const Message& m, std::vector<Link>* links);

// Decodes one link message.
absl::StatusOr<Link> ParseLinkMessage(const Context& ctx, const Message& m);

// Validates a link info message; dense link storage is KG-H006.
absl::Status CheckLinkInfo(const Context& ctx, const Message& m);
// Validates a group info message (bounds only).
absl::Status CheckGroupInfo(const Context& ctx, const Message& m);

// The data segment of a local heap ("HEAP", version 0).
struct LocalHeap {
  std::span<const uint8_t> data;
  uint64_t data_offset = 0;
};
absl::StatusOr<LocalHeap> ReadLocalHeap(const Context& ctx, uint64_t address);
// The NUL-terminated string at `offset` in the heap's data.
absl::StatusOr<std::string> HeapString(const LocalHeap& heap, uint64_t offset, std::string_view what);

// KG-H001 unless `name` is usable as one path component: non-empty, no '/',
// no NUL, not "." or "..".
absl::Status CheckLinkName(std::string_view name, uint64_t offset);

}  // namespace kgate::io::hdf5::internal
