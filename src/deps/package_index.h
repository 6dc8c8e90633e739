// File: package_index.h
// Release lists for `kgate outdated`: an offline index snapshot, or PyPI
// JSON API documents (https://pypi.org/pypi/NAME/json). A snapshot is one
// JSON file
//
//   {"source": "pypi.org JSON API", "snapshot": "2026-11-22",
//    "packages": {"keras": ["3.11.0", "3.12.0"], "numpy": "2.4.6"}}
//
// (a list of released versions, or just the latest), or a directory of
// PyPI JSON API documents named NAME.json. The latest version is the
// highest PEP 440 release that is not yanked and, unless the installed
// version is itself a pre-release, not a pre-release (pip's rule).
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace kgate::deps {

inline constexpr uint64_t kMaxIndexFileBytes = uint64_t{256} << 20;

struct ReleaseList {
  std::vector<std::string> versions;  // released, not yanked
};

class PackageIndex {
 public:
  // A snapshot file or a directory of PyPI JSON documents.
  static absl::StatusOr<PackageIndex> Load(const std::string& path);
  // Parses a snapshot file's text.
  static absl::StatusOr<PackageIndex> ParseSnapshot(std::string_view text, std::string_view display_name);
  // Adds one PyPI JSON API document (its "releases" map; yanked files skipped).
  absl::Status AddPyPiDocument(std::string_view text, std::string_view display_name);

  // The release list of a PEP 503 name, or nullptr when the index does not know it.
  const ReleaseList* Find(std::string_view normalized) const;
  const std::string& source() const { return source_; }
  const std::string& snapshot() const { return snapshot_; }
  void set_source(std::string s) { source_ = std::move(s); }

 private:
  std::map<std::string, ReleaseList, std::less<>> packages_;
  std::string source_;
  std::string snapshot_;
};

// The latest version in `releases` under pip's pre-release rule, or nullopt
// when no listed version is PEP 440.
std::optional<std::string> LatestVersion(const ReleaseList& releases, bool include_prereleases);

}  // namespace kgate::deps
