#include "serve/router.h"

#include <string>
#include <string_view>
#include <vector>

#include "serve/error_response.h"
#include "serve/kserve_api.h"
#include "serve/tfserving_api.h"
#include "util/strings.h"

namespace kgate::serve {
namespace {

std::vector<std::string_view> SplitPath(std::string_view target) {
  target = target.substr(0, target.find('?'));
  std::vector<std::string_view> parts;
  size_t start = 0;
  while (start <= target.size()) {
    size_t slash = target.find('/', start);
    if (slash == std::string_view::npos) slash = target.size();
    if (slash > start) parts.push_back(target.substr(start, slash - start));
    start = slash + 1;
  }
  return parts;
}

// A model reference: /models/{m}[/versions/{v}] followed by `rest`.
struct ModelPath {
  std::string_view name;
  std::optional<int64_t> version;
  std::vector<std::string_view> rest;
};

absl::StatusOr<ModelPath> ParseModelPath(const std::vector<std::string_view>& parts, size_t from) {
  ModelPath path;
  path.name = parts[from];
  size_t next = from + 1;
  if (next < parts.size() && parts[next] == "versions") {
    if (next + 1 >= parts.size()) return absl::NotFoundError("no such route");
    const std::string_view v = parts[next + 1];
    path.version = ParseVersion(v);
    if (!path.version) {
      return absl::InvalidArgumentError(util::StrCat("version '", v, "' must be a positive integer"));
    }
    next += 2;
  }
  path.rest.assign(parts.begin() + static_cast<std::ptrdiff_t>(next), parts.end());
  return path;
}

absl::StatusOr<HttpResponse> RouteV1(const ModelRepository& repo, const ServeOptions& options,
                                     const HttpRequest& request, std::vector<std::string_view> parts) {
  // parts[0] == "v1", parts[1] == "models"
  if (parts.size() < 3 || parts[1] != "models") return absl::NotFoundError("no such route");
  // A ":predict" verb on the last segment.
  std::string_view verb;
  const size_t colon = parts.back().find(':');
  if (colon != std::string_view::npos) {
    verb = parts.back().substr(colon + 1);
    parts.back() = parts.back().substr(0, colon);
  }
  absl::StatusOr<ModelPath> path = ParseModelPath(parts, 2);
  if (!path.ok()) return path.status();
  if (!verb.empty()) {
    if (verb != "predict") {
      return absl::NotFoundError(util::StrCat("unknown verb ':", verb, "'; kgate serves :predict"));
    }
    if (!path->rest.empty()) return absl::NotFoundError("no such route");
    if (request.method != "POST") return absl::InvalidArgumentError(":predict takes POST");
    absl::StatusOr<const ServedModel*> served = repo.Find(path->name, path->version);
    if (!served.ok()) return served.status();
    return TfsPredict(**served, request.body, options);
  }
  if (request.method != "GET") return absl::InvalidArgumentError("model status and metadata take GET");
  if (path->rest.empty()) return TfsModelStatus(repo, path->name, path->version);
  if (path->rest.size() == 1 && path->rest[0] == "metadata") {
    absl::StatusOr<const ServedModel*> served = repo.Find(path->name, path->version);
    if (!served.ok()) return served.status();
    return TfsModelMetadata(**served);
  }
  return absl::NotFoundError("no such route");
}

absl::StatusOr<HttpResponse> RouteV2(const ModelRepository& repo, const ServeOptions& options,
                                     const HttpRequest& request, const std::vector<std::string_view>& parts) {
  const bool get = request.method == "GET";
  if (parts.size() == 1) {
    if (!get) return absl::InvalidArgumentError("server metadata takes GET");
    return KsServerMetadata();
  }
  if (parts[1] == "health" && parts.size() == 3 && (parts[2] == "live" || parts[2] == "ready")) {
    if (!get) return absl::InvalidArgumentError("health takes GET");
    // Models load before the listener opens, so a live server is ready.
    return JsonResponse("{}");
  }
  if (parts[1] != "models" || parts.size() < 3) return absl::NotFoundError("no such route");
  absl::StatusOr<ModelPath> path = ParseModelPath(parts, 2);
  if (!path.ok()) return path.status();
  absl::StatusOr<const ServedModel*> served = repo.Find(path->name, path->version);
  if (!served.ok()) return served.status();
  if (path->rest.empty()) {
    if (!get) return absl::InvalidArgumentError("model metadata takes GET");
    return KsModelMetadata(repo, **served);
  }
  if (path->rest.size() == 1 && path->rest[0] == "ready") {
    if (!get) return absl::InvalidArgumentError("model readiness takes GET");
    return JsonResponse("{}");
  }
  if (path->rest.size() == 1 && path->rest[0] == "infer") {
    if (request.method != "POST") return absl::InvalidArgumentError("infer takes POST");
    return KsInfer(**served, request.body, request.inference_header_length, options);
  }
  return absl::NotFoundError("no such route");
}

}  // namespace

Router::Router(const ModelRepository& repo, ServeOptions options)
    // A non-owning pointer: the caller keeps `repo` alive.
    : fixed_(std::make_unique<LiveRepository>(std::shared_ptr<const ModelRepository>(&repo, [](const ModelRepository*) {}))),
      live_(*fixed_),
      options_(std::move(options)) {}

HttpResponse Router::Handle(const HttpRequest& request) const {
  // Held until the reply is built: the models it names stay loaded meanwhile.
  const std::shared_ptr<const ModelRepository> repo = live_.Snapshot();
  const std::vector<std::string_view> parts = SplitPath(request.target);
  absl::StatusOr<HttpResponse> response = absl::NotFoundError("no such route");
  if (!parts.empty() && parts[0] == "v1") {
    response = RouteV1(*repo, options_, request, parts);
  } else if (!parts.empty() && parts[0] == "v2") {
    response = RouteV2(*repo, options_, request, parts);
  }
  if (response.ok()) return *std::move(response);
  if (response.status().message() == "no such route") {
    return ErrorResponse(absl::NotFoundError(util::StrCat("no route for ", request.method, " ",
                                                          request.target.substr(0, request.target.find('?')))));
  }
  return ErrorResponse(response.status());
}

}  // namespace kgate::serve
