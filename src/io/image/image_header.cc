#include "io/image/image_header.h"

#include <cstring>
#include <string>

#include "util/strings.h"

namespace kgate::io::image {
namespace {

constexpr uint8_t kPngSignature[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
// PNG and JPEG both keep dimensions below 2^31 (PNG by its spec, JPEG by
// its 16-bit fields); kgate holds PNG to the same bound.
constexpr uint32_t kMaxPngDimension = 0x7fffffff;

bool StartsWith(std::span<const uint8_t> bytes, std::string_view magic, size_t at = 0) {
  return bytes.size() >= at + magic.size() && std::memcmp(bytes.data() + at, magic.data(), magic.size()) == 0;
}

uint32_t Be32(const uint8_t* p) {
  return (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | uint32_t{p[3]};
}
std::string MarkerName(uint8_t marker) {
  constexpr char kHex[] = "0123456789abcdef";
  return {'0', 'x', 'f', 'f', kHex[marker >> 4], kHex[marker & 15]};
}

uint16_t Be16(const uint8_t* p) { return static_cast<uint16_t>((p[0] << 8) | p[1]); }

absl::Status Bad(std::string_view format, std::string_view what) {
  return absl::InvalidArgumentError(util::StrCat(format, ": ", what));
}

absl::StatusOr<ImageHeader> ReadPng(std::span<const uint8_t> b) {
  // Signature, then IHDR: length 13, type, 13 bytes of data, CRC.
  if (b.size() < 8 + 8 + 13 + 4) return Bad("PNG", util::StrCat("file of ", b.size(), " bytes is too short for IHDR"));
  const uint8_t* ihdr = b.data() + 8;
  if (Be32(ihdr) != 13 || std::memcmp(ihdr + 4, "IHDR", 4) != 0) {
    return Bad("PNG", "the first chunk must be IHDR with 13 bytes of data");
  }
  const uint8_t* d = ihdr + 8;
  ImageHeader h;
  h.format = ImageFormat::kPng;
  h.width = Be32(d);
  h.height = Be32(d + 4);
  h.bit_depth = d[8];
  const uint8_t color_type = d[9];
  if (h.width == 0 || h.height == 0 || h.width > kMaxPngDimension || h.height > kMaxPngDimension) {
    return Bad("PNG", util::StrCat("IHDR: width ", h.width, " x height ", h.height,
                                   "; expected each in 1..2147483647"));
  }
  struct ColorType {
    uint8_t type;
    uint32_t channels;
    std::string_view depths;  // allowed bit depths, as characters of their values
  };
  static constexpr ColorType kColorTypes[] = {
      {0, 1, "\x01\x02\x04\x08\x10"}, {2, 3, "\x08\x10"}, {3, 3, "\x01\x02\x04\x08"}, {4, 2, "\x08\x10"}, {6, 4, "\x08\x10"}};
  const ColorType* ct = nullptr;
  for (const ColorType& c : kColorTypes) {
    if (c.type == color_type) ct = &c;
  }
  if (ct == nullptr || ct->depths.find(static_cast<char>(h.bit_depth)) == std::string_view::npos) {
    return Bad("PNG", util::StrCat("IHDR: color type ", int{color_type}, " with bit depth ", h.bit_depth,
                                   " is not a valid PNG combination"));
  }
  h.channels = ct->channels;
  if (d[10] != 0 || d[11] != 0 || d[12] > 1) {
    return Bad("PNG", "IHDR: compression, filter and interlace methods must be 0, 0 and 0 or 1");
  }
  // Walk the chunks before the image data for acTL (animated PNG).
  size_t pos = 8 + 8 + 13 + 4;
  for (uint32_t n = 0; n < kMaxHeaderSegments; ++n) {
    if (b.size() - pos < 8) return Bad("PNG", util::StrCat("truncated before the image data (offset ", pos, ")"));
    const uint32_t length = Be32(b.data() + pos);
    const uint8_t* type = b.data() + pos + 4;
    if (std::memcmp(type, "IDAT", 4) == 0 || std::memcmp(type, "IEND", 4) == 0) return h;
    if (length > b.size() - pos - 8 || b.size() - pos - 8 - length < 4) {
      return Bad("PNG", util::StrCat("chunk at offset ", pos, " claims ", length, " bytes; only ",
                                     b.size() - pos - 8, " follow"));
    }
    if (std::memcmp(type, "acTL", 4) == 0 && length >= 4) h.frames = Be32(b.data() + pos + 8);
    pos += 8 + size_t{length} + 4;
  }
  return Bad("PNG", util::StrCat("more than ", kMaxHeaderSegments, " chunks before the image data"));
}

std::string_view JpegProcess(uint8_t marker) {
  switch (marker) {
    case 0xc3: return "lossless (SOF3)";
    case 0xc5: case 0xc6: case 0xc7: return "hierarchical";
    case 0xc9: case 0xca: case 0xcb: return "arithmetic-coded";
    case 0xcd: case 0xce: case 0xcf: return "hierarchical arithmetic-coded";
    default: return "";
  }
}

absl::StatusOr<ImageHeader> ReadJpeg(std::span<const uint8_t> b) {
  size_t pos = 2;  // after SOI
  for (uint32_t n = 0; n < kMaxHeaderSegments; ++n) {
    if (pos >= b.size() || b[pos] != 0xff) {
      return Bad("JPEG", util::StrCat(pos >= b.size() ? "truncated" : "expected a marker", " at offset ", pos,
                                      " before the frame header (SOFn)"));
    }
    while (pos < b.size() && b[pos] == 0xff) ++pos;  // fill bytes
    if (pos >= b.size()) return Bad("JPEG", "truncated before the frame header (SOFn)");
    const uint8_t marker = b[pos++];
    if (marker == 0x01 || (marker >= 0xd0 && marker <= 0xd7)) continue;  // no length
    if (marker == 0xd8 || marker == 0xd9 || marker == 0xda || marker == 0x00) {
      return Bad("JPEG", util::StrCat("marker ", MarkerName(marker), " at offset ", pos - 1,
                                      " comes before the frame header (SOFn)"));
    }
    if (b.size() - pos < 2) return Bad("JPEG", util::StrCat("truncated segment length at offset ", pos));
    const uint16_t length = Be16(b.data() + pos);
    if (length < 2 || length > b.size() - pos) {
      return Bad("JPEG", util::StrCat("segment at offset ", pos, " claims ", length, " bytes; ", b.size() - pos,
                                      " remain"));
    }
    const bool sof = marker >= 0xc0 && marker <= 0xcf && marker != 0xc4 && marker != 0xc8 && marker != 0xcc;
    if (!sof) {
      pos += length;
      continue;
    }
    if (!JpegProcess(marker).empty()) {
      return Bad("JPEG", util::StrCat(JpegProcess(marker), " JPEG is not supported; expected baseline, extended or "
                                      "progressive Huffman coding (SOF0, SOF1, SOF2)"));
    }
    if (length < 8) return Bad("JPEG", util::StrCat("frame header of ", length, " bytes; expected at least 8"));
    const uint8_t* d = b.data() + pos + 2;
    ImageHeader h;
    h.format = ImageFormat::kJpeg;
    h.bit_depth = d[0];
    h.height = Be16(d + 1);
    h.width = Be16(d + 3);
    h.channels = d[5];
    h.progressive = marker == 0xc2;
    if (h.width == 0 || h.height == 0) {
      return Bad("JPEG", util::StrCat("frame header: width ", h.width, " x height ", h.height,
                                      "; expected both above 0 (a height given later by DNL is not supported)"));
    }
    if (h.bit_depth != 8) return Bad("JPEG", util::StrCat("frame header: ", h.bit_depth, "-bit samples; expected 8"));
    if (h.channels != 1 && h.channels != 3 && h.channels != 4) {
      return Bad("JPEG", util::StrCat("frame header: ", h.channels, " components; expected 1, 3 or 4"));
    }
    if (length < 8 + 3 * h.channels) return Bad("JPEG", "frame header is shorter than its component list");
    return h;
  }
  return Bad("JPEG", util::StrCat("more than ", kMaxHeaderSegments, " marker segments before the frame header"));
}

}  // namespace

std::string_view FormatName(ImageFormat f) { return f == ImageFormat::kPng ? "png" : "jpeg"; }

std::string_view SniffFormat(std::span<const uint8_t> b) {
  if (b.size() >= 8 && std::memcmp(b.data(), kPngSignature, 8) == 0) return "png";
  if (b.size() >= 3 && b[0] == 0xff && b[1] == 0xd8 && b[2] == 0xff) return "jpeg";
  if (StartsWith(b, "GIF87a") || StartsWith(b, "GIF89a")) return "gif";
  if (StartsWith(b, "RIFF") && StartsWith(b, "WEBP", 8)) return "webp";
  if (StartsWith(b, "BM")) return "bmp";
  if (StartsWith(b, std::string_view("II*\0", 4)) || StartsWith(b, std::string_view("MM\0*", 4))) return "tiff";
  if (StartsWith(b, "ftyp", 4)) return "heif/avif";
  if (StartsWith(b, "qoif")) return "qoi";
  if (StartsWith(b, std::string_view("\xff\x0a", 2)) || StartsWith(b, std::string_view("\0\0\0\x0cJXL ", 8))) {
    return "jpeg xl";
  }
  if (StartsWith(b, std::string_view("\0\0\1\0", 4))) return "ico";
  return "";
}

absl::StatusOr<ImageHeader> ReadImageHeader(std::span<const uint8_t> bytes) {
  const std::string_view format = SniffFormat(bytes);
  if (format == "png") return ReadPng(bytes);
  if (format == "jpeg") return ReadJpeg(bytes);
  if (format.empty()) {
    return absl::InvalidArgumentError(util::StrCat("image: ", bytes.size(), " bytes whose magic bytes name no image "
                                                   "format; expected PNG or JPEG"));
  }
  return absl::InvalidArgumentError(util::StrCat("image: ", format, " images are not supported; expected PNG or JPEG"));
}

}  // namespace kgate::io::image
