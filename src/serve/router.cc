#include "serve/router.h"

#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "observe/exposition.h"
#include "serve/error_response.h"
#include "serve/kserve_api.h"
#include "serve/request_json_schema.h"
#include "serve/request_observer.h"
#include "serve/serve_metrics.h"
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

// The loaded model a path names; records it in the outcome so metrics and
// the audit log only ever name models the repository knows.
absl::StatusOr<const ServedModel*> FindModel(const ModelRepository& repo, const ModelPath& path,
                                             RequestOutcome* outcome) {
  absl::StatusOr<const ServedModel*> served = repo.Find(path.name, path.version);
  if (served.ok()) {
    outcome->model = (*served)->name;
    outcome->version = (*served)->version;
  }
  return served;
}

absl::StatusOr<HttpResponse> RouteV1(const ModelRepository& repo, const ServeOptions& options,
                                     const HttpRequest& request, std::vector<std::string_view> parts,
                                     RequestOutcome* outcome) {
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
    absl::StatusOr<const ServedModel*> served = FindModel(repo, *path, outcome);
    if (!served.ok()) return served.status();
    return TfsPredict(**served, request.body, options);
  }
  if (request.method != "GET") return absl::InvalidArgumentError("model status and metadata take GET");
  if (path->rest.empty()) {
    if (!repo.Versions(path->name).empty()) outcome->model = std::string(path->name);
    return TfsModelStatus(repo, path->name, path->version);
  }
  if (path->rest.size() == 1 && path->rest[0] == "metadata") {
    absl::StatusOr<const ServedModel*> served = FindModel(repo, *path, outcome);
    if (!served.ok()) return served.status();
    return TfsModelMetadata(**served);
  }
  if (path->rest.size() == 1 && path->rest[0] == "schema") {
    absl::StatusOr<const ServedModel*> served = FindModel(repo, *path, outcome);
    if (!served.ok()) return served.status();
    return JsonResponse(TfsRequestJsonSchema(**served));
  }
  return absl::NotFoundError("no such route");
}

absl::StatusOr<HttpResponse> RouteV2(const ModelRepository& repo, const ServeOptions& options,
                                     const HttpRequest& request, const std::vector<std::string_view>& parts,
                                     RequestOutcome* outcome) {
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
  absl::StatusOr<const ServedModel*> served = FindModel(repo, *path, outcome);
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

absl::StatusOr<HttpResponse> RouteMetrics(const ServeOptions& options, const HttpRequest& request) {
  if (options.metrics == nullptr) return absl::NotFoundError("no such route");
  if (request.method != "GET") return absl::InvalidArgumentError("metrics take GET");
  HttpResponse response;
  response.content_type = observe::kExpositionContentType;
  response.body = options.metrics->registry->Expose();
  return response;
}

// Counts the request as in flight for as long as it is handled.
class InFlight {
 public:
  explicit InFlight(ServeMetrics* m) : gauge_(m != nullptr ? m->in_flight : nullptr) {
    if (gauge_ != nullptr) gauge_->Add(1);
  }
  ~InFlight() {
    if (gauge_ != nullptr) gauge_->Add(-1);
  }
  InFlight(const InFlight&) = delete;
  InFlight& operator=(const InFlight&) = delete;

 private:
  observe::Gauge* gauge_;
};

}  // namespace

Router::Router(const ModelRepository& repo, ServeOptions options)
    // A non-owning pointer: the caller keeps `repo` alive.
    : fixed_(std::make_unique<LiveRepository>(std::shared_ptr<const ModelRepository>(&repo, [](const ModelRepository*) {}))),
      live_(*fixed_),
      options_(std::move(options)) {}

std::string Router::NewRequestIdPrefix() {
  std::random_device rd;
  const uint64_t prefix = (uint64_t{rd()} << 32) ^ rd();
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (int shift = 60; shift >= 0; shift -= 4) out.push_back(kHex[(prefix >> shift) & 0xf]);
  out.push_back('-');
  return out;
}

HttpResponse Router::Handle(const HttpRequest& request) const {
  const absl::Time start = absl::Now();
  InFlight in_flight(options_.metrics);
  // Held until the reply is built: the models it names stay loaded meanwhile.
  const std::shared_ptr<const ModelRepository> repo = live_.Snapshot();
  RequestOutcome outcome;
  outcome.protocol = ProtocolOf(request.target);
  HttpResponse response = Route(*repo, request, &outcome);
  return Finish(request, outcome, std::move(response), start);
}

HttpResponse Router::Route(const ModelRepository& repo, const HttpRequest& request, RequestOutcome* outcome) const {
  const std::vector<std::string_view> parts = SplitPath(request.target);
  absl::StatusOr<HttpResponse> response = absl::NotFoundError("no such route");
  if (!parts.empty() && parts[0] == "v1") {
    response = RouteV1(repo, options_, request, parts, outcome);
  } else if (!parts.empty() && parts[0] == "v2") {
    response = RouteV2(repo, options_, request, parts, outcome);
  } else if (parts.size() == 1 && parts[0] == "metrics") {
    response = RouteMetrics(options_, request);
  }
  if (response.ok()) return *std::move(response);
  absl::Status status = response.status();
  if (status.message() == "no such route") {
    status = absl::NotFoundError(
        util::StrCat("no route for ", request.method, " ", request.target.substr(0, request.target.find('?'))));
  }
  HttpResponse error = ErrorResponse(status);
  outcome->rules = RefusalRules(status, error.status, &outcome->input_refused);
  return error;
}

HttpResponse Router::Refuse(const HttpRequest& request, int http_status, const absl::Status& status,
                            std::string rule) const {
  const absl::Time start = absl::Now();
  RequestOutcome outcome;
  outcome.protocol = ProtocolOf(request.target);
  outcome.rules.push_back(std::move(rule));
  HttpResponse response = ErrorResponse(status);
  response.status = http_status;
  return Finish(request, outcome, std::move(response), start);
}

HttpResponse Router::Finish(const HttpRequest& request, const RequestOutcome& outcome, HttpResponse response,
                            absl::Time start) const {
  const std::string request_id =
      util::StrCat(request_id_prefix_, next_request_id_.fetch_add(1, std::memory_order_relaxed) + 1);
  ObserveRequest(options_, request, request_id, outcome, response, absl::Now() - start);
  response.headers.emplace_back("X-Request-Id", request_id);
  return response;
}

}  // namespace kgate::serve
