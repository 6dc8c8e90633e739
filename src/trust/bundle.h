// File: bundle.h
// The Sigstore bundle (v0.3 JSON) that carries a model signature, as written
// by model-signing's key-based signer: verification material that names the
// public key by its hint, and a DSSE envelope with a base64 in-toto payload
// and one or more base64 DER signatures.
//
// ParseBundle reads untrusted bytes: the JSON goes through the strict
// io/json parser (no duplicate keys, size and depth caps), every field the
// verifier relies on is checked for presence and type, and errors name the
// JSON pointer of the offending field and what was expected there. Unknown
// fields are ignored, as Sigstore's own readers do. Certificate and
// transparency-log (keyless) bundles are refused: kgate verifies keys only.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace kgate::trust {

inline constexpr std::string_view kBundleMediaType = "application/vnd.dev.sigstore.bundle.v0.3+json";
// A signature bundle larger than this is refused unread. A manifest entry is
// about 150 bytes; 64 MiB of base64 covers ~300,000 files.
inline constexpr size_t kMaxBundleBytes = size_t{64} << 20;
// An envelope with more signatures than this is refused (one is normal).
inline constexpr size_t kMaxEnvelopeSignatures = 16;

struct EnvelopeSignature {
  std::string sig;  // DER bytes, decoded from base64
  std::string keyid;
};

struct Bundle {
  std::string media_type = std::string(kBundleMediaType);
  // SHA-256 hex of the signer's PEM public key; nullopt when the bundle has
  // none (older model-signing bundles), so every trusted key is tried.
  std::optional<std::string> public_key_hint;
  std::string payload_type;
  std::string payload;  // decoded bytes: the in-toto statement JSON
  std::vector<EnvelopeSignature> signatures;
};

absl::StatusOr<Bundle> ParseBundle(std::string_view json_text);

// Compact JSON in the shape model-signing writes.
std::string SerializeBundle(const Bundle& bundle);

}  // namespace kgate::trust
