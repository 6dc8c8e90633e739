// gzip request bodies (serve/content_encoding.h): any bytes sent with
// Content-Encoding: gzip either decode within both caps or are refused with
// 400/413; never a crash, a hang, or output past a cap.
#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "serve/content_encoding.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view body(reinterpret_cast<const char*>(data), size);
  const kgate::serve::DecodeLimits limits{.max_bytes = uint64_t{4} << 20, .max_ratio = 20};
  absl::StatusOr<std::string> decoded = kgate::serve::DecodeBody("gzip", body, limits);
  if (decoded.ok()) {
    const uint64_t ratio_cap = std::max<uint64_t>(kgate::serve::kRatioFreeBytes, uint64_t{size} * limits.max_ratio);
    if (decoded->size() > limits.max_bytes || decoded->size() > ratio_cap) std::abort();
  } else {
    const absl::StatusCode code = decoded.status().code();
    if (code != absl::StatusCode::kInvalidArgument && code != absl::StatusCode::kResourceExhausted) std::abort();
  }
  return 0;
}
