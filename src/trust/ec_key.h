// File: ec_key.h
// ECDSA keys for model signatures, through OpenSSL 3: PEM public keys
// (SubjectPublicKeyInfo) and private keys (SEC1 "EC PRIVATE KEY" or PKCS#8),
// on the curves model-signing supports: NIST P-256, P-384 and P-521, each
// signing with its matching hash (SHA-256, SHA-384, SHA-512). Signatures are
// DER-encoded ECDSA, as in DSSE envelopes.
//
// A key's hint is the SHA-256 (hex) of its public key in PEM form, which is
// what model-signing puts in a bundle's verificationMaterial.publicKey.hint.
//
// Keys are immutable after loading and safe to use from many threads
// (OpenSSL 3 EVP_PKEY objects are, for signing and verifying).
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"

typedef struct evp_pkey_st EVP_PKEY;

namespace kgate::trust {

// Key files larger than this are refused before parsing; a P-521 PEM key
// with its header is under 400 bytes.
inline constexpr size_t kMaxKeyFileBytes = 64 << 10;

class PublicKey {
 public:
  static absl::StatusOr<PublicKey> FromPem(std::string_view pem, std::string_view source);
  static absl::StatusOr<PublicKey> FromPemFile(const std::string& path);

  const std::string& hint() const { return hint_; }
  const std::string& curve() const { return curve_; }  // "P-256", "P-384" or "P-521"
  const std::string& source() const { return source_; }  // file name, for messages
  const std::string& pem() const { return pem_; }

  // True if `der_signature` is this key's ECDSA signature over `message`.
  // Malformed signatures are simply not valid.
  bool Verify(std::string_view message, std::string_view der_signature) const;

 private:
  PublicKey() = default;
  std::shared_ptr<EVP_PKEY> key_;
  std::string hint_, curve_, source_, pem_;
};

class PrivateKey {
 public:
  // Encrypted keys are refused with a message saying so.
  static absl::StatusOr<PrivateKey> FromPem(std::string_view pem, std::string_view source);
  static absl::StatusOr<PrivateKey> FromPemFile(const std::string& path);

  const PublicKey& public_key() const { return public_key_; }
  absl::StatusOr<std::string> Sign(std::string_view message) const;

 private:
  PrivateKey(std::shared_ptr<EVP_PKEY> key, PublicKey public_key)
      : key_(std::move(key)), public_key_(std::move(public_key)) {}
  std::shared_ptr<EVP_PKEY> key_;
  PublicKey public_key_;
};

// Reads a whole small file (keys, signature bundles) with a size cap.
absl::StatusOr<std::string> ReadSmallFile(const std::string& path, size_t max_bytes);

}  // namespace kgate::trust
