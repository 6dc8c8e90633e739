#include "serve/model_repository.h"

#include "util/strings.h"

namespace kgate::serve {

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

absl::StatusOr<std::shared_ptr<const ServedModel>> MakeServedModel(std::string name, int64_t version, std::string path,
                                                                   std::shared_ptr<const engine::Model> model,
                                                                   std::shared_ptr<const ModelConfig> config) {
  absl::StatusOr<InputSchema> schema = SchemaForModel(*model);
  if (!schema.ok()) return absl::Status(schema.status().code(), util::StrCat(path, ": ", schema.status().message()));
  if (config == nullptr) config = std::make_shared<const ModelConfig>();
  // The input and output specs were parsed without the model; here they meet
  // the version they guard, and a rule that does not fit fails its load.
  const std::string where = util::StrCat(config->source, " (for ", path, ")");
  absl::Status outputs = schema::CheckOutputSpec(config->outputs, model->output_names(), model->output_specs(), where);
  if (!outputs.ok()) return outputs;
  if (!config->inputs.empty()) {
    schema = schema::ApplyInputSpec(*std::move(schema), config->inputs, where);
    if (!schema.ok()) return schema.status();
  }
  return std::make_shared<const ServedModel>(ServedModel{std::move(name), version, std::move(path), std::move(model),
                                                         *std::move(schema), std::move(config)});
}

absl::Status ModelRepository::Add(std::string name, int64_t version, std::string path,
                                  std::shared_ptr<const engine::Model> model) {
  absl::StatusOr<std::shared_ptr<const ServedModel>> served =
      MakeServedModel(std::move(name), version, std::move(path), std::move(model), nullptr);
  if (!served.ok()) return served.status();
  return Add(*std::move(served));
}

absl::Status ModelRepository::Add(std::shared_ptr<const ServedModel> served) {
  Key key(served->name, served->version);
  if (models_.count(key) != 0) {
    return absl::AlreadyExistsError(util::StrCat("model '", served->name, "' version ", served->version,
                                                 " is given twice"));
  }
  models_.emplace(std::move(key), std::move(served));
  return absl::OkStatus();
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
  return it->second.get();
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
