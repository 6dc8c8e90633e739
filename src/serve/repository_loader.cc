#include "serve/repository_loader.h"

#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <system_error>
#include <utility>

#include "util/status_macros.h"
#include "util/strings.h"

namespace kgate::serve {
namespace {

namespace fs = std::filesystem;

// More entries than this in one version folder is not a model.
constexpr size_t kMaxVersionEntries = 4096;

std::string StatFingerprint(const struct stat& st) {
  return util::StrCat(st.st_size, ":", st.st_ino, ":", st.st_mtim.tv_sec, ".", st.st_mtim.tv_nsec, ":",
                      st.st_ctim.tv_sec, ".", st.st_ctim.tv_nsec);
}

// "" when `path` does not exist; refuses a symlink.
absl::StatusOr<std::string> FileFingerprint(const std::string& path) {
  struct stat st;
  if (::lstat(path.c_str(), &st) != 0) {
    if (errno == ENOENT) return std::string();
    return absl::PermissionDeniedError(util::StrCat(path, ": cannot stat: ", std::strerror(errno)));
  }
  if (S_ISLNK(st.st_mode)) {
    return absl::InvalidArgumentError(util::StrCat(path, ": symlinks are refused in a model repository"));
  }
  return StatFingerprint(st);
}

// The folder's entries, sorted; symlinks refused, nothing followed.
absl::StatusOr<std::vector<fs::directory_entry>> ListFolder(const fs::path& dir) {
  std::error_code ec;
  fs::directory_iterator it(dir, ec);
  if (ec) return absl::NotFoundError(util::StrCat(dir.string(), ": cannot read the folder: ", ec.message()));
  std::vector<fs::directory_entry> entries;
  for (; it != fs::directory_iterator(); it.increment(ec)) {
    if (ec) return absl::NotFoundError(util::StrCat(dir.string(), ": cannot read the folder: ", ec.message()));
    if (it->is_symlink(ec)) {
      return absl::InvalidArgumentError(
          util::StrCat(it->path().string(), ": symlinks are refused in a model repository"));
    }
    entries.push_back(*it);
  }
  if (ec) return absl::NotFoundError(util::StrCat(dir.string(), ": cannot read the folder: ", ec.message()));
  std::sort(entries.begin(), entries.end());
  return entries;
}

// Every entry under a version folder with its stat fingerprint.
absl::StatusOr<std::string> FolderFingerprint(const fs::path& dir) {
  std::string out;
  std::vector<fs::path> pending{dir};
  size_t count = 0;
  while (!pending.empty()) {
    const fs::path at = pending.back();
    pending.pop_back();
    absl::StatusOr<std::vector<fs::directory_entry>> entries = ListFolder(at);
    if (!entries.ok()) return entries.status();
    for (const fs::directory_entry& e : *entries) {
      if (++count > kMaxVersionEntries) {
        return absl::InvalidArgumentError(
            util::StrCat(dir.string(), ": more than ", kMaxVersionEntries, " entries in a version folder"));
      }
      absl::StatusOr<std::string> fp = FileFingerprint(e.path().string());
      if (!fp.ok()) return fp.status();
      util::StrAppend(&out, e.path().lexically_relative(dir).string(), "=", *fp, "\n");
      std::error_code ec;
      if (e.is_directory(ec)) pending.push_back(e.path());
    }
  }
  return out;
}

std::string LoadFailureReason(const absl::Status& status) {
  if (status.code() == absl::StatusCode::kPermissionDenied) {
    const std::string reason = trust::RefusalReason(status);
    return reason.empty() ? "trust" : reason;
  }
  return status.code() == absl::StatusCode::kFailedPrecondition ? "scan" : "load";
}

// Checks trust, then compiles; `reason` says why on failure, `note` what
// verified the signature on success.
absl::StatusOr<std::shared_ptr<const ServedModel>> LoadModelFile(const std::string& name, int64_t version,
                                                                 const std::string& path,
                                                                 const std::shared_ptr<const ModelConfig>& config,
                                                                 const RepositoryOptions& options,
                                                                 std::string* reason, std::string* note) {
  absl::StatusOr<trust::TrustDecision> decision = trust::CheckModel(path, config->trust, options.trust_check);
  if (!decision.ok()) {
    *reason = LoadFailureReason(decision.status());
    return decision.status();
  }
  if (options.on_event) {
    for (const std::string& w : decision->warnings) {
      options.on_event({RepositoryEvent::Kind::kWarning, name, version, "", util::StrCat(path, ": ", w)});
    }
  }
  absl::StatusOr<std::shared_ptr<const engine::Model>> model = options.loader(path);
  if (!model.ok()) {
    *reason = LoadFailureReason(model.status());
    return model.status();
  }
  absl::StatusOr<std::shared_ptr<const ServedModel>> served =
      MakeServedModel(name, version, path, *std::move(model), config);
  if (!served.ok()) {
    *reason = "load";
    return served.status();
  }
  if (decision->signature_verified) *note = util::StrCat(" (signature verified, key ", decision->signer_hint, ")");
  return served;
}

RepositoryEvent LoadedEvent(const ServedModel& served, std::string_view note) {
  return {RepositoryEvent::Kind::kLoaded, served.name, served.version, "",
          util::StrCat("model '", served.name, "' version ", served.version, " loaded from ", served.path, note)};
}

}  // namespace

RepositoryLoader::RepositoryLoader(std::string root, RepositoryOptions options)
    : root_(std::move(root)), options_(std::move(options)) {}

void RepositoryLoader::Emit(RepositoryEvent event) {
  if (options_.on_event) options_.on_event(event);
}

absl::Status RepositoryLoader::Refuse(bool strict, absl::Status status, const std::string& model, int64_t version,
                                      std::string_view reason) {
  if (strict) return status;
  Emit({RepositoryEvent::Kind::kRefused, model, version, std::string(reason), std::string(status.message())});
  return absl::OkStatus();
}

absl::Status RepositoryLoader::RefuseOnce(bool strict, absl::Status status, const std::string& model,
                                          int64_t version, std::string_view reason) {
  if (strict) return status;
  std::string key(status.message());
  reported_.insert(key);
  if (reported_last_poll_.count(key) != 0) return absl::OkStatus();
  return Refuse(strict, std::move(status), model, version, reason);
}

absl::StatusOr<std::shared_ptr<const ServedModel>> RepositoryLoader::LoadVersion(
    const std::string& name, int64_t version, const std::string& dir, const std::shared_ptr<const ModelConfig>& config,
    std::string* reason, std::string* note) {
  std::error_code ec;
  const fs::path keras = fs::path(dir) / "model.keras";
  const fs::path h5 = fs::path(dir) / "model.h5";
  const bool has_keras = fs::is_regular_file(fs::symlink_status(keras, ec));
  const bool has_h5 = fs::is_regular_file(fs::symlink_status(h5, ec));
  if (has_keras == has_h5) {
    *reason = "layout";
    return absl::InvalidArgumentError(
        util::StrCat(dir, ": expected exactly one of model.keras or model.h5 (a regular file, not a symlink)"));
  }
  return LoadModelFile(name, version, (has_keras ? keras : h5).string(), config, options_, reason, note);
}

absl::Status RepositoryLoader::ScanModel(bool strict, const std::string& name, const std::string& dir,
                                         const ModelState* old, ModelState* next) {
  const std::string config_path = (fs::path(dir) / kModelConfigName).string();
  absl::StatusOr<std::string> config_fp = FileFingerprint(config_path);
  if (config_fp.ok() && old != nullptr && old->config_fingerprint == *config_fp) {
    next->config = old->config;
  } else {
    absl::StatusOr<ModelConfig> config =
        config_fp.ok() ? ReadModelConfig(dir, options_.config) : absl::StatusOr<ModelConfig>(config_fp.status());
    if (!config.ok()) {
      // The previous configuration and versions keep serving.
      KGATE_RETURN_IF_ERROR(RefuseOnce(strict, config.status(), name, 0, "config"));
      if (old != nullptr) *next = *old;
      return absl::OkStatus();
    }
    next->config = std::make_shared<const ModelConfig>(*std::move(config));
  }
  next->config_fingerprint = *config_fp;
  const bool config_changed = old == nullptr || old->config != next->config;

  absl::StatusOr<std::vector<fs::directory_entry>> entries = ListFolder(dir);
  if (!entries.ok()) {
    KGATE_RETURN_IF_ERROR(RefuseOnce(strict, entries.status(), name, 0, "layout"));
    if (old != nullptr) *next = *old;
    return absl::OkStatus();
  }
  std::vector<int64_t> on_disk;
  for (const fs::directory_entry& e : *entries) {
    std::error_code ec;
    if (!e.is_directory(ec)) continue;  // kgate.yaml, README, ...
    const std::optional<int64_t> v = ParseVersion(e.path().filename().string());
    if (!v) {
      KGATE_RETURN_IF_ERROR(RefuseOnce(
          strict,
          absl::InvalidArgumentError(util::StrCat(
              e.path().string(), ": a version folder name must be a positive integer without leading zeros")),
          name, 0, "layout"));
      continue;
    }
    on_disk.push_back(*v);
  }
  std::sort(on_disk.rbegin(), on_disk.rend());

  const VersionPolicy policy = next->config->versions.value_or(options_.default_versions);
  int64_t serving = 0;
  for (int64_t v : on_disk) {
    if (policy.kind == VersionPolicy::Kind::kLatest && serving >= policy.latest) break;
    if (policy.kind == VersionPolicy::Kind::kSpecific &&
        !std::binary_search(policy.specific.begin(), policy.specific.end(), v)) {
      continue;
    }
    const std::string version_dir = (fs::path(dir) / std::to_string(v)).string();
    const LoadedVersion* prev = nullptr;
    if (old != nullptr) {
      auto it = old->versions.find(v);
      if (it != old->versions.end()) prev = &it->second;
    }
    auto keep_previous = [&] {
      if (prev == nullptr) return;
      next->versions[v] = *prev;
      ++serving;
    };
    absl::StatusOr<std::string> fp = FolderFingerprint(version_dir);
    if (!fp.ok()) {
      KGATE_RETURN_IF_ERROR(RefuseOnce(strict, fp.status(), name, v, "layout"));
      keep_previous();
      continue;
    }
    if (prev != nullptr && !config_changed && prev->fingerprint == *fp) {
      keep_previous();
      continue;
    }
    const std::pair<std::string, int64_t> key(name, v);
    const std::string attempt = util::StrCat(*config_fp, "\n", *fp);
    auto failed = failures_.find(key);
    if (failed != failures_.end() && failed->second == attempt) {
      keep_previous();  // refused before, and nothing changed since
      continue;
    }
    std::string reason, note;
    absl::StatusOr<std::shared_ptr<const ServedModel>> served =
        LoadVersion(name, v, version_dir, next->config, &reason, &note);
    bool retry = false;
    if (served.ok()) {
      // What was checked and compiled must be what is still there.
      absl::StatusOr<std::string> after = FolderFingerprint(version_dir);
      if (!after.ok() || *after != *fp) {
        served = absl::UnavailableError(
            util::StrCat(version_dir, ": the files changed while they were loaded; trying again at the next poll"));
        reason = "changed-during-load";
        retry = true;
      }
    }
    if (served.ok()) {
      failures_.erase(key);
      Emit(LoadedEvent(**served, note));
      next->versions[v] = LoadedVersion{*fp, *std::move(served)};
      ++serving;
      continue;
    }
    if (!retry) failures_[key] = attempt;
    KGATE_RETURN_IF_ERROR(Refuse(strict, served.status(), name, v, reason));
    keep_previous();
  }
  if (next->versions.empty()) {
    const std::string why = on_disk.empty()
                                ? util::StrCat(dir, ": no version folder (1/, 2/, ...)")
                                : util::StrCat(dir, ": no version to serve (version policy ", policy.ToString(),
                                               "; on disk: ", util::StrJoin(on_disk, ", "), ")");
    KGATE_RETURN_IF_ERROR(RefuseOnce(strict, absl::InvalidArgumentError(why), name, 0, "layout"));
  }
  return absl::OkStatus();
}

absl::Status RepositoryLoader::Scan(bool strict, bool* changed) {
  reported_last_poll_ = std::move(reported_);
  reported_.clear();
  *changed = false;
  absl::StatusOr<std::vector<fs::directory_entry>> entries = ListFolder(root_);
  std::map<std::string, ModelState> next;
  if (!entries.ok()) {
    // An unreadable root (or a symlink in it) at a poll keeps everything as it is.
    KGATE_RETURN_IF_ERROR(RefuseOnce(strict, entries.status(), "", 0, "layout"));
    return absl::OkStatus();
  }
  for (const fs::directory_entry& e : *entries) {
    std::error_code ec;
    if (!e.is_directory(ec)) continue;  // README, ...
    const std::string name = e.path().filename().string();
    if (!IsValidModelName(name)) {
      KGATE_RETURN_IF_ERROR(RefuseOnce(
          strict,
          absl::InvalidArgumentError(util::StrCat(
              e.path().string(), ": a model folder name must match [A-Za-z0-9][A-Za-z0-9_.-]{0,127}")),
          "", 0, "layout"));
      continue;
    }
    auto old = models_.find(name);
    ModelState state;
    KGATE_RETURN_IF_ERROR(
        ScanModel(strict, name, e.path().string(), old == models_.end() ? nullptr : &old->second, &state));
    if (!state.versions.empty()) next.emplace(name, std::move(state));
  }
  if (strict && next.empty()) return absl::InvalidArgumentError(util::StrCat(root_, ": no model folders"));

  for (const auto& [name, state] : models_) {
    auto now = next.find(name);
    for (const auto& [v, loaded] : state.versions) {
      const bool kept = now != next.end() && now->second.versions.count(v) != 0;
      if (!kept) {
        Emit({RepositoryEvent::Kind::kUnloaded, name, v, "",
              util::StrCat("model '", name, "' version ", v, " unloaded")});
      }
      if (!kept || now->second.versions.at(v).served != loaded.served) *changed = true;
    }
  }
  for (const auto& [name, state] : next) {
    auto before = models_.find(name);
    for (const auto& [v, loaded] : state.versions) {
      if (before == models_.end() || before->second.versions.count(v) == 0) *changed = true;
    }
  }
  models_ = std::move(next);
  return absl::OkStatus();
}

std::shared_ptr<const ModelRepository> RepositoryLoader::Snapshot() const {
  ModelRepository::Map map;
  for (const auto& [name, state] : models_) {
    for (const auto& [v, loaded] : state.versions) map.emplace(ModelRepository::Key(name, v), loaded.served);
  }
  return std::make_shared<const ModelRepository>(std::move(map));
}

absl::StatusOr<std::shared_ptr<const ModelRepository>> RepositoryLoader::LoadAll() {
  bool changed = false;
  KGATE_RETURN_IF_ERROR(Scan(/*strict=*/true, &changed));
  return Snapshot();
}

std::shared_ptr<const ModelRepository> RepositoryLoader::Poll() {
  bool changed = false;
  absl::Status s = Scan(/*strict=*/false, &changed);
  if (!s.ok() || !changed) return nullptr;  // a poll reports its refusals; it has none to return
  return Snapshot();
}

absl::StatusOr<std::shared_ptr<const ModelRepository>> LoadNamedModels(const std::vector<std::string>& name_equals_path,
                                                                       const RepositoryOptions& options) {
  auto config = std::make_shared<const ModelConfig>(DefaultModelConfig(options.config));
  ModelRepository repo;
  for (const std::string& pair : name_equals_path) {
    const size_t eq = pair.find('=');
    if (eq == std::string::npos || !IsValidModelName(pair.substr(0, eq)) || eq + 1 == pair.size()) {
      return absl::InvalidArgumentError(util::StrCat(
          "--model expects NAME=PATH with NAME matching [A-Za-z0-9][A-Za-z0-9_.-]{0,127}, got '", pair, "'"));
    }
    std::string reason, note;
    absl::StatusOr<std::shared_ptr<const ServedModel>> served =
        LoadModelFile(pair.substr(0, eq), 1, pair.substr(eq + 1), config, options, &reason, &note);
    if (!served.ok()) return served.status();
    if (options.on_event) options.on_event(LoadedEvent(**served, note));
    KGATE_RETURN_IF_ERROR(repo.Add(*std::move(served)));
  }
  return std::make_shared<const ModelRepository>(std::move(repo));
}

}  // namespace kgate::serve
