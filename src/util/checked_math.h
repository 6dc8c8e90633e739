// File: checked_math.h
// Overflow-checked unsigned arithmetic for sizes and offsets read from
// untrusted bytes. Every `offset + size` and `count * element_size` computed
// from file or request data goes through these before it is used.
#pragma once

#include <cstdint>
#include <optional>
#include <span>

namespace kgate::util {

// Returns a + b, or nullopt when the sum does not fit in uint64_t.
[[nodiscard]] inline std::optional<uint64_t> CheckedAdd(uint64_t a, uint64_t b) {
  uint64_t r;
  if (__builtin_add_overflow(a, b, &r)) return std::nullopt;
  return r;
}

// Returns a * b, or nullopt when the product does not fit in uint64_t.
[[nodiscard]] inline std::optional<uint64_t> CheckedMul(uint64_t a, uint64_t b) {
  uint64_t r;
  if (__builtin_mul_overflow(a, b, &r)) return std::nullopt;
  return r;
}

// Product of all values, or nullopt on overflow. The empty product is 1.
[[nodiscard]] inline std::optional<uint64_t> CheckedProduct(std::span<const uint64_t> values) {
  uint64_t r = 1;
  for (uint64_t v : values) {
    if (__builtin_mul_overflow(r, v, &r)) return std::nullopt;
  }
  return r;
}

// True when [offset, offset + size) lies inside a buffer of `total` bytes.
[[nodiscard]] inline bool RangeFits(uint64_t offset, uint64_t size, uint64_t total) {
  return offset <= total && size <= total - offset;
}

}  // namespace kgate::util
