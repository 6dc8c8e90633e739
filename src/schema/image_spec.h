// File: image_spec.h
// An input that accepts encoded images: `image:` under an input in the
// `inputs:` section of a model's kgate.yaml.
//
//   inputs:
//     image:                    # a float32 input of shape [None, H, W, C]
//       image:
//         formats: [png, jpeg]  # the allowlist, checked on the magic bytes
//         max_pixels: 784       # width x height, read from the header before decoding
//         channels: 1           # 1 gray, 3 RGB, 4 RGBA; must equal C (the default)
//         scale: 0.00392156862745098   # value = sample * scale + offset
//         offset: 0
//
// Such an input also takes TF Serving {"b64": "..."} values and KServe BYTES
// tensors, one encoded image per batch row; plain numbers keep working.
// Without `image:`, encoded images are refused for that input. Plain values,
// shared read-only by every request.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "io/json/json.h"

namespace kgate::schema {

struct InputRule;

// The largest max_pixels a config may set: 16 Mpx, 64 MiB of RGBA samples
// and 256 MiB as float32, per image.
inline constexpr int64_t kMaxImagePixels = int64_t{1} << 24;

struct ImageSpec {
  std::vector<std::string> formats;  // "png", "jpeg": what the magic bytes may announce
  int64_t max_pixels = 0;            // width x height
  int64_t channels = 0;              // samples per pixel the tensor takes
  double scale = 1.0;
  double offset = 0.0;
};

// Parses the mapping under `<path>` (e.g. "inputs.image.image").
absl::StatusOr<ImageSpec> ParseImageSpec(const io::json::Value& v, std::string_view where, std::string_view path);

// Checks `spec` against the input it is declared on (float32, shape
// [batch, H, W, C] with C fixed at 1, 3 or 4; channels equal to C; H x W
// within max_pixels when both are fixed), fills the defaults (channels = C,
// max_pixels = H x W when fixed, else required) and sets rule->image.
absl::Status ApplyImageSpec(ImageSpec spec, std::string_view where, std::string_view path, InputRule* rule);

}  // namespace kgate::schema
