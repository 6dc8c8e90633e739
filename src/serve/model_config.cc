#include "serve/model_config.h"

#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "schema/config_fields.h"
#include "serve/config_fields.h"
#include "serve/trust_section.h"
#include "util/strings.h"

namespace kgate::serve {
namespace {

using io::json::Value;

absl::Status ParseLimits(const Value& v, std::string_view where, const ModelConfigContext& context,
                         ModelLimits& limits) {
  if (absl::Status s = schema::CheckObject(v, {"max_batch", "request_timeout"}, where, "limits"); !s.ok()) return s;
  for (const auto& [key, value] : v.object()) {
    const std::string path = schema::ConfigPath("limits", key);
    if (key == "max_batch") {
      absl::StatusOr<int64_t> n = config::ReadInt(value, where, path, 1, kMaxBatchLimit);
      if (!n.ok()) return n.status();
      limits.max_batch = *n;
    } else {
      const double server_s = absl::ToDoubleSeconds(context.server_request_timeout);
      absl::StatusOr<double> s = config::ReadNumber(value, where, path, 0.001, 1e9);
      if (!s.ok()) return s.status();
      if (*s > server_s) {
        return schema::ConfigError(where, path,
                             util::StrCat(*s, " seconds is longer than the server's request timeout (", server_s,
                                          " seconds); a model may only shorten it"));
      }
      limits.request_timeout = absl::Seconds(*s);
    }
  }
  return absl::OkStatus();
}

}  // namespace

ModelConfig DefaultModelConfig(const ModelConfigContext& context) {
  ModelConfig config;
  config.trust = context.server_trust;
  return config;
}

absl::StatusOr<ModelConfig> ParseModelConfig(const Value& root, std::string_view where, std::string_view base_dir,
                                             const ModelConfigContext& context) {
  // One line per section; each section's owner adds theirs.
  if (absl::Status s = schema::CheckObject(root, {"versions", "trust", "limits", "inputs", "outputs"}, where, "");
      !s.ok()) {
    return s;
  }
  ModelConfig config = DefaultModelConfig(context);
  config.source = std::string(where);
  for (const auto& [key, value] : root.object()) {
    if (key == "versions") {
      absl::StatusOr<VersionPolicy> policy = ParseVersionPolicy(value, where, "versions");
      if (!policy.ok()) return policy.status();
      config.versions = *std::move(policy);
    } else if (key == "trust") {
      absl::StatusOr<TrustSection> section = ParseTrustSection(value, where, "trust", base_dir);
      if (!section.ok()) return section.status();
      absl::StatusOr<trust::TrustPolicy> policy = NarrowServerPolicy(context.server_trust, *section, where, "trust");
      if (!policy.ok()) return policy.status();
      config.trust = *std::move(policy);
    } else if (key == "limits") {
      if (absl::Status s = ParseLimits(value, where, context, config.limits); !s.ok()) return s;
    } else if (key == "outputs") {
      absl::StatusOr<schema::OutputSpec> outputs = schema::ParseOutputSpec(value, where);
      if (!outputs.ok()) return outputs.status();
      config.outputs = *std::move(outputs);
    } else if (key == "inputs") {
      absl::StatusOr<schema::InputSpec> inputs = schema::ParseInputSpec(value, where);
      if (!inputs.ok()) return inputs.status();
      config.inputs = *std::move(inputs);
    }
  }
  return config;
}

absl::StatusOr<ModelConfig> ReadModelConfig(const std::string& model_dir, const ModelConfigContext& context) {
  const std::string path = (std::filesystem::path(model_dir) / kModelConfigName).string();
  struct stat st;
  if (::lstat(path.c_str(), &st) != 0) {
    if (errno == ENOENT) return DefaultModelConfig(context);
    return absl::PermissionDeniedError(util::StrCat(path, ": cannot read the file: ", std::strerror(errno)));
  }
  absl::StatusOr<Value> doc = config::ReadDocument(path);
  if (!doc.ok()) return doc.status();
  return ParseModelConfig(*doc, path, model_dir, context);
}

}  // namespace kgate::serve
