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
