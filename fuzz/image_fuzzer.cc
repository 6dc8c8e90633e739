// libFuzzer target for the image header reader and the PNG/JPEG decoders
// behind it: whatever header is accepted, decoding under a pixel cap either
// fails with a status or yields exactly height x width x channels samples.
// The first input byte picks the channel count (1, 3 or 4).
// Seeds: fuzz/corpus/image_fuzzer/ (tests/fixtures/images/).
#include <cstddef>
#include <cstdint>
#include <span>

#include "io/image/image_decode.h"
#include "io/image/image_header.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  constexpr uint32_t kChannels[] = {1, 3, 4};
  const uint32_t channels = kChannels[data[0] % 3];
  const std::span<const uint8_t> bytes(data + 1, size - 1);
  auto header = kgate::io::image::ReadImageHeader(bytes);
  if (!header.ok()) return 0;
  if (header->width == 0 || header->height == 0) __builtin_trap();
  kgate::io::image::DecodeLimits limits;
  limits.max_pixels = 1 << 20;  // keeps each run fast; the caps themselves are what is under test
  limits.max_codec_memory = uint64_t{64} << 20;
  auto image = kgate::io::image::DecodeImage(bytes, *header, channels, limits);
  if (!image.ok()) return 0;
  if (image->width != header->width || image->height != header->height || image->channels != channels ||
      image->pixels.size() != uint64_t{header->width} * header->height * channels) {
    __builtin_trap();
  }
  return 0;
}
