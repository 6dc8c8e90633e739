#include "trust/manifest.h"

#include <algorithm>
#include <charconv>
#include <map>
#include <tuple>

#include "util/strings.h"

namespace kgate::trust {
namespace {

// Path order of Python's PurePosixPath: component lists compared
// element-wise, i.e. bytes with '/' ranking below every other byte.
bool PathLess(std::string_view a, std::string_view b) {
  const size_t n = std::min(a.size(), b.size());
  for (size_t i = 0; i < n; ++i) {
    if (a[i] == b[i]) continue;
    if (a[i] == '/') return true;
    if (b[i] == '/') return false;
    return static_cast<unsigned char>(a[i]) < static_cast<unsigned char>(b[i]);
  }
  return a.size() < b.size();
}

struct ShardKey {
  std::string path;
  uint64_t start = 0;
  uint64_t end = 0;
};

ShardKey ShardKeyOf(const std::string& name) {
  ShardKey key;
  if (!ParseShardName(name, &key.path, &key.start, &key.end)) key.path = name;
  return key;
}

bool ParseDecimal(std::string_view s, uint64_t* out) {
  if (s.empty() || (s.size() > 1 && s[0] == '0')) return false;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
  return ec == std::errc() && ptr == s.data() + s.size();
}

}  // namespace

void SortResources(SerializationMethod method, std::vector<Resource>* resources) {
  if (method == SerializationMethod::kFiles) {
    std::sort(resources->begin(), resources->end(),
              [](const Resource& a, const Resource& b) { return PathLess(a.name, b.name); });
    return;
  }
  std::sort(resources->begin(), resources->end(), [](const Resource& a, const Resource& b) {
    const ShardKey ka = ShardKeyOf(a.name), kb = ShardKeyOf(b.name);
    if (ka.path != kb.path) return PathLess(ka.path, kb.path);
    return std::tie(ka.start, ka.end) < std::tie(kb.start, kb.end);
  });
}

Sha256 RootDigest(const std::vector<Resource>& resources) {
  std::string concat;
  concat.reserve(resources.size() * 32);
  for (const Resource& r : resources) concat.append(reinterpret_cast<const char*>(r.digest.data()), r.digest.size());
  return HashBytes(concat);
}

bool ParseShardName(const std::string& name, std::string* path, uint64_t* start, uint64_t* end) {
  const size_t first = name.find(':');
  if (first == std::string::npos) return false;
  const size_t second = name.find(':', first + 1);
  if (second == std::string::npos || name.find(':', second + 1) != std::string::npos) return false;
  const std::string_view view = name;
  if (!ParseDecimal(view.substr(first + 1, second - first - 1), start) ||
      !ParseDecimal(view.substr(second + 1), end) || *start >= *end) {
    return false;
  }
  *path = name.substr(0, first);
  return true;
}

std::vector<std::string> ManifestDiff::Describe() const {
  std::vector<std::string> lines;
  for (const ChangedResource& c : changed) {
    lines.push_back(util::StrCat("changed: ", c.name, " (signed sha256 ", ToHex(c.signed_digest), ", on disk ",
                                 ToHex(c.actual_digest), ")"));
  }
  for (const RenamedResource& r : renamed) lines.push_back(util::StrCat("renamed: ", r.from, " -> ", r.to));
  for (const std::string& m : missing) lines.push_back(util::StrCat("missing: ", m, " (signed, not on disk)"));
  for (const std::string& e : extra) lines.push_back(util::StrCat("extra: ", e, " (on disk, not signed)"));
  return lines;
}

ManifestDiff CompareManifests(const std::vector<Resource>& signed_resources,
                              const std::vector<Resource>& actual_resources) {
  std::map<std::string, Sha256> actual;
  for (const Resource& r : actual_resources) actual.emplace(r.name, r.digest);
  ManifestDiff diff;
  std::map<std::string, Sha256> signed_names;
  for (const Resource& r : signed_resources) {
    signed_names.emplace(r.name, r.digest);
    auto it = actual.find(r.name);
    if (it == actual.end()) {
      diff.missing.push_back(r.name);
    } else if (it->second != r.digest) {
      diff.changed.push_back({r.name, r.digest, it->second});
    }
  }
  for (const Resource& r : actual_resources) {
    if (signed_names.count(r.name) == 0) diff.extra.push_back(r.name);
  }
  // Pair each missing resource with an extra one of the same content.
  std::multimap<Sha256, std::string> extra_by_digest;
  for (const std::string& name : diff.extra) extra_by_digest.emplace(actual[name], name);
  std::vector<std::string> still_missing;
  for (const std::string& name : diff.missing) {
    auto e = extra_by_digest.find(signed_names[name]);
    if (e == extra_by_digest.end()) {
      still_missing.push_back(name);
      continue;
    }
    diff.renamed.push_back({name, e->second});
    extra_by_digest.erase(e);
  }
  diff.missing = std::move(still_missing);
  diff.extra.clear();
  for (auto& [digest, name] : extra_by_digest) diff.extra.push_back(std::move(name));
  std::sort(diff.missing.begin(), diff.missing.end());
  std::sort(diff.extra.begin(), diff.extra.end());
  return diff;
}

}  // namespace kgate::trust
