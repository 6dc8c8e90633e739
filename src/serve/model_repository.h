// File: model_repository.h
// The models a server answers for: loaded once at start from a TF
// Serving-style repository (REPO/<model>/<version>/model.keras or model.h5,
// versions positive integers) or from NAME=PATH pairs (version 1). Requests
// name a model and maybe a version; both are only ever matched against what
// was loaded here, never turned into a path. Model names are limited to
// [A-Za-z0-9][A-Za-z0-9_.-]* so they are safe in URLs and logs; symlinks in
// the repository are refused so nothing outside it is loaded. Immutable once
// built and shared by every worker thread.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "engine/model.h"
#include "schema/output_spec.h"
#include "serve/input_schema.h"

namespace kgate::serve {

struct ServedModel {
  std::string name;
  int64_t version = 0;
  std::string path;
  std::shared_ptr<const engine::Model> model;
  InputSchema schema;
  schema::OutputSpec output_spec;  // checked after inference; empty: nothing checked
};

// Loads and compiles one model file (the CLI passes one that runs the scanner
// first, so serving refuses exactly what `kgate scan` rejects).
using ModelLoader = std::function<absl::StatusOr<std::shared_ptr<const engine::Model>>(const std::string& path)>;

class ModelRepository {
 public:
  // Every version of every model under `dir`. Fails, naming the path, on a
  // bad name or version folder, a version without a model file, or a model
  // that does not load: a server never starts with part of its repository.
  static absl::StatusOr<ModelRepository> LoadDirectory(const std::string& dir, const ModelLoader& loader);
  // NAME=PATH pairs, each served as version 1.
  static absl::StatusOr<ModelRepository> LoadNamed(const std::vector<std::string>& name_equals_path,
                                                   const ModelLoader& loader);
  // For tests and embedding: adds an already compiled model.
  absl::Status Add(std::string name, int64_t version, std::string path, std::shared_ptr<const engine::Model> model);

  // The newest version when `version` is nullopt. NOT_FOUND names what is missing.
  absl::StatusOr<const ServedModel*> Find(std::string_view name, std::optional<int64_t> version) const;
  // Loaded versions of `name`, ascending; empty when unknown.
  std::vector<int64_t> Versions(std::string_view name) const;
  size_t size() const { return models_.size(); }
  const std::map<std::pair<std::string, int64_t>, ServedModel, std::less<>>& models() const { return models_; }

 private:
  std::map<std::pair<std::string, int64_t>, ServedModel, std::less<>> models_;
};

// True for names the repository accepts.
bool IsValidModelName(std::string_view name);
// A positive decimal version without sign or leading zeros, at most 18 digits.
std::optional<int64_t> ParseVersion(std::string_view text);

}  // namespace kgate::serve
