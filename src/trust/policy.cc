#include "trust/policy.h"

#include <algorithm>

#include "util/strings.h"

namespace kgate::trust {
namespace {

// The model's subset of the server's list, or the model's own list when the
// server sets none. `equal` compares two entries.
template <typename T, typename Equal>
absl::StatusOr<std::vector<T>> Narrow(const std::vector<T>& server, const std::vector<T>& model, Equal equal,
                                      std::string_view what) {
  if (server.empty()) return model;
  if (model.empty()) return server;
  std::vector<T> out;
  for (const T& m : model) {
    if (std::any_of(server.begin(), server.end(), [&](const T& s) { return equal(s, m); })) out.push_back(m);
  }
  if (out.empty()) {
    return absl::PermissionDeniedError(util::StrCat("the per-model trust policy names only ", what,
                                                    " that the server does not trust; it may narrow the server's ",
                                                    what, ", never add to them"));
  }
  return out;
}

}  // namespace

absl::StatusOr<TrustPolicy> BuildPolicy(const TrustPolicySpec& spec, std::string_view where) {
  TrustPolicy policy;
  policy.require_signature = spec.require_signature;
  for (size_t i = 0; i < spec.trusted_key_files.size(); ++i) {
    absl::StatusOr<PublicKey> key = PublicKey::FromPemFile(spec.trusted_key_files[i]);
    if (!key.ok()) {
      return absl::InvalidArgumentError(
          util::StrCat(where, " trust.trusted_keys[", i, "]: ", util::ToStd(key.status().message())));
    }
    policy.trusted_keys.push_back(std::move(*key));
  }
  for (size_t i = 0; i < spec.pinned_digests.size(); ++i) {
    std::string_view text = spec.pinned_digests[i];
    if (text.substr(0, 7) == "sha256:") text.remove_prefix(7);
    std::optional<Sha256> digest = Sha256FromHex(text);
    if (!digest) {
      return absl::InvalidArgumentError(util::StrCat(where, " trust.pinned_digests[", i, "]: '",
                                                     spec.pinned_digests[i], "': expected sha256:<64 hex digits>"));
    }
    policy.pinned_digests.push_back(*digest);
  }
  if (spec.hygiene == "off") {
    policy.hygiene = HygieneAction::kOff;
  } else if (spec.hygiene == "warn") {
    policy.hygiene = HygieneAction::kWarn;
  } else if (spec.hygiene == "refuse") {
    policy.hygiene = HygieneAction::kRefuse;
  } else {
    return absl::InvalidArgumentError(
        util::StrCat(where, " trust.hygiene: '", spec.hygiene, "': expected off, warn or refuse"));
  }
  if (absl::Status s = ValidatePolicy(policy); !s.ok()) {
    return absl::InvalidArgumentError(util::StrCat(where, " ", util::ToStd(s.message())));
  }
  return policy;
}

absl::Status ValidatePolicy(const TrustPolicy& policy) {
  if (policy.require_signature && policy.trusted_keys.empty()) {
    return absl::InvalidArgumentError("trust policy: require_signature is set but no trusted public key is configured");
  }
  return absl::OkStatus();
}

absl::StatusOr<TrustPolicy> TightenPolicy(const TrustPolicy& server, const TrustPolicy& model) {
  TrustPolicy out;
  out.require_signature = server.require_signature || model.require_signature;
  absl::StatusOr<std::vector<PublicKey>> keys = Narrow(
      server.trusted_keys, model.trusted_keys, [](const PublicKey& a, const PublicKey& b) { return a.hint() == b.hint(); },
      "trusted keys");
  if (!keys.ok()) return keys.status();
  out.trusted_keys = std::move(*keys);
  absl::StatusOr<std::vector<Sha256>> pins =
      Narrow(server.pinned_digests, model.pinned_digests, std::equal_to<Sha256>(), "pinned digests");
  if (!pins.ok()) return pins.status();
  out.pinned_digests = std::move(*pins);
  out.hygiene = std::max(server.hygiene, model.hygiene);
  if (absl::Status s = ValidatePolicy(out); !s.ok()) return s;
  return out;
}

}  // namespace kgate::trust
