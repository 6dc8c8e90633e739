#include "serve/model_repository.h"

#include <algorithm>
#include <filesystem>
#include <system_error>

#include "util/strings.h"

namespace kgate::serve {
namespace {

namespace fs = std::filesystem;

// Sorted entries of `dir`, refusing symlinks and unreadable folders.
absl::StatusOr<std::vector<fs::path>> ListDirectory(const fs::path& dir) {
  std::error_code ec;
  std::vector<fs::path> entries;
  fs::directory_iterator it(dir, ec);
  if (ec) return absl::NotFoundError(util::StrCat(dir.string(), ": cannot read the folder: ", ec.message()));
  for (const fs::directory_entry& e : it) {
    if (e.is_symlink(ec)) {
      return absl::InvalidArgumentError(util::StrCat(e.path().string(), ": symlinks are refused in a model repository"));
    }
    entries.push_back(e.path());
  }
  std::sort(entries.begin(), entries.end());
  return entries;
}

}  // namespace

bool IsValidModelName(std::string_view name) {
  if (name.empty() || name.size() > 128) return false;
  for (size_t i = 0; i < name.size(); ++i) {
    const char c = name[i];
    const bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    if (!alnum && (i == 0 || (c != '_' && c != '.' && c != '-'))) return false;
  }
  return true;
}

std::optional<int64_t> ParseVersion(std::string_view text) {
  if (text.empty() || text.size() > 18 || text[0] == '0') return std::nullopt;
  int64_t v = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    v = v * 10 + (c - '0');
  }
  return v;
}

absl::Status ModelRepository::Add(std::string name, int64_t version, std::string path,
                                  std::shared_ptr<const engine::Model> model) {
  absl::StatusOr<InputSchema> schema = SchemaForModel(*model);
  if (!schema.ok()) return absl::Status(schema.status().code(), util::StrCat(path, ": ", schema.status().message()));
  std::pair<std::string, int64_t> key(name, version);
  if (models_.count(key) != 0) {
    return absl::AlreadyExistsError(util::StrCat("model '", name, "' version ", version, " is given twice"));
  }
  models_.emplace(std::move(key), ServedModel{std::move(name), version, std::move(path), std::move(model),
                                              *std::move(schema), schema::OutputSpec{}});
  return absl::OkStatus();
}

absl::StatusOr<ModelRepository> ModelRepository::LoadDirectory(const std::string& dir, const ModelLoader& loader) {
  ModelRepository repo;
  absl::StatusOr<std::vector<fs::path>> model_dirs = ListDirectory(dir);
  if (!model_dirs.ok()) return model_dirs.status();
  for (const fs::path& model_dir : *model_dirs) {
    std::error_code ec;
    if (!fs::is_directory(model_dir, ec)) continue;  // kgate.yaml, README, ...
    const std::string name = model_dir.filename().string();
    if (!IsValidModelName(name)) {
      return absl::InvalidArgumentError(
          util::StrCat(model_dir.string(), ": a model folder name must match [A-Za-z0-9][A-Za-z0-9_.-]{0,127}"));
    }
    absl::StatusOr<std::vector<fs::path>> version_dirs = ListDirectory(model_dir);
    if (!version_dirs.ok()) return version_dirs.status();
    for (const fs::path& version_dir : *version_dirs) {
      if (!fs::is_directory(version_dir, ec)) continue;
      const std::optional<int64_t> version = ParseVersion(version_dir.filename().string());
      if (!version) {
        return absl::InvalidArgumentError(util::StrCat(
            version_dir.string(), ": a version folder name must be a positive integer without leading zeros"));
      }
      const fs::path keras = version_dir / "model.keras";
      const fs::path h5 = version_dir / "model.h5";
      const bool has_keras = fs::is_regular_file(fs::symlink_status(keras, ec));
      const bool has_h5 = fs::is_regular_file(fs::symlink_status(h5, ec));
      if (has_keras == has_h5) {
        return absl::InvalidArgumentError(util::StrCat(version_dir.string(), ": expected exactly one of model.keras",
                                                       " or model.h5 (a regular file, not a symlink)"));
      }
      const std::string path = (has_keras ? keras : h5).string();
      absl::StatusOr<std::shared_ptr<const engine::Model>> model = loader(path);
      if (!model.ok()) return model.status();
      absl::Status added = repo.Add(name, *version, path, *std::move(model));
      if (!added.ok()) return added;
    }
    if (repo.Versions(name).empty()) {
      return absl::InvalidArgumentError(util::StrCat(model_dir.string(), ": no version folder (1/, 2/, ...)"));
    }
  }
  if (repo.size() == 0) return absl::InvalidArgumentError(util::StrCat(dir, ": no model folders"));
  return repo;
}

absl::StatusOr<ModelRepository> ModelRepository::LoadNamed(const std::vector<std::string>& name_equals_path,
                                                           const ModelLoader& loader) {
  ModelRepository repo;
  for (const std::string& pair : name_equals_path) {
    const size_t eq = pair.find('=');
    if (eq == std::string::npos || !IsValidModelName(pair.substr(0, eq)) || eq + 1 == pair.size()) {
      return absl::InvalidArgumentError(util::StrCat(
          "--model expects NAME=PATH with NAME matching [A-Za-z0-9][A-Za-z0-9_.-]{0,127}, got '", pair, "'"));
    }
    const std::string path = pair.substr(eq + 1);
    absl::StatusOr<std::shared_ptr<const engine::Model>> model = loader(path);
    if (!model.ok()) return model.status();
    absl::Status added = repo.Add(pair.substr(0, eq), 1, path, *std::move(model));
    if (!added.ok()) return added;
  }
  return repo;
}

absl::StatusOr<const ServedModel*> ModelRepository::Find(std::string_view name, std::optional<int64_t> version) const {
  const std::vector<int64_t> versions = Versions(name);
  if (versions.empty()) return absl::NotFoundError(util::StrCat("model '", name, "' is not served here"));
  const int64_t v = version.value_or(versions.back());
  auto it = models_.find(std::pair<std::string, int64_t>(std::string(name), v));
  if (it == models_.end()) {
    return absl::NotFoundError(util::StrCat("model '", name, "' has no version ", v, " (served: ",
                                            util::StrJoin(versions, ", "), ")"));
  }
  return &it->second;
}

std::vector<int64_t> ModelRepository::Versions(std::string_view name) const {
  std::vector<int64_t> out;
  for (auto it = models_.lower_bound(std::pair<std::string, int64_t>(std::string(name), 0));
       it != models_.end() && it->first.first == name; ++it) {
    out.push_back(it->first.second);
  }
  return out;
}

}  // namespace kgate::serve
