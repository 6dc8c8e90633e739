// The image header reader and decoders: Pillow's images decode to exactly
// Pillow's pixels; forged headers (a 100000 x 100000 PNG in a few bytes, a
// lossless JPEG, 1025 segments), every truncation and a flipped byte are
// refused with a message, never a crash; the limits hold at N and N+1.
#include <zlib.h>

#include <cstdlib>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "io/image/image_decode.h"
#include "io/image/image_header.h"
#include "io/npy/npy.h"

namespace kgate::io::image {
namespace {

using ::testing::HasSubstr;

std::string Fixture(const std::string& name) {
  const char* root = std::getenv("KGATE_SOURCE_DIR");
  return std::string(root != nullptr ? root : KGATE_SOURCE_DIR) + "/tests/fixtures/images/" + name;
}

std::vector<uint8_t> ReadBytes(const std::string& name) {
  std::ifstream f(Fixture(name), std::ios::binary);
  EXPECT_TRUE(f.good()) << name;
  return {std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>()};
}

absl::StatusOr<DecodedImage> Decode(const std::vector<uint8_t>& bytes, uint32_t channels,
                                    const DecodeLimits& limits = {}) {
  absl::StatusOr<ImageHeader> header = ReadImageHeader(bytes);
  if (!header.ok()) return header.status();
  return DecodeImage(bytes, *header, channels, limits);
}

struct Case {
  std::string file;
  uint32_t width, height, channels;
  bool progressive;
  std::vector<uint32_t> decode_to;
};

TEST(ImageDecode, PillowImagesDecodeToPillowsPixels) {
  const Case cases[] = {
      {"gray28.png", 28, 28, 1, false, {1, 3, 4}},  {"rgb16.png", 16, 16, 3, false, {3, 4}},
      {"rgba16.png", 16, 16, 4, false, {3, 4}},     {"palette16.png", 16, 16, 3, false, {3, 4}},
      {"gray28.jpg", 28, 28, 1, false, {1, 3, 4}},  {"rgb16.jpg", 16, 16, 3, false, {3, 4}},
      {"rgb64x48_progressive.jpg", 64, 48, 3, true, {3, 4}},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.file);
    const std::vector<uint8_t> bytes = ReadBytes(c.file);
    absl::StatusOr<ImageHeader> header = ReadImageHeader(bytes);
    ASSERT_TRUE(header.ok()) << header.status();
    EXPECT_EQ(header->width, c.width);
    EXPECT_EQ(header->height, c.height);
    EXPECT_EQ(header->channels, c.channels);
    EXPECT_EQ(header->progressive, c.progressive);
    EXPECT_EQ(header->frames, 1u);
    for (uint32_t channels : c.decode_to) {
      SCOPED_TRACE(channels);
      absl::StatusOr<DecodedImage> image = DecodeImage(bytes, *header, channels);
      ASSERT_TRUE(image.ok()) << image.status();
      absl::StatusOr<npy::Array> want = npy::ReadFile(Fixture(c.file + ".c" + std::to_string(channels) + ".npy"));
      ASSERT_TRUE(want.ok()) << want.status();
      ASSERT_EQ(want->shape, (std::vector<int64_t>{c.height, c.width, channels}));
      EXPECT_EQ(image->pixels, want->data);
    }
  }
}

TEST(ImageDecode, ColorToGrayAndCmykAreRefused) {
  EXPECT_THAT(Decode(ReadBytes("rgb16.png"), 1).status().message(), HasSubstr("PNG: a color image; the input takes 1"));
  EXPECT_THAT(Decode(ReadBytes("rgb16.jpg"), 1).status().message(), HasSubstr("JPEG: a color image"));
  EXPECT_THAT(Decode(ReadBytes("cmyk16.jpg"), 3).status().message(), HasSubstr("CMYK images are not supported"));
  EXPECT_THAT(Decode(ReadBytes("rgb16.png"), 2).status().message(), HasSubstr("2 channels requested"));
}

TEST(ImageHeader, OtherFormatsAreNamed) {
  EXPECT_EQ(SniffFormat(ReadBytes("rgb16.gif")), "gif");
  EXPECT_EQ(SniffFormat(ReadBytes("rgb16.bmp")), "bmp");
  EXPECT_THAT(ReadImageHeader(ReadBytes("rgb16.gif")).status().message(),
              HasSubstr("gif images are not supported; expected PNG or JPEG"));
  const std::vector<uint8_t> junk = {'h', 'e', 'l', 'l', 'o'};
  EXPECT_THAT(ReadImageHeader(junk).status().message(), HasSubstr("5 bytes whose magic bytes name no image format"));
  EXPECT_FALSE(ReadImageHeader({}).ok());
}

void PutBe32(std::vector<uint8_t>* b, size_t at, uint32_t v) {
  for (int i = 0; i < 4; ++i) (*b)[at + i] = static_cast<uint8_t>(v >> (24 - 8 * i));
}

// gray28.png with its IHDR claiming width x height (CRC fixed, so only the size lies).
std::vector<uint8_t> PngClaiming(uint32_t width, uint32_t height) {
  std::vector<uint8_t> b = ReadBytes("gray28.png");
  PutBe32(&b, 16, width);
  PutBe32(&b, 20, height);
  PutBe32(&b, 29, static_cast<uint32_t>(crc32(0, b.data() + 12, 17)));
  return b;
}

TEST(ImageDecode, APixelBombIsRefusedFromItsHeaderBeforeDecoding) {
  const std::vector<uint8_t> bomb = PngClaiming(100000, 100000);
  absl::StatusOr<ImageHeader> header = ReadImageHeader(bomb);
  ASSERT_TRUE(header.ok()) << header.status();
  EXPECT_EQ(header->pixels(), uint64_t{10000000000});
  absl::StatusOr<DecodedImage> image = DecodeImage(bomb, *header, 1);
  EXPECT_EQ(image.status().code(), absl::StatusCode::kResourceExhausted);
  EXPECT_THAT(image.status().message(), HasSubstr("100000 x 100000 = 10000000000 pixels; at most 16777216"));
  // At the limit the header passes and the decoder, pinned to the header's
  // size, finds the image data short; one pixel over is refused up front.
  DecodeLimits limits;
  limits.max_pixels = 28 * 28;
  EXPECT_TRUE(Decode(ReadBytes("gray28.png"), 1, limits).ok());
  limits.max_pixels = 28 * 28 - 1;
  EXPECT_EQ(Decode(ReadBytes("gray28.png"), 1, limits).status().code(), absl::StatusCode::kResourceExhausted);
  EXPECT_THAT(ReadImageHeader(PngClaiming(0, 5)).status().message(), HasSubstr("IHDR: width 0 x height 5"));
  EXPECT_THAT(ReadImageHeader(PngClaiming(0x80000000u, 5)).status().message(), HasSubstr("1..2147483647"));
  // A header that lies about a small size: the decoder's output would not
  // match, and libpng, pinned to the header, finds too little or too much.
  EXPECT_FALSE(Decode(PngClaiming(29, 28), 1).ok());
}

TEST(ImageDecode, EveryTruncationIsRefused) {
  for (const char* name : {"gray28.png", "rgb16.jpg", "rgb64x48_progressive.jpg", "palette16.png"}) {
    const std::vector<uint8_t> bytes = ReadBytes(name);
    for (size_t n = 0; n < bytes.size(); ++n) {
      const std::vector<uint8_t> cut(bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(n));
      absl::StatusOr<DecodedImage> image = Decode(cut, std::string(name).find("gray") != std::string::npos ? 1 : 3);
      ASSERT_FALSE(image.ok()) << name << " cut to " << n << " bytes decoded";
      EXPECT_EQ(image.status().code(), absl::StatusCode::kInvalidArgument) << image.status();
    }
  }
}

TEST(ImageDecode, AFlippedByteInTheImageDataFailsItsChecksum) {
  std::vector<uint8_t> b = ReadBytes("rgb16.png");
  b[b.size() - 20] ^= 0x40;  // inside the last IDAT
  EXPECT_THAT(Decode(b, 3).status().message(), HasSubstr("PNG: "));
}

TEST(ImageDecode, ProgressiveScansAreCapped) {
  const std::vector<uint8_t> bytes = ReadBytes("rgb64x48_progressive.jpg");
  DecodeLimits limits;
  limits.max_jpeg_scans = 2;
  absl::StatusOr<DecodedImage> image = Decode(bytes, 3, limits);
  EXPECT_EQ(image.status().code(), absl::StatusCode::kResourceExhausted);
  EXPECT_THAT(image.status().message(), HasSubstr("JPEG: more than 2 scans"));
  limits.max_jpeg_scans = 64;
  EXPECT_TRUE(Decode(bytes, 3, limits).ok());
}

// rgb16.jpg with `marker` in place of its SOF0.
std::vector<uint8_t> JpegWithFrameMarker(uint8_t marker) {
  std::vector<uint8_t> b = ReadBytes("rgb16.jpg");
  for (size_t i = 2; i + 1 < b.size(); ++i) {
    if (b[i] == 0xff && b[i + 1] == 0xc0) {
      b[i + 1] = marker;
      return b;
    }
  }
  ADD_FAILURE() << "no SOF0 in rgb16.jpg";
  return b;
}

TEST(ImageHeader, JpegCodingProcessesOtherThanHuffmanAreRefused) {
  EXPECT_THAT(ReadImageHeader(JpegWithFrameMarker(0xc3)).status().message(), HasSubstr("lossless (SOF3) JPEG"));
  EXPECT_THAT(ReadImageHeader(JpegWithFrameMarker(0xc9)).status().message(), HasSubstr("arithmetic-coded JPEG"));
  EXPECT_THAT(ReadImageHeader(JpegWithFrameMarker(0xc5)).status().message(), HasSubstr("hierarchical JPEG"));
  absl::StatusOr<ImageHeader> extended = ReadImageHeader(JpegWithFrameMarker(0xc1));
  EXPECT_TRUE(extended.ok()) << extended.status();
}

// rgb16.jpg with `n` empty comment segments after SOI.
std::vector<uint8_t> JpegWithComments(size_t n) {
  const std::vector<uint8_t> b = ReadBytes("rgb16.jpg");
  std::vector<uint8_t> out(b.begin(), b.begin() + 2);
  for (size_t i = 0; i < n; ++i) out.insert(out.end(), {0xff, 0xfe, 0x00, 0x02});
  out.insert(out.end(), b.begin() + 2, b.end());
  return out;
}

TEST(ImageHeader, SegmentsBeforeTheFrameHeaderAreCapped) {
  // rgb16.jpg has APP0, two DQT before SOF0: 3 segments of its own.
  EXPECT_TRUE(ReadImageHeader(JpegWithComments(kMaxHeaderSegments - 4)).ok());
  EXPECT_THAT(ReadImageHeader(JpegWithComments(kMaxHeaderSegments)).status().message(),
              HasSubstr("more than 1024 marker segments"));
  std::vector<uint8_t> sos_first = {0xff, 0xd8, 0xff, 0xda, 0x00, 0x02};
  EXPECT_THAT(ReadImageHeader(sos_first).status().message(), HasSubstr("marker 0xffda at offset 3 comes before"));
}

}  // namespace
}  // namespace kgate::io::image
