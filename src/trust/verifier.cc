#include "trust/verifier.h"

#include "trust/bundle.h"
#include "trust/dsse.h"
#include "trust/signer.h"
#include "trust/statement.h"
#include "util/strings.h"

namespace kgate::trust {
namespace {

// Reading problems stop the check; every other hashing error (a symlink, a
// device file, a name that is not UTF-8) is a verdict about the model.
bool CouldNotRun(const absl::Status& s) {
  return s.code() == absl::StatusCode::kNotFound || s.code() == absl::StatusCode::kPermissionDenied ||
         s.code() == absl::StatusCode::kDataLoss;
}

std::string KeyList(const std::vector<PublicKey>& keys) {
  std::vector<std::string> names;
  for (const PublicKey& k : keys) names.push_back(util::StrCat("sha256:", k.hint(), " (", k.source(), ")"));
  return names.empty() ? "none" : util::StrJoin(names, ", ");
}

// Finds a trusted key that verifies one of the envelope's signatures.
bool CheckSignature(const Bundle& bundle, const std::vector<PublicKey>& trusted_keys, VerifyReport* report) {
  std::vector<const PublicKey*> candidates;
  for (const PublicKey& k : trusted_keys) {
    if (!bundle.public_key_hint || *bundle.public_key_hint == k.hint()) candidates.push_back(&k);
  }
  if (candidates.empty()) {
    report->failure_kind = VerifyFailure::kUntrustedKey;
    report->failure = trusted_keys.empty()
                          ? "no trusted public key was given"
                          : util::StrCat("signed by an untrusted key: the bundle names key sha256:",
                                         *bundle.public_key_hint, ", trusted keys are ", KeyList(trusted_keys));
    return false;
  }
  const std::string pae = Pae(bundle.payload_type, bundle.payload);
  std::string legacy;  // built only if needed: it is ~4x the payload
  for (const PublicKey* key : candidates) {
    for (const EnvelopeSignature& sig : bundle.signatures) {
      bool ok = key->Verify(pae, sig.sig);
      if (!ok) {
        if (legacy.empty()) legacy = PaeCompat(bundle.payload_type, bundle.payload);
        ok = key->Verify(legacy, sig.sig);
        report->legacy_pae = ok;
      }
      if (ok) {
        report->signer_hint = key->hint();
        report->signer_source = key->source();
        return true;
      }
    }
  }
  report->failure_kind = VerifyFailure::kBadSignature;
  report->failure =
      bundle.public_key_hint
          ? util::StrCat("the DSSE signature does not verify with key sha256:", candidates[0]->hint(), " (",
                         candidates[0]->source(), "): the signed statement or the signature was altered")
          : util::StrCat("the bundle names no key and its signature verifies with none of the trusted keys ",
                         KeyList(trusted_keys));
  return false;
}

// A file signature checked against a directory, or the reverse, would only
// show every resource as missing and extra; say what happened instead.
std::string ShapeMismatch(const std::vector<Resource>& signed_resources, bool model_is_directory) {
  const bool signed_single_file = signed_resources.size() == 1 && signed_resources[0].name == ".";
  if (signed_single_file && model_is_directory) {
    return "the signature covers a single file, but MODEL is a directory; pass the signed file";
  }
  if (!signed_single_file && !model_is_directory) {
    return util::StrCat("the signature covers a directory (", signed_resources.size(),
                        " resources), but MODEL is a file; pass the signed directory");
  }
  return "";
}

}  // namespace

std::string_view VerifyFailureName(VerifyFailure failure) {
  switch (failure) {
    case VerifyFailure::kNone: return "none";
    case VerifyFailure::kMalformedBundle: return "malformed-bundle";
    case VerifyFailure::kUntrustedKey: return "untrusted-key";
    case VerifyFailure::kBadSignature: return "bad-signature";
    case VerifyFailure::kMalformedStatement: return "malformed-statement";
    case VerifyFailure::kUnsignableModel: return "unsignable-model";
    case VerifyFailure::kFilesDiffer: return "files-differ";
  }
  return "unknown";
}

std::vector<std::string> VerifyReport::Describe() const {
  if (!failure.empty()) return {failure};
  if (verified) return {"verified"};
  return diff.Describe();
}

absl::StatusOr<VerifyReport> VerifyModel(const std::string& model_path, std::string_view bundle_json,
                                         const std::vector<PublicKey>& trusted_keys, const VerifyOptions& options) {
  VerifyReport report;
  absl::StatusOr<Bundle> bundle = ParseBundle(bundle_json);
  if (!bundle.ok()) {
    report.failure_kind = VerifyFailure::kMalformedBundle;
    report.failure = std::string(util::ToStd(bundle.status().message()));
    return report;
  }
  if (!CheckSignature(*bundle, trusted_keys, &report)) return report;
  absl::StatusOr<SignedStatement> statement = ParseStatement(bundle->payload);
  if (!statement.ok()) {
    report.failure_kind = VerifyFailure::kMalformedStatement;
    report.failure = std::string(util::ToStd(statement.status().message()));
    return report;
  }
  report.predicate_type = statement->predicate_type;
  report.signed_manifest = std::move(statement->manifest);
  report.root_digest = statement->root_digest;

  Serialization serialization = report.signed_manifest.serialization;
  for (std::string& p : DefaultIgnorePaths(model_path, options.signature_path, options.ignore_paths)) {
    serialization.ignore_paths.push_back(std::move(p));
  }
  absl::StatusOr<Manifest> actual = HashModel(model_path, serialization, options.hash);
  if (!actual.ok()) {
    if (CouldNotRun(actual.status())) return actual.status();
    report.failure_kind = VerifyFailure::kUnsignableModel;
    report.failure = std::string(util::ToStd(actual.status().message()));
    return report;
  }
  const bool is_directory = !(actual->resources.size() == 1 && actual->resources[0].name == ".");
  if (std::string mismatch = ShapeMismatch(report.signed_manifest.resources, is_directory); !mismatch.empty()) {
    report.failure_kind = VerifyFailure::kFilesDiffer;
    report.failure = std::move(mismatch);
    return report;
  }
  report.diff = CompareManifests(report.signed_manifest.resources, actual->resources);
  report.verified = report.diff.empty();
  if (!report.verified) report.failure_kind = VerifyFailure::kFilesDiffer;
  return report;
}

}  // namespace kgate::trust
