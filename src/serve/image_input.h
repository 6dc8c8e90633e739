// File: image_input.h
// Encoded images on the wire, for inputs whose kgate.yaml declares `image:`
// (schema/image_spec.h): TF Serving {"b64": "..."} values and KServe BYTES
// tensors (JSON: base64 strings; binary extension: each element a 4-byte
// little-endian length and its bytes), one image per batch row, tensor shape
// [N]. Each image is checked in this order, and refused at the first step
// it fails, with a violation naming the input and the batch row: base64,
// format from the magic bytes against the allowlist, width and height from
// the header (io/image/image_header.h) against max_pixels, the input's
// fixed height and width and the request's total (kMaxRequestImagePixels),
// and only then decoding. The decoded samples
// become the input's float32 [N, H, W, C] tensor as sample * scale +
// offset. Encoded images sent to an input without `image:` are refused,
// saying what that input takes. Stateless; thread-safe.
#pragma once

#include <cstdint>
#include <optional>

#include "engine/tensor.h"
#include "schema/violations.h"
#include "serve/input_schema.h"

namespace kgate::serve {

// Pixels one request may decode, over all its images: a small PNG can claim
// max_pixels, so without a total a body of many tiny images would decode to
// many times the server's memory. 2^26 pixels are 256 MiB of float32 for one
// channel, 1 GiB for RGBA.
inline constexpr uint64_t kMaxRequestImagePixels = uint64_t{1} << 26;

// True for a TF Serving binary value: an object whose only member is "b64", a string.
bool IsB64Value(const io::json::Value& v);

// True when `in` carries encoded images: a KServe BYTES tensor or TF Serving
// {"b64": ...} objects.
bool CarriesEncodedImages(const RequestInput& in);

// The float32 tensor the images in `in` decode to, or nullopt after adding
// at least one violation.
std::optional<engine::HostTensor> DecodeImageInput(const InputRule& rule, const RequestInput& in,
                                                   schema::Violations* violations);

}  // namespace kgate::serve
