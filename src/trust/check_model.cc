// CheckModel: hygiene, then signature, then digest pins (see policy.h).
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>

#include "absl/strings/cord.h"

#include "trust/bundle.h"
#include "trust/hash_model.h"
#include "trust/hygiene.h"
#include "trust/policy.h"
#include "trust/signer.h"
#include "trust/statement.h"
#include "trust/verifier.h"
#include "util/status_macros.h"
#include "util/strings.h"

namespace kgate::trust {
namespace {

constexpr char kRefusalPayload[] = "kgate/trust-refusal";

absl::Status Refuse(const std::string& model_path, std::string_view reason, std::string_view why) {
  absl::Status s = absl::PermissionDeniedError(util::StrCat("model ", model_path, " refused: ", why));
  s.SetPayload(kRefusalPayload, absl::Cord(absl::string_view(reason.data(), reason.size())));
  return s;
}

std::string ParentDir(const std::string& path) {
  const size_t slash = path.rfind('/');
  return slash == std::string::npos ? "." : path.substr(0, std::max<size_t>(slash, 1));
}

std::string BaseName(const std::string& path) {
  const size_t slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

absl::Status CheckRepositoryHygiene(const std::string& model_path, bool is_directory, const TrustPolicy& policy,
                                    const CheckOptions& options, TrustDecision* decision) {
  if (policy.hygiene == HygieneAction::kOff) return absl::OkStatus();
  // A model file is checked with its folder: whoever can write the folder
  // can replace the file.
  KGATE_ASSIGN_OR_RETURN(std::vector<HygieneFinding> findings,
                         CheckHygiene(is_directory ? model_path : ParentDir(model_path), options.owner.value_or(::geteuid())));
  std::vector<std::string> refusals;
  for (const HygieneFinding& f : findings) {
    if (f.issue == HygieneIssue::kSymlinkEscapes || policy.hygiene == HygieneAction::kRefuse) {
      refusals.push_back(f.message);
    } else {
      decision->warnings.push_back(f.message);
    }
  }
  if (!refusals.empty()) return Refuse(model_path, "hygiene", util::StrJoin(refusals, "; "));
  return absl::OkStatus();
}

// The path the signature covers: the model file itself, or, when the bundle
// lists a folder's files, the folder (and then the file must be listed).
absl::StatusOr<std::string> SignedRoot(const std::string& model_path, bool is_directory, const std::string& bundle_json) {
  if (is_directory) return model_path;
  absl::StatusOr<Bundle> bundle = ParseBundle(bundle_json);
  if (!bundle.ok()) return model_path;  // VerifyModel reports it
  absl::StatusOr<SignedStatement> statement = ParseStatement(bundle->payload);
  if (!statement.ok()) return model_path;
  const std::vector<Resource>& resources = statement->manifest.resources;
  if (resources.size() == 1 && resources[0].name == ".") return model_path;
  const std::string name = BaseName(model_path);
  if (std::none_of(resources.begin(), resources.end(), [&](const Resource& r) { return r.name == name; })) {
    return Refuse(model_path, "not-covered",
                  util::StrCat("the signature covers the folder ", ParentDir(model_path), " but not ", name));
  }
  return ParentDir(model_path);
}

absl::Status CheckSignature(const std::string& model_path, bool is_directory, const TrustPolicy& policy,
                            const CheckOptions& options, TrustDecision* decision) {
  const std::string folder = is_directory ? model_path : ParentDir(model_path);
  const std::string signature_path = util::StrCat(folder, "/", options.signature_name);
  struct stat st;
  if (::lstat(signature_path.c_str(), &st) != 0) {
    if (policy.require_signature) {
      return Refuse(model_path, "unsigned",
                    util::StrCat("unsigned: no signature at ", signature_path, " and a signature is required"));
    }
    return absl::OkStatus();
  }
  if (policy.trusted_keys.empty()) {
    decision->warnings.push_back(
        util::StrCat(signature_path, ": signature present but not verified (no trusted keys configured)"));
    return absl::OkStatus();
  }
  absl::StatusOr<std::string> bundle_json = ReadSmallFile(signature_path, kMaxBundleBytes);
  if (!bundle_json.ok()) {
    return Refuse(model_path, "signature-unreadable", util::ToStd(bundle_json.status().message()));
  }
  KGATE_ASSIGN_OR_RETURN(const std::string root, SignedRoot(model_path, is_directory, *bundle_json));
  absl::StatusOr<VerifyReport> report =
      VerifyModel(root, *bundle_json, policy.trusted_keys, {.signature_path = signature_path, .ignore_paths = {}, .hash = {}});
  if (!report.ok()) return report.status();
  if (!report->verified) {
    return Refuse(model_path, VerifyFailureName(report->failure_kind),
                  util::StrCat("signature ", signature_path, " does not verify: ",
                                           util::StrJoin(report->Describe(), "; ")));
  }
  decision->signature_verified = true;
  decision->signer_hint = report->signer_hint;
  return absl::OkStatus();
}

absl::Status CheckPins(const std::string& model_path, bool is_directory, const TrustPolicy& policy,
                       const CheckOptions& options, TrustDecision* decision) {
  if (policy.pinned_digests.empty()) return absl::OkStatus();
  Serialization serialization;
  serialization.ignore_paths =
      DefaultIgnorePaths(model_path, util::StrCat(model_path, "/", options.signature_name), {});
  KGATE_ASSIGN_OR_RETURN(const Manifest manifest, HashModel(model_path, serialization));
  const Sha256 root = RootDigest(manifest.resources);
  decision->model_digest = ToHex(root);
  const auto pinned = [&](const Sha256& d) {
    return std::find(policy.pinned_digests.begin(), policy.pinned_digests.end(), d) != policy.pinned_digests.end();
  };
  if (pinned(root) || (!is_directory && pinned(manifest.resources[0].digest))) return absl::OkStatus();
  return Refuse(model_path, "not-pinned", util::StrCat("digest sha256:", decision->model_digest, " is not one of the ",
                                         policy.pinned_digests.size(), " pinned digests"));
}

}  // namespace

std::string RefusalReason(const absl::Status& status) {
  const auto reason = status.GetPayload(kRefusalPayload);  // absl::optional in Debian's abseil
  return reason ? std::string(*reason) : std::string();
}

absl::StatusOr<TrustDecision> CheckModel(const std::string& model_path, const TrustPolicy& policy,
                                         const CheckOptions& options) {
  KGATE_RETURN_IF_ERROR(ValidatePolicy(policy));
  struct stat st;
  if (::lstat(model_path.c_str(), &st) != 0) {
    return absl::NotFoundError(util::StrCat("model ", model_path, ": no such file or directory"));
  }
  const bool is_directory = S_ISDIR(st.st_mode);
  TrustDecision decision;
  KGATE_RETURN_IF_ERROR(CheckRepositoryHygiene(model_path, is_directory, policy, options, &decision));
  KGATE_RETURN_IF_ERROR(CheckSignature(model_path, is_directory, policy, options, &decision));
  KGATE_RETURN_IF_ERROR(CheckPins(model_path, is_directory, policy, options, &decision));
  return decision;
}

}  // namespace kgate::trust
