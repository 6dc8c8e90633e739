// File: model_config.h
// A model's kgate.yaml (REPO/<model>/kgate.yaml), read once per load into one
// immutable ModelConfig that travels on ServedModel, so every stage of a
// request reads the configuration its snapshot was loaded with. This file
// owns the top-level dispatch (one line per section; a key without a parser
// is refused as unknown) and the `versions:`, `trust:` and `limits:`
// sections; the other sections' owners add their parsers here. A model
// without kgate.yaml gets the server's defaults. Models given as --model
// NAME=PATH read no kgate.yaml (docs/serving.md).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "io/json/json.h"
#include "schema/output_spec.h"
#include "schema/input_spec.h"
#include "serve/version_policy.h"
#include "trust/policy.h"

namespace kgate::serve {

inline constexpr std::string_view kModelConfigName = "kgate.yaml";

struct ModelLimits {
  std::optional<int64_t> max_batch;  // largest batch (first dimension) a request may send
  // This model's inference deadline, never longer than the server's.
  std::optional<absl::Duration> request_timeout;
};

struct ModelConfig {
  std::string source;                     // the kgate.yaml read, "" when none
  std::optional<VersionPolicy> versions;  // unset: the server's default
  trust::TrustPolicy trust;               // the server's policy, narrowed by `trust:`
  ModelLimits limits;
  schema::OutputSpec outputs;  // checked after inference (output_validation.h); empty: nothing checked
  schema::InputSpec inputs;               // `inputs:`, applied to each version's derived schema
};

// What a model's configuration is checked against.
struct ModelConfigContext {
  trust::TrustPolicy server_trust;
  absl::Duration server_request_timeout = absl::Seconds(30);
};

// The largest limits.max_batch accepted.
inline constexpr int64_t kMaxBatchLimit = int64_t{1} << 20;

// Parses a kgate.yaml document; `where` names the file in errors and
// `base_dir` resolves relative key paths in `trust:`.
absl::StatusOr<ModelConfig> ParseModelConfig(const io::json::Value& root, std::string_view where,
                                             std::string_view base_dir, const ModelConfigContext& context);

// `model_dir`/kgate.yaml when it exists; the defaults otherwise.
absl::StatusOr<ModelConfig> ReadModelConfig(const std::string& model_dir, const ModelConfigContext& context);

// The configuration of a model without kgate.yaml.
ModelConfig DefaultModelConfig(const ModelConfigContext& context);

}  // namespace kgate::serve
