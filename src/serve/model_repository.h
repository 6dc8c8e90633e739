// File: model_repository.h
// One immutable snapshot of the models a server answers for: each model's
// loaded versions (positive integers) with the configuration they were
// loaded with. Requests name a model and maybe a version; both are only ever
// matched against what is loaded here, never turned into a path. Model names
// are limited to [A-Za-z0-9][A-Za-z0-9_.-]* so they are safe in URLs and
// logs. A snapshot never changes once built: reloading builds a new one
// (repository_loader.h) and swaps it in (live_repository.h), and a request
// keeps the snapshot it started with, so a swap never pulls a model from
// under it. Shared by every worker thread.
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
#include "serve/input_schema.h"
#include "serve/model_config.h"

namespace kgate::serve {

struct ServedModel {
  std::string name;
  int64_t version = 0;
  std::string path;
  std::shared_ptr<const engine::Model> model;
  InputSchema schema;
  std::shared_ptr<const ModelConfig> config;  // never null
};

// Loads and compiles one model file (the CLI passes one that runs the scanner
// first, so serving refuses exactly what `kgate scan` rejects).
using ModelLoader = std::function<absl::StatusOr<std::shared_ptr<const engine::Model>>(const std::string& path)>;

// A compiled model with its schema and configuration (`config` null: defaults).
absl::StatusOr<std::shared_ptr<const ServedModel>> MakeServedModel(std::string name, int64_t version, std::string path,
                                                                   std::shared_ptr<const engine::Model> model,
                                                                   std::shared_ptr<const ModelConfig> config);

class ModelRepository {
 public:
  using Key = std::pair<std::string, int64_t>;
  using Map = std::map<Key, std::shared_ptr<const ServedModel>, std::less<>>;

  ModelRepository() = default;
  explicit ModelRepository(Map models) : models_(std::move(models)) {}

  // For tests and embedding: adds an already compiled model with default configuration.
  absl::Status Add(std::string name, int64_t version, std::string path, std::shared_ptr<const engine::Model> model);
  absl::Status Add(std::shared_ptr<const ServedModel> served);

  // The newest version when `version` is nullopt. NOT_FOUND names what is missing
  // and, for a missing version, the versions that are loaded.
  absl::StatusOr<const ServedModel*> Find(std::string_view name, std::optional<int64_t> version) const;
  // Loaded versions of `name`, ascending; empty when unknown.
  std::vector<int64_t> Versions(std::string_view name) const;
  size_t size() const { return models_.size(); }
  const Map& models() const { return models_; }

 private:
  Map models_;
};

// True for names the repository accepts.
bool IsValidModelName(std::string_view name);
// A positive decimal version without sign or leading zeros, at most 18 digits.
std::optional<int64_t> ParseVersion(std::string_view text);

}  // namespace kgate::serve
