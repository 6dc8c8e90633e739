// File: byte_reader.h
// ByteReader is a cursor over a bounded span of untrusted bytes. It reads
// little-endian integers with memcpy (no aligned-pointer casts: a STORED zip
// member can start at any offset) and never looks outside its span; a read
// past the end returns an OUT_OF_RANGE status naming `what` and the offset.
// A ByteReader does not own its bytes; they must outlive it.
#pragma once

#include <cstdint>
#include <cstring>
#include <span>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "util/strings.h"
#include "util/checked_math.h"

namespace kgate::util {

class ByteReader {
 public:
  explicit ByteReader(std::span<const uint8_t> bytes, uint64_t pos = 0) : bytes_(bytes), pos_(pos) {}

  uint64_t position() const { return pos_; }
  uint64_t size() const { return bytes_.size(); }
  uint64_t remaining() const { return pos_ <= bytes_.size() ? bytes_.size() - pos_ : 0; }
  std::span<const uint8_t> bytes() const { return bytes_; }

  // Moves the cursor to `pos` (which may equal size()).
  [[nodiscard]] absl::Status Seek(uint64_t pos, std::string_view what) {
    if (pos > bytes_.size()) return OutOfRange(what, pos, 0);
    pos_ = pos;
    return absl::OkStatus();
  }
  [[nodiscard]] absl::Status Skip(uint64_t n, std::string_view what) {
    if (!RangeFits(pos_, n, bytes_.size())) return OutOfRange(what, pos_, n);
    pos_ += n;
    return absl::OkStatus();
  }

  template <typename T>
  [[nodiscard]] absl::StatusOr<T> Read(std::string_view what) {
    static_assert(std::is_integral_v<T>);
    if (!RangeFits(pos_, sizeof(T), bytes_.size())) return OutOfRange(what, pos_, sizeof(T));
    T v;
    std::memcpy(&v, bytes_.data() + pos_, sizeof(T));  // host is little-endian (x86-64, aarch64)
    pos_ += sizeof(T);
    return v;
  }
  [[nodiscard]] absl::StatusOr<uint8_t> U8(std::string_view what) { return Read<uint8_t>(what); }
  [[nodiscard]] absl::StatusOr<uint16_t> U16(std::string_view what) { return Read<uint16_t>(what); }
  [[nodiscard]] absl::StatusOr<uint32_t> U32(std::string_view what) { return Read<uint32_t>(what); }
  [[nodiscard]] absl::StatusOr<uint64_t> U64(std::string_view what) { return Read<uint64_t>(what); }

  // Unsigned little-endian integer of `width` bytes (1..8), as HDF5 uses for
  // offsets and lengths whose size the superblock declares.
  [[nodiscard]] absl::StatusOr<uint64_t> UVar(unsigned width, std::string_view what) {
    if (width == 0 || width > 8) {
      return absl::InvalidArgumentError(StrCat(what, ": unsupported integer width ", width));
    }
    if (!RangeFits(pos_, width, bytes_.size())) return OutOfRange(what, pos_, width);
    uint64_t v = 0;
    std::memcpy(&v, bytes_.data() + pos_, width);
    pos_ += width;
    return v;
  }

  // A view of the next n bytes; advances the cursor.
  [[nodiscard]] absl::StatusOr<std::span<const uint8_t>> Bytes(uint64_t n, std::string_view what) {
    if (!RangeFits(pos_, n, bytes_.size())) return OutOfRange(what, pos_, n);
    auto out = bytes_.subspan(pos_, n);
    pos_ += n;
    return out;
  }

 private:
  absl::Status OutOfRange(std::string_view what, uint64_t at, uint64_t n) const {
    return absl::OutOfRangeError(StrCat(what, ": need ", n, " bytes at offset ", at,
                                              " but the buffer holds ", bytes_.size()));
  }

  std::span<const uint8_t> bytes_;
  uint64_t pos_;
};

}  // namespace kgate::util
