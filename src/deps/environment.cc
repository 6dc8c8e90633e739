#include "deps/environment.h"

#include <algorithm>
#include <filesystem>

#include "deps/requirement.h"
#include "util/mapped_file.h"
#include "util/status_macros.h"
#include "util/strings.h"

namespace kgate::deps {
namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i] >= 'A' && a[i] <= 'Z' ? static_cast<char>(a[i] + 32) : a[i];
    char y = b[i] >= 'A' && b[i] <= 'Z' ? static_cast<char>(b[i] + 32) : b[i];
    if (x != y) return false;
  }
  return true;
}

}  // namespace

absl::StatusOr<DistMetadata> ParseMetadata(std::string_view text, std::string_view display_name) {
  DistMetadata meta;
  std::string* last = nullptr;  // the header a folded line continues
  size_t pos = 0;
  int line_number = 0;
  while (pos < text.size()) {
    size_t nl = text.find('\n', pos);
    std::string_view line = text.substr(pos, nl == std::string_view::npos ? std::string_view::npos : nl - pos);
    pos = nl == std::string_view::npos ? text.size() : nl + 1;
    ++line_number;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty()) break;  // the headers end at the first blank line
    if (pos > kMaxMetadataHeaderBytes) {
      return absl::ResourceExhaustedError(util::StrCat(display_name, ": header block exceeds ",
                                                       kMaxMetadataHeaderBytes, " bytes before its blank line"));
    }
    if (line.front() == ' ' || line.front() == '\t') {
      if (last != nullptr) util::StrAppend(last, " ", Trim(line));
      continue;
    }
    size_t colon = line.find(':');
    if (colon == std::string_view::npos || colon == 0) {
      return absl::InvalidArgumentError(util::StrCat(display_name, ":", line_number,
                                                     ": expected a 'Header: value' line, got '",
                                                     line.substr(0, 80), "'"));
    }
    std::string_view key = line.substr(0, colon);
    std::string value(Trim(line.substr(colon + 1)));
    last = nullptr;
    if (EqualsIgnoreCase(key, "Name")) {
      meta.name = std::move(value);
      last = &meta.name;
    } else if (EqualsIgnoreCase(key, "Version")) {
      meta.version = std::move(value);
      last = &meta.version;
    } else if (EqualsIgnoreCase(key, "Requires-Dist")) {
      meta.requires_dist.push_back(std::move(value));
      last = &meta.requires_dist.back();
    }
  }
  if (meta.name.empty()) return absl::InvalidArgumentError(util::StrCat(display_name, ": no Name header"));
  if (meta.version.empty()) return absl::InvalidArgumentError(util::StrCat(display_name, ": no Version header"));
  return meta;
}

absl::StatusOr<Inventory> ReadEnvironment(const std::string& site_packages) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (!fs::is_directory(site_packages, ec)) {
    return absl::NotFoundError(util::StrCat(site_packages, ": not a directory (expected a site-packages folder)"));
  }
  std::vector<fs::path> metadata_files;
  for (fs::directory_iterator it(site_packages, ec), end; !ec && it != end; it.increment(ec)) {
    const fs::path& p = it->path();
    std::string ext = p.extension().string();
    if (ext == ".dist-info") {
      metadata_files.push_back(p / "METADATA");
    } else if (ext == ".egg-info") {
      metadata_files.push_back(it->is_directory(ec) ? p / "PKG-INFO" : p);
    }
    if (metadata_files.size() > kMaxDistributions) {
      return absl::ResourceExhaustedError(
          util::StrCat(site_packages, ": more than ", kMaxDistributions, " distributions"));
    }
  }
  if (ec) return absl::InternalError(util::StrCat(site_packages, ": cannot list: ", ec.message()));
  std::sort(metadata_files.begin(), metadata_files.end());

  Inventory inv;
  inv.input = util::StrCat(site_packages, " (environment)");
  inv.has_dependency_graph = true;
  for (const fs::path& file : metadata_files) {
    std::string display = util::StrCat(file.parent_path().filename().string(), "/", file.filename().string());
    absl::StatusOr<util::MappedFile> mapped = util::MappedFile::Open(file.string(), uint64_t{64} << 20);
    if (!mapped.ok()) {
      inv.warnings.push_back(util::StrCat(display, ": skipped: ", util::ToStd(mapped.status().message())));
      continue;
    }
    std::string_view text(reinterpret_cast<const char*>(mapped->data().data()), mapped->data().size());
    absl::StatusOr<DistMetadata> meta = ParseMetadata(text, display);
    if (!meta.ok()) {
      inv.not_audited.push_back({display, std::string(util::ToStd(meta.status().message())), display});
      continue;
    }
    Package pkg{meta->name, NormalizeName(meta->name), meta->version, display, {}};
    for (const std::string& spec : meta->requires_dist) {
      absl::StatusOr<Requirement> req = ParseRequirement(spec);
      if (!req.ok()) {
        inv.warnings.push_back(util::StrCat(display, ": Requires-Dist '", spec, "' ignored: ",
                                            util::ToStd(req.status().message())));
        continue;
      }
      pkg.dependencies.push_back(NormalizeName(req->name));
    }
    inv.packages.push_back(std::move(pkg));
  }
  return inv;
}

}  // namespace kgate::deps
