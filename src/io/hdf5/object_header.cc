#include "io/hdf5/internal/object_header.h"

#include <deque>
#include <unordered_set>

#include "io/hdf5/internal/checksum.h"
#include "util/status_macros.h"

namespace kgate::io::hdf5::internal {
namespace {

using util::StrCat;

constexpr uint64_t kV1PrefixSize = 16;
constexpr uint64_t kV1MessageHeaderSize = 8;

struct Chunk {
  uint64_t address;  // where the chunk starts (v2: at its signature)
  uint64_t length;   // whole chunk (v2: signature and checksum included)
};

class HeaderReader {
 public:
  HeaderReader(const Context& ctx, ObjectHeader* out) : ctx_(ctx), out_(out) {}

  absl::Status Read(uint64_t address) {
    out_->address = address;
    if (!ctx_.Fits(address, 1) || ctx_.IsUndef(address)) {
      return Malformed(StrCat("object header address ", address, " is outside the file (",
                              ctx_.file.size(), " bytes)"));
    }
    out_->version = ctx_.file[address];
    if (out_->version == 1) return ReadV1(address);
    if (ctx_.Fits(address, 4) && std::memcmp(ctx_.file.data() + address, "OHDR", 4) == 0) {
      return ReadV2(address);
    }
    return Malformed(StrCat("object header at offset ", address, ": neither a version 1 header nor \"OHDR\""));
  }

 private:
  absl::Status ReadV1(uint64_t address) {
    KGATE_ASSIGN_OR_RETURN(Cursor c, Cursor::At(ctx_, address, kV1PrefixSize, "object header"));
    KGATE_RETURN_IF_ERROR(c.Skip(2));  // version, reserved
    KGATE_ASSIGN_OR_RETURN(uint16_t declared_messages, c.U16());
    KGATE_RETURN_IF_ERROR(c.Skip(4));  // reference count
    KGATE_ASSIGN_OR_RETURN(uint32_t chunk0_size, c.U32());
    pending_.push_back({address + kV1PrefixSize, chunk0_size});
    visited_.insert(address + kV1PrefixSize);
    while (!pending_.empty()) {
      Chunk chunk = pending_.front();
      pending_.pop_front();
      KGATE_ASSIGN_OR_RETURN(Cursor cc, Cursor::At(ctx_, chunk.address, chunk.length, "object header chunk"));
      KGATE_RETURN_IF_ERROR(ParseV1Messages(cc));
    }
    if (out_->messages.size() != declared_messages) {
      return Malformed(StrCat("object header at offset ", address, ": holds ", out_->messages.size(),
                              " messages but declares ", declared_messages));
    }
    return absl::OkStatus();
  }

  absl::Status ParseV1Messages(Cursor& c) {
    while (c.remaining() > 0) {
      if (c.remaining() < kV1MessageHeaderSize) return c.Error("trailing bytes after the last message");
      KGATE_ASSIGN_OR_RETURN(uint16_t type, c.U16());
      KGATE_ASSIGN_OR_RETURN(uint16_t size, c.U16());
      KGATE_ASSIGN_OR_RETURN(uint8_t flags, c.U8());
      KGATE_RETURN_IF_ERROR(c.Skip(3));
      if (size % 8 != 0) return c.Error(StrCat("message size ", size, " is not a multiple of 8"));
      KGATE_RETURN_IF_ERROR(AddMessage(c, type, flags, size));
    }
    return absl::OkStatus();
  }

  absl::Status ReadV2(uint64_t address) {
    // The prefix is at most 4+1+1+16+4+8 = 34 bytes; read what fits.
    const uint64_t avail = ctx_.file.size() - address;
    KGATE_ASSIGN_OR_RETURN(Cursor c, Cursor::At(ctx_, address, avail < 34 ? avail : 34, "object header"));
    KGATE_RETURN_IF_ERROR(c.Skip(4));  // "OHDR"
    KGATE_ASSIGN_OR_RETURN(uint8_t version, c.U8());
    if (version != 2) return c.UnsupportedError(StrCat("object header version ", version, " (supported: 1, 2)"));
    out_->version = 2;
    KGATE_ASSIGN_OR_RETURN(flags_, c.U8());
    if (flags_ & 0xC0) return c.Error(StrCat("reserved object header flag bits set (flags ", flags_, ")"));
    if (flags_ & 0x20) KGATE_RETURN_IF_ERROR(c.Skip(16));  // access/modification/change/birth times
    if (flags_ & 0x10) KGATE_RETURN_IF_ERROR(c.Skip(4));   // attribute phase change values
    KGATE_ASSIGN_OR_RETURN(uint64_t chunk0_size, c.UInt(1u << (flags_ & 3)));
    const uint64_t messages_start = address + c.pos();
    auto end = util::CheckedAdd(messages_start, chunk0_size);
    if (!end || !util::CheckedAdd(*end, 4) || !ctx_.Fits(address, *end + 4 - address)) {
      return Malformed(StrCat("object header at offset ", address, ": chunk of ", chunk0_size,
                              " bytes does not fit in the file"));
    }
    KGATE_RETURN_IF_ERROR(VerifyChecksum(address, *end - address, "object header"));
    out_->checksummed.push_back({address, *end - address});
    visited_.insert(address);
    Cursor body(ctx_, ctx_.file.subspan(messages_start, chunk0_size), messages_start, "object header");
    KGATE_RETURN_IF_ERROR(ParseV2Messages(body));
    while (!pending_.empty()) {
      Chunk chunk = pending_.front();
      pending_.pop_front();
      // "OCHK", messages, checksum.
      if (chunk.length < 8) {
        return Malformed(StrCat("continuation chunk at offset ", chunk.address, ": length ", chunk.length,
                                " is too small for its signature and checksum"));
      }
      KGATE_ASSIGN_OR_RETURN(Cursor cc, Cursor::At(ctx_, chunk.address, chunk.length, "continuation chunk"));
      KGATE_RETURN_IF_ERROR(ExpectSignature(cc, "OCHK"));
      KGATE_RETURN_IF_ERROR(VerifyChecksum(chunk.address, chunk.length - 4, "continuation chunk"));
      out_->checksummed.push_back({chunk.address, chunk.length - 4});
      Cursor msgs(ctx_, ctx_.file.subspan(chunk.address + 4, chunk.length - 8), chunk.address + 4,
                  "continuation chunk");
      KGATE_RETURN_IF_ERROR(ParseV2Messages(msgs));
    }
    return absl::OkStatus();
  }

