// `kgate serve`: loads a model repository (or NAME=PATH models) through the
// trust policy and the scanner, then serves TF Serving REST v1 and KServe v2
// on one port until SIGTERM/SIGINT, polling the repository for new, changed
// and removed versions, with metrics at GET /metrics and, given --audit-log,
// an audit log of every refusal. Settings come from --config FILE,
// overridden by flags.
#include <cstdio>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "cli/args.h"
#include "cli/commands.h"
#include "cli/engine_model.h"
#include "observe/audit_log.h"
#include "observe/registry.h"
#include "serve/http_server.h"
#include "serve/live_repository.h"
#include "serve/model_repository.h"
#include "serve/repository_loader.h"
#include "serve/request_observer.h"
#include "serve/router.h"
#include "serve/serve_metrics.h"
#include "serve/server_config.h"
#include "util/strings.h"

namespace kgate::cli {
namespace {

// TF Serving polls its file system every second by default.
constexpr double kDefaultPollIntervalSeconds = 1.0;

void PrintEvent(const serve::RepositoryEvent& e) {
  using Kind = serve::RepositoryEvent::Kind;
  switch (e.kind) {
    case Kind::kLoaded:
    case Kind::kUnloaded:
      std::fprintf(stderr, "kgate serve: %s\n", e.message.c_str());
      break;
    case Kind::kWarning:
      std::fprintf(stderr, "kgate serve: warning: %s\n", e.message.c_str());
      break;
    case Kind::kRefused: {
      const std::string what = e.model.empty()       ? std::string("repository")
                               : e.version == 0 ? util::StrCat("model '", e.model, "'")
                                                : util::StrCat("model '", e.model, "' version ", e.version);
      std::fprintf(stderr, "kgate serve: %s not loaded (%s): %s; what was serving keeps serving\n", what.c_str(),
                   e.reason.c_str(), e.message.c_str());
      break;
    }
  }
  std::fflush(stderr);
}

// --poll-interval SECONDS (a decimal number, 0 = off).
std::optional<double> PollIntervalFlag(const Args& args, double fallback) {
  const std::optional<std::string> v = args.Get("--poll-interval");
  if (!v) return fallback;
  double s = 0;
  if (!absl::SimpleAtod(*v, &s) || !(s >= 0 && s <= serve::kMaxPollIntervalSeconds)) {
    UsageError("serve", util::StrCat("--poll-interval must be a number of seconds in 0..",
                                     serve::kMaxPollIntervalSeconds, ", got '", *v, "'"));
    return std::nullopt;
  }
  return s;
}

}  // namespace

int RunServe(const std::vector<std::string>& argv) {
  absl::StatusOr<Args> args = Args::Parse(
      argv, {.with_value = {"--model-repository", "--model", "--host", "--port", "--threads", "--max-body-bytes",
                            "--read-timeout", "--request-timeout", "--config", "--poll-interval", "--version-policy",
                            "--gzip-max-ratio", "--audit-log", "--audit-log-max-bytes", "--audit-log-files"},
             .switches = {}});
  if (!args.ok()) return UsageError("serve", util::ToStd(args.status().message()));
  if (!args->positional().empty()) return UsageError("serve", "unexpected argument '" + args->positional()[0] + "'");
  serve::ServerConfig file;
  if (const std::optional<std::string> config_path = args->Get("--config")) {
    absl::StatusOr<serve::ServerConfig> read = serve::ReadServerConfig(*config_path);
    if (!read.ok()) return UsageError("serve", util::ToStd(read.status().message()));
    file = *std::move(read);
  }
  const std::vector<std::string> named = args->GetAll("--model");
  std::optional<std::string> repo_dir = args->Get("--model-repository");
  if (!repo_dir && named.empty()) repo_dir = file.repository;
  if (repo_dir.has_value() == !named.empty()) {
    return UsageError("serve", "give either --model-repository DIR (or repository.path in --config) or one or more "
                               "--model NAME=PATH");
  }
  const std::optional<int64_t> port = IntFlag("serve", *args, "--port", 0, 65535, file.port.value_or(8501));
  const std::optional<int64_t> threads =
      IntFlag("serve", *args, "--threads", 1, serve::kMaxServerThreads, file.threads.value_or(4));
  const std::optional<int64_t> max_body = IntFlag("serve", *args, "--max-body-bytes", serve::kMinBodyBytes,
                                                  serve::kMaxBodyBytes, file.max_body_bytes.value_or(int64_t{64} << 20));
  const std::optional<int64_t> read_timeout =
      IntFlag("serve", *args, "--read-timeout", 1, serve::kMaxTimeoutSeconds, file.read_timeout_s.value_or(30));
  const std::optional<int64_t> request_timeout =
      IntFlag("serve", *args, "--request-timeout", 1, serve::kMaxTimeoutSeconds, file.request_timeout_s.value_or(30));
  const std::optional<double> poll_interval =
      PollIntervalFlag(*args, file.poll_interval_s.value_or(kDefaultPollIntervalSeconds));
  if (!port || !threads || !max_body || !read_timeout || !request_timeout || !poll_interval) return kExitUsage;
  serve::VersionPolicy versions = file.versions.value_or(serve::VersionPolicy{});
  if (const std::optional<std::string> flag = args->Get("--version-policy")) {
    absl::StatusOr<serve::VersionPolicy> parsed = serve::ParseVersionPolicyFlag(*flag);
    if (!parsed.ok()) return UsageError("serve", util::ToStd(parsed.status().message()));
    versions = *std::move(parsed);
  }
  const std::optional<int64_t> gzip_ratio = IntFlag("serve", *args, "--gzip-max-ratio", 1, serve::kMaxGzipRatio,
                                                    file.gzip_max_ratio.value_or(serve::kDefaultGzipRatio));
  const std::optional<int64_t> audit_max_bytes =
      IntFlag("serve", *args, "--audit-log-max-bytes", serve::kMinAuditLogBytes, serve::kMaxAuditLogBytes,
              file.audit_log_max_bytes.value_or(serve::kDefaultAuditLogBytes));
  const std::optional<int64_t> audit_files = IntFlag("serve", *args, "--audit-log-files", 0, serve::kMaxAuditLogFiles,
                                                     file.audit_log_files.value_or(serve::kDefaultAuditLogFiles));
  if (!gzip_ratio || !audit_max_bytes || !audit_files) return kExitUsage;

  // Metrics and the audit log exist before any model loads (a refused model
  // is audited too), so they outlive the loader, the router and the server.
  observe::Registry registry;
  absl::StatusOr<std::unique_ptr<serve::ServeMetrics>> metrics = serve::ServeMetrics::Register(registry);
  if (!metrics.ok()) return UsageError("serve", util::ToStd(metrics.status().message()));
  std::unique_ptr<observe::AuditLog> audit_log;
  std::optional<std::string> audit_path = args->Get("--audit-log");
  if (!audit_path) audit_path = file.audit_log;
  if (audit_path) {
    absl::StatusOr<std::unique_ptr<observe::AuditLog>> opened =
        observe::AuditLog::Open({.path = *audit_path,
                                 .max_bytes = static_cast<uint64_t>(*audit_max_bytes),
                                 .max_files = static_cast<int>(*audit_files)},
                                &registry);
    if (!opened.ok()) return UsageError("serve", util::ToStd(opened.status().message()));
    audit_log = *std::move(opened);
  }

  serve::RepositoryOptions options;
  options.default_versions = versions;
  options.config.server_request_timeout = absl::Seconds(*request_timeout);
  if (file.trust.has_value()) {
    absl::StatusOr<trust::TrustPolicy> policy = trust::BuildPolicy(file.trust->spec, util::StrCat(file.source, ":"));
    if (!policy.ok()) return UsageError("serve", util::ToStd(policy.status().message()));
    options.config.server_trust = *std::move(policy);
  }
  serve::ServeOptions serve_options;
  serve_options.metrics = metrics->get();
  serve_options.audit_log = audit_log.get();
  options.on_event = [&serve_options](const serve::RepositoryEvent& e) {
    PrintEvent(e);
    serve::ObserveRepositoryEvent(serve_options, e);
  };
  // Requests run concurrently on the worker threads, so each prediction uses one core.
  engine::EngineOptions engine_options;
  engine_options.intra_op_threads = 1;
  options.loader = [engine_options](const std::string& path) -> absl::StatusOr<std::shared_ptr<const engine::Model>> {
    LoadedModel loaded = LoadEngineModel("serve", path, engine_options);
    if (loaded.model != nullptr) return std::shared_ptr<const engine::Model>(std::move(loaded.model));
    // LoadEngineModel printed the reason (and the scan report) already.
    if (loaded.exit_code == kExitFound) {
      return absl::FailedPreconditionError(util::StrCat(path, ": refused by the scanner (findings above)"));
    }
    return absl::InvalidArgumentError(util::StrCat(path, ": cannot be loaded (reason above)"));
  };

  std::unique_ptr<serve::RepositoryLoader> loader;
  absl::StatusOr<std::shared_ptr<const serve::ModelRepository>> initial;
  if (repo_dir) {
    loader = std::make_unique<serve::RepositoryLoader>(*repo_dir, options);
    initial = loader->LoadAll();
  } else {
    initial = serve::LoadNamedModels(named, options);
  }
  if (!initial.ok()) {
    const absl::StatusCode code = initial.status().code();
    if (code == absl::StatusCode::kFailedPrecondition) return kExitFound;  // the scan report is printed
    if (code == absl::StatusCode::kPermissionDenied) {
      std::fprintf(stderr, "kgate serve: %s\n", std::string(initial.status().message()).c_str());
      return kExitFound;
    }
    return UsageError("serve", util::ToStd(initial.status().message()));
  }

  serve::LiveRepository live(*std::move(initial));
  (*metrics)->models_loaded->Set(static_cast<double>(live.Snapshot()->size()));
  serve_options.request_timeout = absl::Seconds(*request_timeout);
  serve_options.json_limits.max_input_bytes = static_cast<uint64_t>(*max_body);
  const serve::Router router(live, serve_options);
  serve::HttpServerOptions http;
  http.host = args->Get("--host").value_or(file.host.value_or("127.0.0.1"));
  http.port = static_cast<uint16_t>(*port);
  http.threads = static_cast<int>(*threads);
  http.max_body_bytes = static_cast<uint64_t>(*max_body);
  if (file.max_header_bytes) http.max_header_bytes = static_cast<uint32_t>(*file.max_header_bytes);
  http.read_timeout = absl::Seconds(*read_timeout);
  std::unique_ptr<serve::RepositoryPoller> poller;
  if (loader != nullptr && *poll_interval > 0) {
    std::fprintf(stderr, "kgate serve: polling %s every %g s (default version policy: %s)\n", repo_dir->c_str(),
                 *poll_interval, versions.ToString().c_str());
    observe::Gauge* models_loaded = (*metrics)->models_loaded;
    poller = std::make_unique<serve::RepositoryPoller>(
        *loader, live, absl::Seconds(*poll_interval),
        [models_loaded](const serve::ModelRepository& now) { models_loaded->Set(static_cast<double>(now.size())); });
  }
  http.gzip_max_ratio = static_cast<uint32_t>(*gzip_ratio);
  absl::Status served = serve::RunHttpServer(router, http, [](const std::string& address) {
    std::fprintf(stderr, "kgate serve: listening on http://%s\n", address.c_str());
    std::fflush(stderr);
  });
  poller.reset();  // a poll in progress finishes first
  if (!served.ok()) return UsageError("serve", util::ToStd(served.message()));
  std::fprintf(stderr, "kgate serve: stopped\n");
  return kExitClean;
}

}  // namespace kgate::cli
