// `kgate serve`: loads a model repository (or NAME=PATH models) through the
// scanner, then serves TF Serving REST v1 and KServe v2 on one port until
// SIGTERM/SIGINT.
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "cli/args.h"
#include "cli/commands.h"
#include "cli/engine_model.h"
#include "serve/http_server.h"
#include "serve/model_repository.h"
#include "serve/router.h"
#include "util/strings.h"

namespace kgate::cli {

int RunServe(const std::vector<std::string>& argv) {
  absl::StatusOr<Args> args = Args::Parse(
      argv, {.with_value = {"--model-repository", "--model", "--host", "--port", "--threads", "--max-body-bytes",
                            "--read-timeout", "--request-timeout"},
             .switches = {}});
  if (!args.ok()) return UsageError("serve", util::ToStd(args.status().message()));
  if (!args->positional().empty()) return UsageError("serve", "unexpected argument '" + args->positional()[0] + "'");
  const std::optional<std::string> repo_dir = args->Get("--model-repository");
  const std::vector<std::string> named = args->GetAll("--model");
  if (repo_dir.has_value() == !named.empty()) {
    return UsageError("serve", "give either --model-repository DIR or one or more --model NAME=PATH");
  }
  const std::optional<int64_t> port = IntFlag("serve", *args, "--port", 0, 65535, 8501);
  const std::optional<int64_t> threads = IntFlag("serve", *args, "--threads", 1, 1024, 4);
  const std::optional<int64_t> max_body = IntFlag("serve", *args, "--max-body-bytes", 1024, int64_t{1} << 32, int64_t{64} << 20);
  const std::optional<int64_t> read_timeout = IntFlag("serve", *args, "--read-timeout", 1, 3600, 30);
  const std::optional<int64_t> request_timeout = IntFlag("serve", *args, "--request-timeout", 1, 3600, 30);
  if (!port || !threads || !max_body || !read_timeout || !request_timeout) return kExitUsage;

  // Requests run concurrently on the worker threads, so each prediction uses one core.
  engine::EngineOptions engine_options;
  engine_options.intra_op_threads = 1;
  int load_exit = kExitUsage;
  const serve::ModelLoader loader =
      [&](const std::string& path) -> absl::StatusOr<std::shared_ptr<const engine::Model>> {
    LoadedModel loaded = LoadEngineModel("serve", path, engine_options);
    if (loaded.model == nullptr) {
      load_exit = loaded.exit_code;
      return absl::FailedPreconditionError(util::StrCat(path, ": not loaded (see above)"));
    }
    return std::shared_ptr<const engine::Model>(std::move(loaded.model));
  };
  absl::StatusOr<serve::ModelRepository> repo = repo_dir ? serve::ModelRepository::LoadDirectory(*repo_dir, loader)
                                                         : serve::ModelRepository::LoadNamed(named, loader);
  if (!repo.ok()) {
    if (repo.status().code() == absl::StatusCode::kFailedPrecondition) return load_exit;
    return UsageError("serve", util::ToStd(repo.status().message()));
  }
  for (const auto& [key, served] : repo->models()) {
    std::fprintf(stderr, "kgate serve: model '%s' version %lld from %s\n", served.name.c_str(),
                 static_cast<long long>(served.version), served.path.c_str());
  }

  serve::ServeOptions serve_options;
  serve_options.request_timeout = absl::Seconds(*request_timeout);
  serve_options.json_limits.max_input_bytes = static_cast<uint64_t>(*max_body);
  const serve::Router router(*repo, serve_options);
  serve::HttpServerOptions http;
  http.host = args->Get("--host").value_or("127.0.0.1");
  http.port = static_cast<uint16_t>(*port);
  http.threads = static_cast<int>(*threads);
  http.max_body_bytes = static_cast<uint64_t>(*max_body);
  http.read_timeout = absl::Seconds(*read_timeout);
  absl::Status served = serve::RunHttpServer(router, http, [](const std::string& address) {
    std::fprintf(stderr, "kgate serve: listening on http://%s\n", address.c_str());
    std::fflush(stderr);
  });
  if (!served.ok()) return UsageError("serve", util::ToStd(served.message()));
  std::fprintf(stderr, "kgate serve: stopped\n");
  return kExitClean;
}

}  // namespace kgate::cli
