// File: base64.h
// Standard base64 (RFC 4648 section 4, "+/" alphabet, "=" padding) as used by
// DSSE envelopes and Sigstore bundles. The decoder is strict: it refuses
// whitespace, the URL-safe alphabet, missing or extra padding and non-zero
// padding bits, so one envelope has exactly one encoding and no two bundles
// that differ in bytes decode to the same payload unnoticed.
#pragma once

#include <span>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace kgate::trust {

std::string Base64Encode(std::span<const uint8_t> bytes);
std::string Base64Encode(std::string_view bytes);

// Decodes `text`; the error names the offset of the first bad character.
absl::StatusOr<std::string> Base64Decode(std::string_view text);

}  // namespace kgate::trust
