// File: internal/format.h
// Shared plumbing of the HDF5 reader: the per-file Context (the bytes up to
// the end-of-file address, the widths of offsets and lengths, the limits), a
// bounded little-endian Cursor that reports absolute file offsets in its
// errors, the error constructors that attach the KG-H rules, and the fixed
// caps that the public Limits do not expose.
//
// Nothing here owns bytes: a Context and every Cursor are views into the
// span given to File::Open. All functions are pure and thread-safe.
#pragma once

#include <cstdint>
#include <cstring>
#include <span>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "io/hdf5/hdf5.h"
#include "util/checked_math.h"
#include "util/rules.h"
#include "util/strings.h"

namespace kgate::io::hdf5::internal {

// The format signature, at offset 0 of every file kgate accepts.
inline constexpr uint8_t kSignature[8] = {0x89, 'H', 'D', 'F', '\r', '\n', 0x1a, '\n'};

// Fixed caps (not in Limits because no legitimate file comes near them).
// B-trees (group and chunk) are at most this deep; HDF5 itself never builds
// more than a handful of levels, and the walk is iterative anyway.
inline constexpr uint32_t kMaxBTreeDepth = 64;
// B-tree nodes and symbol-table nodes read while listing one group or one
// chunked dataset; bounds the work a hostile tree of shared nodes can demand.
inline constexpr uint32_t kMaxBTreeNodes = 1 << 20;
// Chunks read for one dataset (each needs at least one index entry in the file).
inline constexpr uint64_t kMaxChunks = uint64_t{1} << 24;
// HDF5 limits a chunk to 4 GiB - 1 bytes (its size is a 32-bit field).
inline constexpr uint64_t kMaxChunkBytes = (uint64_t{1} << 32) - 1;
// The 1000x rule (CVE-2026-0897): a chunked dataset whose declared size is
// above this and more than kShapeBombRatio times the bytes actually stored is
// refused before anything is allocated.
inline constexpr uint64_t kShapeBombFloorBytes = uint64_t{64} << 20;
inline constexpr uint64_t kShapeBombRatio = 1000;

// `s` (a name or value read from the file) made safe to embed in a message:
// non-printable bytes become \xNN and long values are cut at 80 bytes.
inline std::string Printable(std::string_view s) {
  constexpr size_t kMax = 80;
  std::string out;
  for (size_t i = 0; i < s.size() && i < kMax; ++i) {
    const unsigned char ch = static_cast<unsigned char>(s[i]);
    if (ch >= 0x20 && ch < 0x7f && ch != '\\' && ch != '"') {
      out.push_back(static_cast<char>(ch));
    } else {
      static constexpr char kHex[] = "0123456789abcdef";
      out += "\\x";
      out.push_back(kHex[ch >> 4]);
      out.push_back(kHex[ch & 15]);
    }
  }
  if (s.size() > kMax) out += "...";
  return out;
}

// Work a single public call may do, in units of structures parsed (object
// header messages, B-tree and symbol table entries, global heap objects,
// chunk index entries). A valid file needs about one unit per 16 bytes
// (global heap collections are re-read per attribute, a few times more); shared or overlapping metadata (many groups naming one huge B-tree,
// many objects continuing into one long chunk) would otherwise multiply the
// work without bound. Running out is KG-H001 with RESOURCE_EXHAUSTED.
inline constexpr uint64_t kWorkUnitsPerByte = 16;
inline constexpr uint64_t kMinWorkUnits = uint64_t{1} << 20;

class WorkBudget {
 public:
  explicit WorkBudget(uint64_t file_size)
      : left_(file_size > kMinWorkUnits / kWorkUnitsPerByte ? file_size * kWorkUnitsPerByte : kMinWorkUnits) {}
  bool exhausted() const { return exhausted_; }
  absl::Status Charge(uint64_t units) {
    if (units > left_) {
      exhausted_ = true;
      return util::RuleLimitError(util::rules::kHdf5Malformed,
                                  "work budget exhausted: metadata is shared or overlapping so that reading it "
                                  "would take far more work than the file's size justifies");
    }
    left_ -= units;
    return absl::OkStatus();
  }

 private:
  uint64_t left_;
  bool exhausted_ = false;
};

struct Context {
  std::span<const uint8_t> file;  // [0, end-of-file address)
  uint8_t offset_size = 8;        // "O": width of addresses
  uint8_t length_size = 8;        // "L": width of lengths
  Limits limits;
  WorkBudget* budget = nullptr;   // per public call; null: unbounded (tests)

