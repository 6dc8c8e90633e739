#include "serve/image_input.h"

#include <algorithm>
#include <cstring>
#include <span>
#include <string>
#include <vector>

#include "io/image/image_decode.h"
#include "io/image/image_header.h"
#include "serve/input_constraints.h"
#include "serve/input_validation.h"
#include "trust/base64.h"
#include "util/strings.h"

namespace kgate::serve {
namespace {

using io::json::Value;

const Value* B64String(const Value& v) { return IsB64Value(v) ? v.Find("b64") : nullptr; }

struct Refuser {
  const InputRule& rule;
  schema::Violations* violations;
  void operator()(std::vector<int64_t> index, std::string rule_name, std::string expected, std::string actual) const {
    violations->Add(schema::Violation{rule.name, std::move(index), std::move(rule_name), std::move(expected),
                                      std::move(actual)});
  }
};

// The encoded bytes of each element, or false after a violation.
bool Elements(const RequestInput& in, const Refuser& refuse, std::vector<std::string>* out) {
  const int64_t n = in.shape.size() == 1 ? in.shape[0] : -1;
  if (n < 1) {
    refuse({}, "shape", "[N]: one encoded image per batch row, N >= 1", ShapeText(in.shape));
    return false;
  }
  if (!CheckMaxBatch(refuse.rule, n, refuse.violations)) return false;
  if (in.raw) {
    // KServe binary BYTES: a 4-byte little-endian length before each element.
    std::string_view rest = *in.raw;
    for (int64_t i = 0; i < n; ++i) {
      uint32_t length = 0;
      if (rest.size() < 4 || (std::memcpy(&length, rest.data(), 4), length > rest.size() - 4)) {
        refuse({i}, "binary_size", "a 4-byte little-endian length and that many bytes",
               util::StrCat(rest.size(), " bytes left"));
        return false;
      }
      out->emplace_back(rest.substr(4, length));
      rest.remove_prefix(4 + size_t{length});
    }
    if (!rest.empty()) {
      refuse({}, "binary_size", util::StrCat(n, " length-prefixed elements"),
             util::StrCat(rest.size(), " bytes after the last one"));
      return false;
    }
    return true;
  }
  if (static_cast<int64_t>(in.json_values.size()) != n) {
    refuse({}, "shape", util::StrCat(n, " encoded images for shape ", ShapeText(in.shape)),
           util::StrCat(in.json_values.size(), " values"));
    return false;
  }
  bool ok = true;
  for (int64_t i = 0; i < n; ++i) {
    const Value& v = *in.json_values[static_cast<size_t>(i)];
    const Value* text = in.declared ? (v.is_string() ? &v : nullptr) : B64String(v);
    if (text == nullptr) {
      refuse({i}, "image", in.declared ? "a base64 string (BYTES)" : "{\"b64\": \"<base64 image>\"}",
             std::string(Value::KindName(v.kind())));
      ok = false;
      continue;
    }
    absl::StatusOr<std::string> bytes = trust::Base64Decode(text->string());
    if (!bytes.ok()) {
      refuse({i}, "base64", "standard base64 (RFC 4648, padded)", std::string(bytes.status().message()));
      ok = false;
      continue;
    }
    out->push_back(*std::move(bytes));
  }
  return ok;
}

}  // namespace

bool IsB64Value(const Value& v) {
  if (!v.is_object() || v.object().size() != 1) return false;
  const Value* s = v.Find("b64");
  return s != nullptr && s->is_string();
}

bool CarriesEncodedImages(const RequestInput& in) {
  if (in.declared == util::DType::kString) return true;
  return !in.json_values.empty() && B64String(*in.json_values[0]) != nullptr;
}

std::optional<engine::HostTensor> DecodeImageInput(const InputRule& rule, const RequestInput& in,
                                                   schema::Violations* violations) {
  const Refuser refuse{rule, violations};
  if (!rule.image) {
    refuse({}, "image",
           util::StrCat("numbers: input '", rule.name, "' is float32 ", ShapeText(rule.shape),
                        " and takes encoded images only when its kgate.yaml declares image:"),
           in.declared ? "a BYTES tensor" : "{\"b64\": ...}");
    return std::nullopt;
  }
  const schema::ImageSpec& spec = *rule.image;
  std::vector<std::string> encoded;
  if (!Elements(in, refuse, &encoded)) return std::nullopt;
  auto bytes_of = [&](size_t i) {
    return std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(encoded[i].data()), encoded[i].size());
  };
  const std::string allowed = util::StrJoin(spec.formats, " or ");
  // Pass 1, headers only: format, size and the request's total are settled
  // before any decoder runs or any pixel memory is taken.
  std::vector<io::image::ImageHeader> headers;
  int64_t height = rule.shape[1];
  int64_t width = rule.shape[2];
  uint64_t total_pixels = 0;
  bool ok = true;
  for (size_t i = 0; i < encoded.size() && !violations->full(); ++i) {
    const std::vector<int64_t> row = {static_cast<int64_t>(i)};
    const std::string_view sniffed = io::image::SniffFormat(bytes_of(i));
    if (std::find(spec.formats.begin(), spec.formats.end(), sniffed) == spec.formats.end()) {
      refuse(row, "image_format", util::StrCat("a ", allowed, " image"),
             sniffed.empty() ? util::StrCat(encoded[i].size(), " bytes of no known image format")
                             : util::StrCat("a ", sniffed, " image"));
      ok = false;
      continue;
    }
    absl::StatusOr<io::image::ImageHeader> header = io::image::ReadImageHeader(bytes_of(i));
    if (!header.ok()) {
      refuse(row, "image", util::StrCat("a valid ", allowed, " image"), std::string(header.status().message()));
      ok = false;
      continue;
    }
    const std::string size = util::StrCat(header->width, " x ", header->height);
    if (header->pixels() > static_cast<uint64_t>(spec.max_pixels)) {
      refuse(row, "image_size", util::StrCat("at most ", spec.max_pixels, " pixels (width x height)"),
             util::StrCat(size, " = ", header->pixels(), " pixels"));
      ok = false;
      continue;
    }
    // A free height or width is set by the first image; the rest must match it.
    const bool fixed = rule.shape[1] != graph::kUnknownDim && rule.shape[2] != graph::kUnknownDim;
    if ((height != graph::kUnknownDim && height != header->height) ||
        (width != graph::kUnknownDim && width != header->width)) {
      refuse(row, "image_size",
             util::StrCat(width == graph::kUnknownDim ? std::string("any") : std::to_string(width), " x ",
                          height == graph::kUnknownDim ? std::string("any") : std::to_string(height),
                          " pixels (width x height)", fixed ? "" : ", as the batch's first image"),
             size);
      ok = false;
      continue;
    }
    height = header->height;
    width = header->width;
    total_pixels += header->pixels();
    if (total_pixels > kMaxRequestImagePixels) {
      refuse(row, "image_size", util::StrCat("at most ", kMaxRequestImagePixels, " pixels over all images of a request"),
             util::StrCat(total_pixels, " pixels up to this image"));
      return std::nullopt;
    }
    headers.push_back(*header);
  }
  if (!ok || violations->full()) return std::nullopt;
  // Pass 2: decode each image straight into the tensor.
  engine::HostTensor t = engine::HostTensor::Allocate(
      util::DType::kFloat32, {static_cast<int64_t>(headers.size()), height, width, spec.channels});
  float* dst = t.buffer.f32();
  const float scale = static_cast<float>(spec.scale);
  const float offset = static_cast<float>(spec.offset);
  io::image::DecodeLimits limits;
  limits.max_pixels = static_cast<uint64_t>(spec.max_pixels);
  for (size_t i = 0; i < headers.size(); ++i) {
    absl::StatusOr<io::image::DecodedImage> image =
        io::image::DecodeImage(bytes_of(i), headers[i], static_cast<uint32_t>(spec.channels), limits);
    if (!image.ok()) {
      refuse({static_cast<int64_t>(i)}, "image_decode",
             util::StrCat("a ", allowed, " image that decodes to ", spec.channels, " channel(s)"),
             std::string(image.status().message()));
      ok = false;
      continue;
    }
    for (uint8_t sample : image->pixels) *dst++ = static_cast<float>(sample) * scale + offset;
  }
  if (!ok) return std::nullopt;
  return t;
}

}  // namespace kgate::serve
