// File: internal/object_header.h
// Object headers: version 1 (16-byte prefix, 8-aligned messages, bare
// continuation chunks) and version 2 ("OHDR" prefix and "OCHK" continuation
// chunks, each verified with its lookup3 checksum). Continuations are
// followed with a visited set and at most Limits::max_continuations chunks;
// at most Limits::max_messages_per_header messages are read. A message
// stored in the shared-message heap (flag bit 1) is refused with KG-H006.
// Message bodies are views into the file bytes.
#pragma once

#include <cstdint>
#include <span>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "io/hdf5/internal/format.h"

namespace kgate::io::hdf5::internal {

// Message type ids (HDF5 spec, section IV.A.2).
enum MessageType : uint16_t {
  kMsgNil = 0x0000,
  kMsgDataspace = 0x0001,
  kMsgLinkInfo = 0x0002,
  kMsgDatatype = 0x0003,
  kMsgFillValueOld = 0x0004,
  kMsgFillValue = 0x0005,
  kMsgLink = 0x0006,
  kMsgExternalFiles = 0x0007,
  kMsgLayout = 0x0008,
  kMsgBogus = 0x0009,
  kMsgGroupInfo = 0x000A,
  kMsgFilterPipeline = 0x000B,
  kMsgAttribute = 0x000C,
  kMsgComment = 0x000D,
  kMsgModificationTimeOld = 0x000E,
  kMsgSharedMessageTable = 0x000F,
  kMsgContinuation = 0x0010,
  kMsgSymbolTable = 0x0011,
  kMsgModificationTime = 0x0012,
  kMsgBTreeK = 0x0013,
  kMsgDriverInfo = 0x0014,
  kMsgAttributeInfo = 0x0015,
  kMsgReferenceCount = 0x0016,
  kMsgFileSpaceInfo = 0x0017,
};

// Message flag bits.
inline constexpr uint8_t kMsgFlagShared = 0x02;
inline constexpr uint8_t kMsgFlagFailIfUnknownWrite = 0x08;
inline constexpr uint8_t kMsgFlagFailIfUnknown = 0x80;

struct Message {
  uint16_t type = 0;
  uint8_t flags = 0;
  uint64_t offset = 0;              // file offset of the body
  std::span<const uint8_t> body;
};

struct ObjectHeader {
  uint64_t address = 0;
  uint8_t version = 0;
  std::vector<Message> messages;    // chunk 0 first, then continuations in order
  // Checksummed ranges of a v2 header (chunk 0 from "OHDR", then each
  // "OCHK" chunk), each ending just before its 4-byte checksum. Tests use
  // them to re-seal a header after changing a byte.
  std::vector<std::pair<uint64_t, uint64_t>> checksummed;  // (offset, length)
};

absl::StatusOr<ObjectHeader> ReadObjectHeader(const Context& ctx, uint64_t address);

// A cursor over a message body, for the message decoders.
inline Cursor BodyCursor(const Context& ctx, const Message& m, std::string_view what) {
  return Cursor(ctx, m.body, m.offset, what);
}

// Printable name of a message type ("dataspace", "link info", ...), or
// "unknown" for ids the format does not define.
std::string_view MessageTypeName(uint16_t type);

}  // namespace kgate::io::hdf5::internal