  absl::Status Charge(uint64_t units) const {
    return budget != nullptr ? budget->Charge(units) : absl::OkStatus();
  }
  uint64_t Undef() const {
    return offset_size >= 8 ? ~uint64_t{0} : (uint64_t{1} << (8 * offset_size)) - 1;
  }
  bool IsUndef(uint64_t address) const { return address == Undef(); }
  // True when [address, address + size) lies inside the file.
  bool Fits(uint64_t address, uint64_t size) const { return util::RangeFits(address, size, file.size()); }
};

// Errors. Messages say what and where; the object path is prefixed by the
// caller (util::Annotate) once it is known.
inline absl::Status Malformed(std::string_view msg) {
  return util::RuleError(util::rules::kHdf5Malformed, msg);
}
inline absl::Status Unsupported(std::string_view msg) {
  return util::RuleError(util::rules::kHdf5Unsupported, msg);
}
inline absl::Status SizeError(std::string_view msg) {
  return util::RuleError(util::rules::kHdf5ShapeBomb, msg);
}
// A cap from Limits (or the fixed caps above) was hit.
inline absl::Status OverLimit(std::string_view rule, std::string_view msg) {
  return util::RuleLimitError(rule, msg);
}

// A bounded reader over `bytes`, which start at absolute file offset `base`.
// Reads past the end fail with KG-H001 naming `what` and the offset.
class Cursor {
 public:
  Cursor(const Context& ctx, std::span<const uint8_t> bytes, uint64_t base, std::string_view what)
      : ctx_(&ctx), bytes_(bytes), base_(base), what_(what) {}

  // A cursor over [address, address + size) of the file, or KG-H001 when that
  // range is not inside the file.
  static absl::StatusOr<Cursor> At(const Context& ctx, uint64_t address, uint64_t size,
                                   std::string_view what) {
    if (ctx.IsUndef(address) || !ctx.Fits(address, size)) {
      return Malformed(util::StrCat(what, ": ", size, " bytes at offset ", address,
                                    " do not fit in the file (", ctx.file.size(), " bytes)"));
    }
    return Cursor(ctx, ctx.file.subspan(address, size), address, what);
  }

  uint64_t pos() const { return pos_; }                  // relative to the start
  uint64_t offset() const { return base_ + pos_; }       // absolute file offset
  uint64_t size() const { return bytes_.size(); }
  uint64_t remaining() const { return bytes_.size() - pos_; }
  std::string_view what() const { return what_; }
  const Context& ctx() const { return *ctx_; }

  absl::Status Seek(uint64_t pos) {
    if (pos > bytes_.size()) return Short(pos - pos_);
    pos_ = pos;
    return absl::OkStatus();
  }
  absl::Status Skip(uint64_t n) {
    if (n > remaining()) return Short(n);
    pos_ += n;
    return absl::OkStatus();
  }
  absl::StatusOr<std::span<const uint8_t>> Bytes(uint64_t n) {
    if (n > remaining()) return Short(n);
    auto out = bytes_.subspan(pos_, n);
    pos_ += n;
    return out;
  }
  // Unsigned little-endian integer of `width` bytes (1..8).
  absl::StatusOr<uint64_t> UInt(unsigned width) {
    if (width == 0 || width > 8) {
      return Malformed(util::StrCat(what_, ": integer width ", width, " at offset ", offset()));
    }
    if (width > remaining()) return Short(width);
    uint64_t v = 0;
    std::memcpy(&v, bytes_.data() + pos_, width);  // host is little-endian
    pos_ += width;
    return v;
  }
  absl::StatusOr<uint8_t> U8() { return Narrow<uint8_t>(UInt(1)); }
  absl::StatusOr<uint16_t> U16() { return Narrow<uint16_t>(UInt(2)); }
  absl::StatusOr<uint32_t> U32() { return Narrow<uint32_t>(UInt(4)); }
  absl::StatusOr<uint64_t> U64() { return UInt(8); }
  absl::StatusOr<uint64_t> Offset() { return UInt(ctx_->offset_size); }
  absl::StatusOr<uint64_t> Length() { return UInt(ctx_->length_size); }

  // Error helpers naming this structure and the current offset.
  absl::Status Error(std::string_view problem) const {
    return Malformed(util::StrCat(what_, " at offset ", offset(), ": ", problem));
  }
  absl::Status UnsupportedError(std::string_view problem) const {
    return Unsupported(util::StrCat(what_, " at offset ", offset(), ": ", problem));
  }

 private:
  template <typename T>
  static absl::StatusOr<T> Narrow(absl::StatusOr<uint64_t> v) {
    if (!v.ok()) return v.status();
    return static_cast<T>(*v);
  }
  absl::Status Short(uint64_t n) const {
    return Malformed(util::StrCat(what_, ": truncated: need ", n, " bytes at offset ", offset(),
                                  ", only ", remaining(), " left"));
  }

  const Context* ctx_;
  std::span<const uint8_t> bytes_;
  uint64_t base_;
  uint64_t pos_ = 0;
  std::string_view what_;
};

// Reads a 4-byte signature and compares it with `sig`.
inline absl::Status ExpectSignature(Cursor& c, std::string_view sig) {
  auto got = c.Bytes(4);
  if (!got.ok()) return got.status();
  if (std::memcmp(got->data(), sig.data(), 4) != 0) {
    return Malformed(util::StrCat(c.what(), " at offset ", c.offset() - 4, ": expected signature \"",
                                  sig, "\""));
  }
  return absl::OkStatus();
}

}  // namespace kgate::io::hdf5::internal
