// File: router.h
// Maps a request's method and path to the protocol handler: TF Serving REST
// v1 under /v1/models/... and KServe v2 under /v2/..., on one port. Model
// names and versions in the path are looked up in the loaded repository and
// nothing else; every refusal goes through ErrorResponse, so both protocols
// share one status mapping. Each request takes the live repository's
// snapshot once and uses only it, so a reload swapping models in or out
// never changes a request half way. GET /metrics serves the metrics
// registry's Prometheus page. Every reply carries an X-Request-Id, and every
// request, answered or refused, passes the observe stage
// (request_observer.h) here. Thread-safe.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "serve/http_types.h"
#include "serve/inference.h"
#include "serve/live_repository.h"
#include "serve/model_repository.h"

namespace kgate::serve {

struct RequestOutcome;

class Router {
 public:
  // Serves what `live` holds when each request starts; `live` outlives the router.
  Router(const LiveRepository& live, ServeOptions options) : live_(live), options_(std::move(options)) {}
  // A fixed repository (tests, fuzzing); `repo` outlives the router.
  Router(const ModelRepository& repo, ServeOptions options);

  HttpResponse Handle(const HttpRequest& request) const;

  // A refusal decided before routing (by the HTTP server: body too large,
  // unsupported Content-Encoding, malformed request), replied, counted and
  // audited like any other. `http_status` overrides the canonical mapping
  // (413, 415, 431); `rule` names the refusal in metrics and the audit log.
  HttpResponse Refuse(const HttpRequest& request, int http_status, const absl::Status& status,
                      std::string rule) const;

 private:
  HttpResponse Route(const ModelRepository& repo, const HttpRequest& request, RequestOutcome* outcome) const;
  HttpResponse Finish(const HttpRequest& request, const RequestOutcome& outcome, HttpResponse response,
                      absl::Time start) const;

  std::unique_ptr<LiveRepository> fixed_;  // set by the fixed-repository constructor
  const LiveRepository& live_;
  ServeOptions options_;
  static std::string NewRequestIdPrefix();
  std::string request_id_prefix_ = NewRequestIdPrefix();  // random, so ids from two runs never collide
  mutable std::atomic<uint64_t> next_request_id_{0};
};

}  // namespace kgate::serve
