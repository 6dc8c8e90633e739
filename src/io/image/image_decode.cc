#include "io/image/image_decode.h"

// clang-format off
#include <csetjmp>
#include <cstdio>  // jpeglib.h needs FILE
#include <jpeglib.h>
#include <png.h>
// clang-format on

#include <cstring>

#include "util/strings.h"

// Codec errors arrive through callbacks that longjmp back to the setjmp in
// the decode function. Every C++ object in those functions is constructed
// before setjmp and outlives the jump (RAII holders of the codec state, the
// output buffer), and nothing between setjmp and the codec calls constructs
// one, so no destructor is ever skipped.

namespace kgate::io::image {
namespace {

constexpr size_t kMessageBytes = 200;

absl::Status ColorToGray(std::string_view format) {
  return absl::InvalidArgumentError(util::StrCat(format, ": a color image; the input takes 1 channel (grayscale): "
                                                 "convert it to grayscale before sending"));
}

// ---- PNG --------------------------------------------------------------

struct PngSource {
  std::span<const uint8_t> bytes;
  size_t pos = 0;
  char message[kMessageBytes] = {};
};

void OnPngError(png_structp png, png_const_charp msg) {
  auto* src = static_cast<PngSource*>(png_get_error_ptr(png));
  std::snprintf(src->message, sizeof(src->message), "%s", msg);
  png_longjmp(png, 1);
}

void OnPngWarning(png_structp, png_const_charp) {}  // benign errors are errors (png_set_benign_errors)

void ReadPngBytes(png_structp png, png_bytep out, size_t n) {
  auto* src = static_cast<PngSource*>(png_get_io_ptr(png));
  if (n > src->bytes.size() - src->pos) png_error(png, "truncated: the image data ends early");
  std::memcpy(out, src->bytes.data() + src->pos, n);
  src->pos += n;
}

struct PngState {
  png_structp png = nullptr;
  png_infop info = nullptr;
  ~PngState() { png_destroy_read_struct(&png, info != nullptr ? &info : nullptr, nullptr); }
};

absl::Status DecodePng(std::span<const uint8_t> bytes, const ImageHeader& header, const DecodeLimits& limits,
                       DecodedImage* out) {
  PngSource src{bytes};
  PngState s;
  s.png = png_create_read_struct(PNG_LIBPNG_VER_STRING, &src, OnPngError, OnPngWarning);
  if (s.png == nullptr) return absl::ResourceExhaustedError("PNG: cannot create the decoder");
  s.info = png_create_info_struct(s.png);
  if (s.info == nullptr) return absl::ResourceExhaustedError("PNG: cannot create the decoder");
  std::vector<png_bytep> rows(out->height);
  for (uint32_t y = 0; y < out->height; ++y) rows[y] = out->pixels.data() + size_t{y} * out->width * out->channels;
  const uint32_t channels = out->channels;
  if (setjmp(png_jmpbuf(s.png))) {
    return absl::InvalidArgumentError(util::StrCat("PNG: ", src.message));
  }
  png_set_read_fn(s.png, &src, ReadPngBytes);
  png_set_user_limits(s.png, header.width, header.height);
  png_set_chunk_cache_max(s.png, limits.max_png_ancillary_chunks);
  png_set_chunk_malloc_max(s.png, limits.max_png_chunk_bytes);
  png_set_benign_errors(s.png, 0);
  png_set_crc_action(s.png, PNG_CRC_DEFAULT, PNG_CRC_DEFAULT);
  png_read_info(s.png, s.info);
  if (png_get_image_width(s.png, s.info) != header.width || png_get_image_height(s.png, s.info) != header.height) {
    png_error(s.png, "the decoder read other dimensions than the header");
  }
  const int color_type = png_get_color_type(s.png, s.info);
  const bool color = (color_type & PNG_COLOR_MASK_COLOR) != 0;
  const bool alpha = (color_type & PNG_COLOR_MASK_ALPHA) != 0 || png_get_valid(s.png, s.info, PNG_INFO_tRNS) != 0;
  if (color && channels == 1) return ColorToGray("PNG");
  if (png_get_bit_depth(s.png, s.info) == 16) png_set_strip_16(s.png);
  png_set_expand(s.png);  // palette to RGB, gray below 8 bits to 8, tRNS to alpha
  if (!color && channels >= 3) png_set_gray_to_rgb(s.png);
  if (alpha && channels != 4) png_set_strip_alpha(s.png);
  if (!alpha && channels == 4) png_set_add_alpha(s.png, 0xff, PNG_FILLER_AFTER);
  png_set_interlace_handling(s.png);
  png_read_update_info(s.png, s.info);
  if (png_get_channels(s.png, s.info) != channels ||
      png_get_rowbytes(s.png, s.info) != size_t{header.width} * channels) {
    png_error(s.png, "the decoder's row layout differs from the requested channels");
  }
  png_read_image(s.png, rows.data());
  png_read_end(s.png, nullptr);
  return absl::OkStatus();
}

// ---- JPEG -------------------------------------------------------------

struct JpegErrors {
  jpeg_error_mgr mgr;  // first: libjpeg passes &mgr as the error manager
  std::jmp_buf jump;
  char message[JMSG_LENGTH_MAX > kMessageBytes ? JMSG_LENGTH_MAX : kMessageBytes] = {};
};

[[noreturn]] void OnJpegError(j_common_ptr cinfo) {
  auto* errors = reinterpret_cast<JpegErrors*>(cinfo->err);
  (*cinfo->err->format_message)(cinfo, errors->message);
  std::longjmp(errors->jump, 1);
}

// Level -1 is a warning about corrupt data (a truncated stream that the
// decoder would pad with grey, extraneous bytes): an error here.
void OnJpegMessage(j_common_ptr cinfo, int level) {
  if (level < 0) OnJpegError(cinfo);
}

struct JpegProgress {
  jpeg_progress_mgr mgr;  // first: libjpeg passes &mgr
  uint32_t max_scans = 0;
};

void OnJpegProgress(j_common_ptr cinfo) {
  auto* progress = reinterpret_cast<JpegProgress*>(cinfo->progress);
  auto* d = reinterpret_cast<j_decompress_ptr>(cinfo);
  if (d->input_scan_number > static_cast<int>(progress->max_scans)) {
    auto* errors = reinterpret_cast<JpegErrors*>(cinfo->err);
    std::snprintf(errors->message, sizeof(errors->message), "more than %u scans (a progressive scan bomb)",
                  progress->max_scans);
    std::longjmp(errors->jump, 2);
  }
}

struct JpegState {
  jpeg_decompress_struct cinfo;
  bool created = false;
  ~JpegState() {
    if (created) jpeg_destroy_decompress(&cinfo);
  }
};

absl::Status DecodeJpeg(std::span<const uint8_t> bytes, const ImageHeader& header, const DecodeLimits& limits,
                        DecodedImage* out) {
  JpegErrors errors;
  JpegProgress progress;
  JpegState s;
  s.cinfo.err = jpeg_std_error(&errors.mgr);
  errors.mgr.error_exit = OnJpegError;
  errors.mgr.emit_message = OnJpegMessage;
  progress.mgr.progress_monitor = OnJpegProgress;
  progress.max_scans = limits.max_jpeg_scans;
  const uint32_t channels = out->channels;
  switch (setjmp(errors.jump)) {  // a context the C standard allows for setjmp
    case 0: break;
    case 2: return absl::ResourceExhaustedError(util::StrCat("JPEG: ", errors.message));
    default: return absl::InvalidArgumentError(util::StrCat("JPEG: ", errors.message));
  }
  jpeg_create_decompress(&s.cinfo);
  s.created = true;
  s.cinfo.progress = &progress.mgr;
  s.cinfo.mem->max_memory_to_use = static_cast<long>(limits.max_codec_memory);
  jpeg_mem_src(&s.cinfo, bytes.data(), bytes.size());
  jpeg_read_header(&s.cinfo, TRUE);
  if (s.cinfo.image_width != header.width || s.cinfo.image_height != header.height) {
    std::snprintf(errors.message, sizeof(errors.message), "the decoder read other dimensions than the header");
    std::longjmp(errors.jump, 1);
  }
  const J_COLOR_SPACE source = s.cinfo.jpeg_color_space;
  if (source == JCS_CMYK || source == JCS_YCCK) {
    return absl::InvalidArgumentError("JPEG: CMYK images are not supported; expected grayscale or color (YCbCr/RGB)");
  }
  if (source != JCS_GRAYSCALE && channels == 1) return ColorToGray("JPEG");
  s.cinfo.out_color_space = channels == 1 ? JCS_GRAYSCALE : channels == 3 ? JCS_RGB : JCS_EXT_RGBA;
  jpeg_start_decompress(&s.cinfo);
  if (s.cinfo.output_components != static_cast<int>(channels) || s.cinfo.output_width != header.width ||
      s.cinfo.output_height != header.height) {
    std::snprintf(errors.message, sizeof(errors.message), "the decoder's output layout differs from the request");
    std::longjmp(errors.jump, 1);
  }
  while (s.cinfo.output_scanline < s.cinfo.output_height) {
    JSAMPROW row = out->pixels.data() + size_t{s.cinfo.output_scanline} * header.width * channels;
    jpeg_read_scanlines(&s.cinfo, &row, 1);
  }
  jpeg_finish_decompress(&s.cinfo);
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<DecodedImage> DecodeImage(std::span<const uint8_t> bytes, const ImageHeader& header, uint32_t channels,
                                         const DecodeLimits& limits) {
  if (channels != 1 && channels != 3 && channels != 4) {
    return absl::InvalidArgumentError(util::StrCat("image: ", channels, " channels requested; expected 1, 3 or 4"));
  }
  if (header.pixels() > limits.max_pixels) {
    return absl::ResourceExhaustedError(util::StrCat("image: ", header.width, " x ", header.height, " = ",
                                                     header.pixels(), " pixels; at most ", limits.max_pixels));
  }
  if (header.frames != 1) {
    return absl::InvalidArgumentError(util::StrCat("image: ", header.frames, " frames; expected a still image"));
  }
  DecodedImage out;
  out.width = header.width;
  out.height = header.height;
  out.channels = channels;
  out.pixels.resize(static_cast<size_t>(header.pixels()) * channels);
  absl::Status s = header.format == ImageFormat::kPng ? DecodePng(bytes, header, limits, &out)
                                                      : DecodeJpeg(bytes, header, limits, &out);
  if (!s.ok()) return s;
  return out;
}

}  // namespace kgate::io::image
