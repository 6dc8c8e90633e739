// File: verifier.h
// Verifies a model against a model-signing bundle and a set of trusted
// public keys, in this order: the bundle parses; it names (by hint) a trusted
// key, or names none and one trusted key is tried after another; a DSSE
// signature verifies with that key; the signed statement parses and its
// resources hash to its subject digest; the model on disk, hashed as the
// statement's serialization says, has exactly the signed resources. The
// report then says which file changed, which is missing, which is extra.
//
// Only signed content is trusted for decisions: the statement is parsed after
// its signature checks, and resource names from it are only compared, never
// opened. Thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "trust/ec_key.h"
#include "trust/hash_model.h"
#include "trust/manifest.h"

namespace kgate::trust {

struct VerifyOptions {
  // The bundle's own path; a signature inside a directory model is not part
  // of the model. The git paths are always left out, as model-signing does.
  std::string signature_path;
  std::vector<std::string> ignore_paths;
  HashOptions hash;
};

// Why a verification failed, for counting refusals by kind.
enum class VerifyFailure {
  kNone,
  kMalformedBundle,     // the bundle does not parse or lacks what is needed
  kUntrustedKey,        // the bundle names a key that is not trusted
  kBadSignature,        // no trusted key verifies the DSSE signature
  kMalformedStatement,  // signed, but the statement is invalid or inconsistent
  kUnsignableModel,     // the model holds what is never signed (symlink, device, ...)
  kFilesDiffer,         // the model on disk is not what was signed
};

// "malformed-bundle", "untrusted-key", ... (metric label values).
std::string_view VerifyFailureName(VerifyFailure failure);

struct VerifyReport {
  bool verified = false;
  VerifyFailure failure_kind = VerifyFailure::kNone;
  // Why verification failed before files were compared (bad bundle,
  // untrusted key, bad signature, inconsistent statement); empty when the
  // signature held, in which case `diff` says what differs.
  std::string failure;
  std::string predicate_type;
  std::string signer_hint;    // the trusted key that verified the signature
  std::string signer_source;  // where that key came from (its file)
  bool legacy_pae = false;    // signed with model-signing 0.2's PAE encoding
  Manifest signed_manifest;
  Sha256 root_digest{};       // over the signed resources: the model digest
  ManifestDiff diff;

  // "verified" or the failure or the diff, one item per line.
  std::vector<std::string> Describe() const;
};

// Errors (as Status) are only for what prevented checking: the model path
// does not exist or cannot be read. Every verdict about the signature or the
// files is in the report.
absl::StatusOr<VerifyReport> VerifyModel(const std::string& model_path, std::string_view bundle_json,
                                         const std::vector<PublicKey>& trusted_keys, const VerifyOptions& options);

}  // namespace kgate::trust
