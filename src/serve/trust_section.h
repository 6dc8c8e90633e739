// File: trust_section.h
// The `trust:` section, spelled the same in the server config file and in a
// model's kgate.yaml (require_signature, trusted_keys, pinned_digests,
// hygiene), and how a model's section narrows the server's: through
// trust::TightenPolicy, plus a refusal of any value written to loosen what
// the server requires (require_signature: false, a weaker hygiene action),
// so a kgate.yaml that tries to loosen trust is refused rather than silently
// overruled.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "io/json/json.h"
#include "trust/policy.h"

namespace kgate::serve {

struct TrustSection {
  trust::TrustPolicySpec spec;            // key files resolved against the config file's folder
  std::optional<bool> require_signature;  // as written; unset when absent
  std::optional<std::string> hygiene;     // as written; unset when absent
};

// Parses `v` (the section's value); `base_dir` is the folder of the file.
absl::StatusOr<TrustSection> ParseTrustSection(const io::json::Value& v, std::string_view where,
                                               std::string_view key_path, std::string_view base_dir);

// The server's policy narrowed by a model's section (keys are loaded here).
// kInvalidArgument naming `where` when the section would loosen the server's
// policy, names a key or digest the server does not trust, or cannot admit
// any model.
absl::StatusOr<trust::TrustPolicy> NarrowServerPolicy(const trust::TrustPolicy& server, const TrustSection& model,
                                                      std::string_view where, std::string_view key_path);

}  // namespace kgate::serve