  absl::Status ParseV2Messages(Cursor& c) {
    const uint64_t header_size = (flags_ & 0x04) ? 6 : 4;
    // A gap smaller than a message header may end the chunk.
    while (c.remaining() >= header_size) {
      KGATE_ASSIGN_OR_RETURN(uint8_t type, c.U8());
      KGATE_ASSIGN_OR_RETURN(uint16_t size, c.U16());
      KGATE_ASSIGN_OR_RETURN(uint8_t flags, c.U8());
      if (flags_ & 0x04) KGATE_RETURN_IF_ERROR(c.Skip(2));  // creation order
      KGATE_RETURN_IF_ERROR(AddMessage(c, type, flags, size));
    }
    return absl::OkStatus();
  }

  absl::Status VerifyChecksum(uint64_t address, uint64_t length, std::string_view what) {
    const uint32_t computed = Lookup3(ctx_.file.subspan(address, length));
    uint32_t stored;
    std::memcpy(&stored, ctx_.file.data() + address + length, 4);
    if (stored != computed) {
      return Malformed(StrCat(what, " at offset ", address, ": checksum mismatch (stored ", stored,
                              ", computed ", computed, ")"));
    }
    return absl::OkStatus();
  }

  absl::Status AddMessage(Cursor& c, uint16_t type, uint8_t flags, uint16_t size) {
    const uint64_t body_offset = c.offset();
    KGATE_RETURN_IF_ERROR(ctx_.Charge(1));
    KGATE_ASSIGN_OR_RETURN(auto body, c.Bytes(size));
    if (out_->messages.size() >= ctx_.limits.max_messages_per_header) {
      return OverLimit(util::rules::kHdf5Malformed,
                       StrCat("object header at offset ", out_->address, ": more than ",
                              ctx_.limits.max_messages_per_header, " messages (max_messages_per_header)"));
    }
    if (flags & kMsgFlagShared) {
      return Unsupported(StrCat(MessageTypeName(type), " message at offset ", body_offset,
                                " is stored in the shared-message heap (shared messages are not supported)"));
    }
    out_->messages.push_back({type, flags, body_offset, body});
    if (type == kMsgContinuation) {
      Cursor cont(ctx_, body, body_offset, "continuation message");
      KGATE_ASSIGN_OR_RETURN(uint64_t address, cont.Offset());
      KGATE_ASSIGN_OR_RETURN(uint64_t length, cont.Length());
      if (++continuations_ > ctx_.limits.max_continuations) {
        return OverLimit(util::rules::kHdf5Malformed,
                         StrCat("object header at offset ", out_->address, ": more than ",
                                ctx_.limits.max_continuations, " continuation chunks (max_continuations)"));
      }
      if (!visited_.insert(address).second) {
        return Malformed(StrCat("continuation message at offset ", body_offset, ": chunk at offset ", address,
                                " was already read (continuation cycle)"));
      }
      if (length == 0) return Malformed(StrCat("continuation message at offset ", body_offset, ": empty chunk"));
      pending_.push_back({address, length});
    }
    return absl::OkStatus();
  }

  const Context& ctx_;
  ObjectHeader* out_;
  uint8_t flags_ = 0;  // v2 header flags
  uint32_t continuations_ = 0;
  std::deque<Chunk> pending_;
  std::unordered_set<uint64_t> visited_;
};

}  // namespace

absl::StatusOr<ObjectHeader> ReadObjectHeader(const Context& ctx, uint64_t address) {
  ObjectHeader header;
  HeaderReader reader(ctx, &header);
  KGATE_RETURN_IF_ERROR(reader.Read(address));
  return header;
}

std::string_view MessageTypeName(uint16_t type) {
  switch (type) {
    case kMsgNil: return "NIL";
    case kMsgDataspace: return "dataspace";
    case kMsgLinkInfo: return "link info";
    case kMsgDatatype: return "datatype";
    case kMsgFillValueOld: return "fill value (old)";
    case kMsgFillValue: return "fill value";
    case kMsgLink: return "link";
    case kMsgExternalFiles: return "external data files";
    case kMsgLayout: return "data layout";
    case kMsgBogus: return "bogus";
    case kMsgGroupInfo: return "group info";
    case kMsgFilterPipeline: return "filter pipeline";
    case kMsgAttribute: return "attribute";
    case kMsgComment: return "object comment";
    case kMsgModificationTimeOld: return "modification time (old)";
    case kMsgSharedMessageTable: return "shared message table";
    case kMsgContinuation: return "object header continuation";
    case kMsgSymbolTable: return "symbol table";
    case kMsgModificationTime: return "modification time";
    case kMsgBTreeK: return "B-tree K values";
    case kMsgDriverInfo: return "driver info";
    case kMsgAttributeInfo: return "attribute info";
    case kMsgReferenceCount: return "reference count";
    case kMsgFileSpaceInfo: return "file space info";
    default: return "unknown";
  }
}

}  // namespace kgate::io::hdf5::internal
