// File: content_encoding.h
// Request bodies sent with `Content-Encoding: gzip`, inflated with zlib's
// streaming API under two caps checked as the output grows, so a gzip bomb
// is refused before it can take more memory than an ordinary body may: the
// server's absolute body cap, and a ratio cap (decoded bytes per byte sent)
// that applies once the output passes kRatioFreeBytes, so a small request of
// zeros (which gzip shrinks a hundredfold) still decodes. Concatenated gzip
// members decode as one body (RFC 1952); anything after the last member, a
// bad header or a bad checksum is malformed. Only gzip (and its alias
// x-gzip) and identity are accepted: anything else, a list of encodings
// included, is unsupported.
//
// Errors: UNIMPLEMENTED for an unsupported encoding (the server answers
// 415), RESOURCE_EXHAUSTED past a cap (413), INVALID_ARGUMENT for malformed
// gzip (400); each message says which and by how much.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace kgate::serve {

struct DecodeLimits {
  uint64_t max_bytes = uint64_t{64} << 20;  // decoded body cap, the same as for plain bodies
  uint32_t max_ratio = 100;                 // decoded bytes per encoded byte, beyond kRatioFreeBytes
};
inline constexpr uint64_t kRatioFreeBytes = uint64_t{1} << 20;

// True for an absent, empty or "identity" Content-Encoding (case-insensitive).
bool IsIdentityEncoding(std::string_view content_encoding);

// Decodes `body` sent with `content_encoding` (not identity).
absl::StatusOr<std::string> DecodeBody(std::string_view content_encoding, std::string_view body,
                                       const DecodeLimits& limits);

}  // namespace kgate::serve
