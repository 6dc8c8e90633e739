// File: policy.h
// The trust policy a server applies before it serves a model, and the check
// it runs at load and at every reload. A policy can require a signature from
// one of a set of trusted public keys, pin the model to SHA-256 digests, and
// treat repository hygiene problems (hygiene.h) as warnings or refusals.
// A per-model policy (kgate.yaml) is merged with TightenPolicy, which can only
// make the server's policy stricter, never looser.
//
// CheckModel is what the server calls: a model that fails is refused with
// kPermissionDenied and a message that says why, and the caller keeps serving
// the previous version. Policies are immutable values, safe to share across
// threads; CheckModel is thread-safe.
//
// Status: `kgate serve` does not exist yet; this API and its tests are the
// contract the serve module will call at load and reload.
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "trust/digest.h"
#include "trust/ec_key.h"

namespace kgate::trust {

enum class HygieneAction { kOff, kWarn, kRefuse };

// The signature file looked for beside a model file, or inside a model folder.
inline constexpr std::string_view kDefaultSignatureName = "model.sig";

struct TrustPolicy {
  // Refuse models without a signature that verifies with a trusted key.
  bool require_signature = false;
  std::vector<PublicKey> trusted_keys;
  // When not empty, the model's digest (`kgate digest`: the root digest over
  // its files; for a single file also the file's plain SHA-256) must be one
  // of these.
  std::vector<Sha256> pinned_digests;
  // Permissions and ownership findings. Symlinks that lead out of the model
  // are refused whatever this says, unless it is kOff.
  HygieneAction hygiene = HygieneAction::kWarn;
};

// A trust policy as a configuration file spells it (the server config's
// `trust:` section or a model's kgate.yaml); BuildPolicy loads and checks it.
struct TrustPolicySpec {
  bool require_signature = false;
  std::vector<std::string> trusted_key_files;  // PEM public keys
  std::vector<std::string> pinned_digests;     // "sha256:<64 hex>" (or bare hex)
  std::string hygiene = "warn";                // off | warn | refuse
};

// Loads the keys and parses the digests; errors name `where` and the field
// ("server config trust.pinned_digests[1]: expected sha256:<64 hex digits>").
absl::StatusOr<TrustPolicy> BuildPolicy(const TrustPolicySpec& spec, std::string_view where);

// A policy that could never admit a model (a signature required, no key
// trusted) is an error in the configuration, reported as kInvalidArgument.
absl::Status ValidatePolicy(const TrustPolicy& policy);

// The server policy tightened by a per-model policy: a signature is required
// if either requires it; keys and pins are the model's subset of the
// server's (or the model's own when the server sets none); hygiene takes the
// stricter action. A model policy that names only keys or pins the server
// does not accept is refused (kPermissionDenied): it would widen trust.
absl::StatusOr<TrustPolicy> TightenPolicy(const TrustPolicy& server, const TrustPolicy& model);

struct CheckOptions {
  std::optional<uid_t> owner;  // the user kgate runs as; default geteuid()
  std::string signature_name = std::string(kDefaultSignatureName);
};

struct TrustDecision {
  bool signature_verified = false;
  std::string signer_hint;  // the key that verified the signature
  std::string model_digest;  // hex; set when digests were pinned
  std::vector<std::string> warnings;  // hygiene warnings, unverified signatures
};

// Why CheckModel refused a model, from its kPermissionDenied status, as a
// short label for metrics and the audit log: "unsigned", "not-pinned",
// "hygiene", "signature-unreadable", "not-covered", or a VerifyFailureName
// ("untrusted-key", "bad-signature", "files-differ", ...). "" for other
// statuses.
std::string RefusalReason(const absl::Status& status);

// Checks the model at `model_path` (a model file or a model folder) against
// `policy`. The signature is `<folder>/model.sig`, where <folder> is the
// model folder or the folder holding the model file; it may cover the file
// alone or the whole folder (then the file must be one of the signed files).
absl::StatusOr<TrustDecision> CheckModel(const std::string& model_path, const TrustPolicy& policy,
                                         const CheckOptions& options = {});

}  // namespace kgate::trust
