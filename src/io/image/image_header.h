// File: image_header.h
// A bounded reader of encoded image headers (PNG and JPEG), run on untrusted
// bytes before any decoder sees them, so a server can refuse an image by
// format, pixel count or size without letting a codec allocate for it. It
// names a format from its magic bytes (also formats kgate does not decode,
// for the error message), and reads width, height, channels and frame count
// from the PNG IHDR (and acTL for animated PNG) or the JPEG SOFn frame
// header. It never reads outside the span and walks at most
// kMaxHeaderSegments chunks or marker segments. Stateless; thread-safe.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

#include "absl/status/statusor.h"

namespace kgate::io::image {

enum class ImageFormat : uint8_t { kPng, kJpeg };

// "png", "jpeg".
std::string_view FormatName(ImageFormat f);

// The format the magic bytes announce: "png", "jpeg", "gif", "webp", "bmp",
// "tiff", "heif/avif", "qoi", ...; "" when none is recognised.
std::string_view SniffFormat(std::span<const uint8_t> bytes);

// Chunks (PNG) or marker segments (JPEG) walked before the frame header is
// found: real files carry a handful; thousands are an attack on the walk.
inline constexpr uint32_t kMaxHeaderSegments = 1024;

struct ImageHeader {
  ImageFormat format = ImageFormat::kPng;
  uint32_t width = 0;
  uint32_t height = 0;
  uint32_t channels = 0;   // as stored: 1 gray, 2 gray+alpha, 3 color, 4 color+alpha (CMYK for JPEG)
  uint32_t bit_depth = 8;  // bits per sample
  uint32_t frames = 1;     // animated PNG: acTL's frame count
  bool progressive = false;  // JPEG: SOF2 (multi-scan)
  uint64_t pixels() const { return uint64_t{width} * height; }
};

// Reads the header of a PNG or JPEG image. INVALID_ARGUMENT names the format
// (or the unsupported one the magic bytes announce), the field and what was
// expected: a zero or oversize dimension, an invalid IHDR combination, a
// JPEG coding process other than Huffman baseline, extended or progressive
// (lossless, arithmetic and hierarchical JPEG are refused), a header cut short.
absl::StatusOr<ImageHeader> ReadImageHeader(std::span<const uint8_t> bytes);

}  // namespace kgate::io::image
