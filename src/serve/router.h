// File: router.h
// Maps a request's method and path to the protocol handler: TF Serving REST
// v1 under /v1/models/... and KServe v2 under /v2/..., on one port. Model
// names and versions in the path are looked up in the loaded repository and
// nothing else; every refusal goes through ErrorResponse, so both protocols
// share one status mapping. Each request takes the live repository's
// snapshot once and uses only it, so a reload swapping models in or out
// never changes a request half way. Thread-safe.
#pragma once

#include <memory>

#include "serve/http_types.h"
#include "serve/inference.h"
#include "serve/live_repository.h"
#include "serve/model_repository.h"

namespace kgate::serve {

class Router {
 public:
  // Serves what `live` holds when each request starts; `live` outlives the router.
  Router(const LiveRepository& live, ServeOptions options) : live_(live), options_(std::move(options)) {}
  // A fixed repository (tests, fuzzing); `repo` outlives the router.
  Router(const ModelRepository& repo, ServeOptions options);

  HttpResponse Handle(const HttpRequest& request) const;

 private:
  std::unique_ptr<LiveRepository> fixed_;  // set by the fixed-repository constructor
  const LiveRepository& live_;
  ServeOptions options_;
};

}  // namespace kgate::serve
