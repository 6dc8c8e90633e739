// File: version_policy.h
// Which versions of a model the server keeps loaded, as TF Serving's
// model_version_policy spells it: the latest N (the default, N = 1), all, or
// a specific list. Set per model in kgate.yaml `versions:` and as a server
// default (config file `repository.versions`, flag --version-policy). How
// the repository applies it, falling back past versions that fail to load,
// is in repository_loader.h.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "io/json/json.h"

namespace kgate::serve {

struct VersionPolicy {
  enum class Kind { kLatest, kAll, kSpecific };
  Kind kind = Kind::kLatest;
  int64_t latest = 1;              // kLatest: how many
  std::vector<int64_t> specific;  // kSpecific: ascending, no duplicates

  // "latest 1", "all", "specific [1, 3]".
  std::string ToString() const;
  bool operator==(const VersionPolicy&) const = default;
};

// The largest N a `latest` policy takes; more loaded versions than this is a
// configuration mistake, not a policy.
inline constexpr int64_t kMaxLatestVersions = 1024;

// One of {latest: N}, {all: true}, {specific: [1, 3]} (exactly one key).
absl::StatusOr<VersionPolicy> ParseVersionPolicy(const io::json::Value& v, std::string_view where,
                                                 std::string_view key_path);

// The flag form: "latest:N", "all" or "specific:1,3".
absl::StatusOr<VersionPolicy> ParseVersionPolicyFlag(std::string_view text);

}  // namespace kgate::serve
