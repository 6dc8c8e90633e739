// File: image_decode.h
// Decodes a PNG or JPEG image whose header (image_header.h) was already read
// and accepted, with Debian's libpng and libjpeg-turbo, into 8-bit samples
// laid out height x width x channels. This is the only file in kgate that
// touches the codecs' setjmp/longjmp error handling; each codec runs with
// limits set before it reads a byte: width and height pinned to the header
// that was checked (png_set_user_limits), ancillary chunk count and size
// capped, a memory ceiling and a cap on progressive JPEG scans, and every
// codec warning (a truncated or corrupt stream that a codec would pad with
// grey) is an error. Thread-safe: each call owns its codec state.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "absl/status/statusor.h"
#include "io/image/image_header.h"

namespace kgate::io::image {

struct DecodeLimits {
  uint64_t max_pixels = uint64_t{1} << 24;  // width x height; the caller's own limit should be lower
  // A progressive JPEG has ~10 scans; each extra scan re-decodes the whole
  // image, so thousands of tiny scans make a CPU bomb of a small file.
  uint32_t max_jpeg_scans = 64;
  uint64_t max_codec_memory = uint64_t{256} << 20;  // libjpeg's working memory beyond the output
  uint32_t max_png_ancillary_chunks = 64;           // text, ICC, ... chunks kept by libpng
  uint64_t max_png_chunk_bytes = uint64_t{1} << 20;  // one (decompressed) ancillary chunk
};

struct DecodedImage {
  uint32_t width = 0;
  uint32_t height = 0;
  uint32_t channels = 0;        // 1 gray, 3 RGB, 4 RGBA
  std::vector<uint8_t> pixels;  // height x width x channels, row-major
};

// Decodes `bytes` (whose header is `header`) to `channels` samples per pixel
// (1, 3 or 4). Gray becomes RGB by repeating the sample, an alpha channel is
// dropped or an opaque one added, 16-bit samples keep their high byte; a
// color image is refused for 1 channel (which luma weights to use is the
// client's choice, not the server's). INVALID_ARGUMENT names the codec's
// complaint; RESOURCE_EXHAUSTED a limit.
absl::StatusOr<DecodedImage> DecodeImage(std::span<const uint8_t> bytes, const ImageHeader& header, uint32_t channels,
                                         const DecodeLimits& limits = {});

}  // namespace kgate::io::image
