#include "deps/package_index.h"

#include <filesystem>

#include "deps/pep440.h"
#include "deps/requirement.h"
#include "io/json/json.h"
#include "util/mapped_file.h"
#include "util/status_macros.h"
#include "util/strings.h"

namespace kgate::deps {
namespace {

using io::json::Value;

absl::StatusOr<Value> ParseJson(std::string_view text, std::string_view name) {
  io::json::Limits limits;
  limits.max_input_bytes = kMaxIndexFileBytes;
  absl::StatusOr<Value> doc = io::json::Parse(text, limits);
  if (!doc.ok()) return absl::InvalidArgumentError(util::StrCat(name, ": ", util::ToStd(doc.status().message())));
  if (!doc->is_object()) return absl::InvalidArgumentError(util::StrCat(name, ": expected a JSON object"));
  return doc;
}

}  // namespace

absl::StatusOr<PackageIndex> PackageIndex::ParseSnapshot(std::string_view text, std::string_view name) {
  KGATE_ASSIGN_OR_RETURN(Value doc, ParseJson(text, name));
  PackageIndex index;
  index.source_ = std::string(name);
  if (const Value* s = doc.Find("source"); s && s->is_string()) index.source_ = s->string();
  if (const Value* s = doc.Find("snapshot"); s && s->is_string()) index.snapshot_ = s->string();
  const Value* packages = doc.Find("packages");
  if (packages == nullptr || !packages->is_object()) {
    return absl::InvalidArgumentError(util::StrCat(name, ": expected \"packages\": {NAME: [VERSIONS] | VERSION}"));
  }
  for (const auto& [pkg, versions] : packages->object()) {
    ReleaseList list;
    if (versions.is_string()) {
      list.versions.push_back(versions.string());
    } else if (versions.is_array()) {
      for (const Value& v : versions.array()) {
        if (!v.is_string()) {
          return absl::InvalidArgumentError(util::StrCat(name, ": /packages/", io::json::PointerToken(pkg),
                                                         ": versions must be strings"));
        }
        list.versions.push_back(v.string());
      }
    } else {
      return absl::InvalidArgumentError(util::StrCat(name, ": /packages/", io::json::PointerToken(pkg),
                                                     ": expected a version string or a list of them"));
    }
    index.packages_[NormalizeName(pkg)] = std::move(list);
  }
  return index;
}

absl::Status PackageIndex::AddPyPiDocument(std::string_view text, std::string_view name) {
  KGATE_ASSIGN_OR_RETURN(Value doc, ParseJson(text, name));
  const Value* info = doc.Find("info");
  const Value* pkg_name = info != nullptr ? info->Find("name") : nullptr;
  const Value* releases = doc.Find("releases");
  if (pkg_name == nullptr || !pkg_name->is_string() || releases == nullptr || !releases->is_object()) {
    return absl::InvalidArgumentError(
        util::StrCat(name, ": not a PyPI JSON API document (expected info.name and a releases object)"));
  }
  ReleaseList list;
  for (const auto& [version, files] : releases->object()) {
    if (!files.is_array() || files.array().empty()) continue;  // no files: nothing to install
    bool all_yanked = true;
    for (const Value& f : files.array()) {
      const Value* yanked = f.Find("yanked");
      if (yanked == nullptr || !yanked->is_bool() || !yanked->bool_value()) all_yanked = false;
    }
    if (!all_yanked) list.versions.push_back(version);
  }
  packages_[NormalizeName(pkg_name->string())] = std::move(list);
  return absl::OkStatus();
}

absl::StatusOr<PackageIndex> PackageIndex::Load(const std::string& path) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (fs::is_directory(path, ec)) {
    PackageIndex index;
    index.source_ = util::StrCat(path, " (PyPI JSON documents)");
    std::vector<fs::path> files;
    for (fs::directory_iterator it(path, ec), end; !ec && it != end; it.increment(ec)) {
      if (it->path().extension() == ".json") files.push_back(it->path());
    }
    std::sort(files.begin(), files.end());
    for (const fs::path& f : files) {
      KGATE_ASSIGN_OR_RETURN(util::MappedFile file, util::MappedFile::Open(f.string(), kMaxIndexFileBytes));
      std::string_view text(reinterpret_cast<const char*>(file.data().data()), file.data().size());
      KGATE_RETURN_IF_ERROR(index.AddPyPiDocument(text, f.string()));
    }
    return index;
  }
  KGATE_ASSIGN_OR_RETURN(util::MappedFile file, util::MappedFile::Open(path, kMaxIndexFileBytes));
  std::string_view text(reinterpret_cast<const char*>(file.data().data()), file.data().size());
  return ParseSnapshot(text, path);
}

const ReleaseList* PackageIndex::Find(std::string_view normalized) const {
  auto it = packages_.find(normalized);
  return it == packages_.end() ? nullptr : &it->second;
}

std::optional<std::string> LatestVersion(const ReleaseList& releases, bool include_prereleases) {
  std::optional<Version> best;
  std::string best_text;
  for (const std::string& text : releases.versions) {
    absl::StatusOr<Version> v = Version::Parse(text);
    if (!v.ok() || (v->is_prerelease() && !include_prereleases)) continue;
    if (!best || *v > *best) {
      best = *v;
      best_text = text;
    }
  }
  if (!best) return std::nullopt;
  return best_text;
}

}  // namespace kgate::deps
