// File: repository_loader.h
// Builds ModelRepository snapshots from a TF Serving-style folder
// (REPO/<model>/<version>/model.keras or model.h5, optional
// REPO/<model>/kgate.yaml), at start and at every poll, off the request path.
//
// For each model folder: its kgate.yaml is read into a ModelConfig, its
// version policy picks the versions to serve, and each picked version is
// checked against the trust policy (trust::CheckModel), then scanned and
// compiled (the ModelLoader). At start every picked version must load, or
// the server does not start. At a poll:
//  - a version whose files did not change, under an unchanged kgate.yaml,
//    is kept as it is (the same ServedModel, no re-check);
//  - a new or changed version is loaded; if that fails, the version loaded
//    before (if any) keeps serving, and the failure is reported once with its
//    reason, then not retried until the files or kgate.yaml change again;
//  - `latest N` counts only versions that serve, so a broken newest version
//    leaves the previous one serving;
//  - a bad kgate.yaml keeps the model's previous configuration and versions;
//  - a removed version or model folder is unloaded (requests in flight keep
//    the snapshot they started with and finish on it).
// Changes are detected by a stat fingerprint of every file in a version
// folder (name, size, inode, mtime and ctime in nanoseconds), so a file
// rewritten in place, even with its mtime restored, counts as changed; the
// bytes themselves are checked by the trust policy when they are loaded.
// Symlinks anywhere in the repository are refused. Not thread-safe: one
// poller calls it.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "serve/model_config.h"
#include "serve/model_repository.h"
#include "serve/version_policy.h"
#include "trust/policy.h"

namespace kgate::serve {

struct RepositoryEvent {
  enum class Kind { kLoaded, kUnloaded, kRefused, kWarning };
  Kind kind = Kind::kLoaded;
  std::string model;
  int64_t version = 0;  // 0: the model as a whole (its folder or kgate.yaml)
  // kRefused: "config", "layout", "scan", "load", or a trust::RefusalReason
  // ("unsigned", "untrusted-key", "files-differ", ...).
  std::string reason;
  std::string message;
};

struct RepositoryOptions {
  VersionPolicy default_versions;  // when a kgate.yaml sets none
  ModelConfigContext config;       // the server's trust policy and request timeout
  ModelLoader loader;
  std::function<void(const RepositoryEvent&)> on_event;  // may be empty
  trust::CheckOptions trust_check;
};

class RepositoryLoader {
 public:
  RepositoryLoader(std::string root, RepositoryOptions options);

  // The first load: fails, naming the path, on a bad folder or kgate.yaml, a
  // picked version that does not load, or a model with nothing to serve.
  absl::StatusOr<std::shared_ptr<const ModelRepository>> LoadAll();
  // A reload; the new snapshot, or nullptr when nothing changed.
  std::shared_ptr<const ModelRepository> Poll();

 private:
  struct LoadedVersion {
    std::string fingerprint;
    std::shared_ptr<const ServedModel> served;
  };
  struct ModelState {
    std::string config_fingerprint;
    std::shared_ptr<const ModelConfig> config;
    std::map<int64_t, LoadedVersion> versions;
  };
  using Failures = std::map<std::pair<std::string, int64_t>, std::string>;

  absl::Status Scan(bool strict, bool* changed);
  absl::Status ScanModel(bool strict, const std::string& name, const std::string& dir, const ModelState* old,
                         ModelState* next);
  // Loads one version: picks the model file, checks trust, compiles.
  absl::StatusOr<std::shared_ptr<const ServedModel>> LoadVersion(const std::string& name, int64_t version,
                                                                 const std::string& dir,
                                                                 const std::shared_ptr<const ModelConfig>& config,
                                                                 std::string* reason, std::string* note);
  // A refusal: the error itself at start; reported at a poll. RefuseOnce
  // reports a refusal that repeats at every poll (a bad folder name) only
  // when it first appears.
  absl::Status Refuse(bool strict, absl::Status status, const std::string& model, int64_t version,
                      std::string_view reason);
  absl::Status RefuseOnce(bool strict, absl::Status status, const std::string& model, int64_t version,
                          std::string_view reason);
  std::shared_ptr<const ModelRepository> Snapshot() const;
  void Emit(RepositoryEvent event);

  std::string root_;
  RepositoryOptions options_;
  std::map<std::string, ModelState> models_;
  Failures failures_;  // (model, version) -> fingerprint that failed to load
  std::set<std::string> reported_, reported_last_poll_;
};

// NAME=PATH models, each version 1 with the server's defaults (no kgate.yaml
// is read), checked against the server's trust policy.
absl::StatusOr<std::shared_ptr<const ModelRepository>> LoadNamedModels(const std::vector<std::string>& name_equals_path,
                                                                       const RepositoryOptions& options);

}  // namespace kgate::serve
