// Fuzzes the configuration readers of `kgate serve`: one YAML document read
// as a model's kgate.yaml (under a server policy with hygiene "warn", so the
// trust section's loosening checks run) and as the server config file.
// Checks: every refusal is INVALID_ARGUMENT naming the file; an accepted
// kgate.yaml never loosens the server's policy or its request timeout, and
// its version policy is well formed. Key files named by the input resolve
// under a folder that does not exist (absolute paths are opened
// non-blocking and size-capped by the trust module).
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "io/yaml/yaml.h"
#include "serve/model_config.h"
#include "serve/server_config.h"
#include "util/strings.h"

namespace {

[[noreturn]] void Fail(const char* what, std::string_view detail) {
  std::fprintf(stderr, "serve_config_fuzzer: %s: %.*s\n", what, static_cast<int>(detail.size()), detail.data());
  std::abort();
}

void CheckError(const absl::Status& status) {
  const std::string_view message = kgate::util::ToStd(status.message());
  if (status.code() != absl::StatusCode::kInvalidArgument) Fail("unexpected error code", message);
  if (message.substr(0, 9) != "fuzz.yaml") Fail("error message does not name the file", message);
}

void CheckVersions(const kgate::serve::VersionPolicy& p) {
  using Kind = kgate::serve::VersionPolicy::Kind;
  if (p.kind == Kind::kLatest && (p.latest < 1 || p.latest > kgate::serve::kMaxLatestVersions)) {
    Fail("latest out of range", p.ToString());
  }
  if (p.kind == Kind::kSpecific) {
    if (p.specific.empty()) Fail("empty specific list", p.ToString());
    for (size_t i = 0; i < p.specific.size(); ++i) {
      if (p.specific[i] < 1 || (i > 0 && p.specific[i] <= p.specific[i - 1])) Fail("specific not ascending", p.ToString());
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  absl::StatusOr<kgate::io::json::Value> doc = kgate::io::yaml::Parse(text, "fuzz.yaml");
  if (!doc.ok()) return 0;

  kgate::serve::ModelConfigContext context;
  context.server_trust.hygiene = kgate::trust::HygieneAction::kWarn;
  context.server_request_timeout = absl::Seconds(30);
  absl::StatusOr<kgate::serve::ModelConfig> model =
      kgate::serve::ParseModelConfig(*doc, "fuzz.yaml", "/nonexistent-kgate-fuzz", context);
  if (!model.ok()) {
    CheckError(model.status());
  } else {
    if (model->trust.hygiene < kgate::trust::HygieneAction::kWarn) Fail("kgate.yaml loosened hygiene", "");
    if (model->limits.request_timeout && *model->limits.request_timeout > context.server_request_timeout) {
      Fail("kgate.yaml lengthened the request timeout", "");
    }
    if (model->limits.max_batch && (*model->limits.max_batch < 1 || *model->limits.max_batch > kgate::serve::kMaxBatchLimit)) {
      Fail("max_batch out of range", "");
    }
    if (model->versions) CheckVersions(*model->versions);
  }

  absl::StatusOr<kgate::serve::ServerConfig> server =
      kgate::serve::ParseServerConfig(*doc, "fuzz.yaml", "/nonexistent-kgate-fuzz");
  if (!server.ok()) {
    CheckError(server.status());
  } else {
    if (server->versions) CheckVersions(*server->versions);
    if (server->port && (*server->port < 0 || *server->port > 65535)) Fail("port out of range", "");
    if (server->poll_interval_s && !(*server->poll_interval_s >= 0)) Fail("negative poll interval", "");
  }
  return 0;
}
