#include "serve/version_policy.h"

#include <algorithm>

#include "absl/strings/numbers.h"
#include "schema/config_fields.h"
#include "serve/config_fields.h"
#include "serve/model_repository.h"
#include "util/strings.h"

namespace kgate::serve {

using io::json::Value;

std::string VersionPolicy::ToString() const {
  switch (kind) {
    case Kind::kLatest:
      return util::StrCat("latest ", latest);
    case Kind::kAll:
      return "all";
    case Kind::kSpecific:
      return util::StrCat("specific [", util::StrJoin(specific, ", "), "]");
  }
  return "";
}

namespace {

absl::Status NormalizeSpecific(VersionPolicy& policy, std::string_view where, std::string_view key_path) {
  if (policy.specific.empty()) return schema::ConfigError(where, key_path, "expected at least one version");
  std::sort(policy.specific.begin(), policy.specific.end());
  auto dup = std::adjacent_find(policy.specific.begin(), policy.specific.end());
  if (dup != policy.specific.end()) {
    return schema::ConfigError(where, key_path, util::StrCat("version ", *dup, " is listed twice"));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<VersionPolicy> ParseVersionPolicy(const Value& v, std::string_view where, std::string_view key_path) {
  if (absl::Status s = schema::CheckObject(v, {"latest", "all", "specific"}, where, key_path); !s.ok()) return s;
  if (v.object().size() != 1) {
    return schema::ConfigError(where, key_path,
                         util::StrCat("expected exactly one of latest: N, all: true or specific: [versions], got ",
                                      v.object().size(), " keys"));
  }
  const auto& [key, value] = v.object()[0];
  const std::string path = schema::ConfigPath(key_path, key);
  VersionPolicy policy;
  if (key == "latest") {
    absl::StatusOr<int64_t> n = config::ReadInt(value, where, path, 1, kMaxLatestVersions);
    if (!n.ok()) return n.status();
    policy.latest = *n;
  } else if (key == "all") {
    absl::StatusOr<bool> all = schema::ReadBool(value, where, path);
    if (!all.ok()) return all.status();
    if (!*all) return schema::ConfigError(where, path, "expected true (to pick fewer versions use latest or specific)");
    policy.kind = VersionPolicy::Kind::kAll;
  } else {
    policy.kind = VersionPolicy::Kind::kSpecific;
    if (!value.is_array()) {
      return schema::ConfigError(where, path, util::StrCat("expected a list of versions, got ", schema::DescribeValue(value)));
    }
    for (size_t i = 0; i < value.array().size(); ++i) {
      absl::StatusOr<int64_t> version = config::ReadInt(value.array()[i], where, util::StrCat(path, "[", i, "]"), 1,
                                                        int64_t{999999999999999999});
      if (!version.ok()) return version.status();
      policy.specific.push_back(*version);
    }
    if (absl::Status s = NormalizeSpecific(policy, where, path); !s.ok()) return s;
  }
  return policy;
}

absl::StatusOr<VersionPolicy> ParseVersionPolicyFlag(std::string_view text) {
  const std::string_view where = "--version-policy";
  const std::string expected = util::StrCat("expected latest:N, all or specific:V[,V...], got '", text, "'");
  VersionPolicy policy;
  if (text == "all") {
    policy.kind = VersionPolicy::Kind::kAll;
    return policy;
  }
  const size_t colon = text.find(':');
  if (colon == std::string_view::npos) return schema::ConfigError(where, "", expected);
  const std::string_view kind = text.substr(0, colon);
  std::string_view rest = text.substr(colon + 1);
  if (kind == "latest") {
    int64_t n = 0;
    if (!absl::SimpleAtoi(absl::string_view(rest.data(), rest.size()), &n) || n < 1 || n > kMaxLatestVersions) {
      return schema::ConfigError(where, "", util::StrCat("latest:N takes N in 1..", kMaxLatestVersions, ", got '", text, "'"));
    }
    policy.latest = n;
    return policy;
  }
  if (kind != "specific") return schema::ConfigError(where, "", expected);
  policy.kind = VersionPolicy::Kind::kSpecific;
  while (true) {
    const size_t comma = rest.find(',');
    const std::optional<int64_t> v = ParseVersion(rest.substr(0, comma));
    if (!v) return schema::ConfigError(where, "", expected);
    policy.specific.push_back(*v);
    if (comma == std::string_view::npos) break;
    rest = rest.substr(comma + 1);
  }
  if (absl::Status s = NormalizeSpecific(policy, where, ""); !s.ok()) return s;
  return policy;
}

}  // namespace kgate::serve
