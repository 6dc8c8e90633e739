// File: router.h
// Maps a request's method and path to the protocol handler: TF Serving REST
// v1 under /v1/models/... and KServe v2 under /v2/..., on one port. Model
// names and versions in the path are looked up in the loaded repository and
// nothing else; every refusal goes through ErrorResponse, so both protocols
// share one status mapping. Thread-safe (the repository is immutable).
#pragma once

#include "serve/http_types.h"
#include "serve/inference.h"
#include "serve/model_repository.h"

namespace kgate::serve {

class Router {
 public:
  Router(const ModelRepository& repo, ServeOptions options) : repo_(repo), options_(std::move(options)) {}

  HttpResponse Handle(const HttpRequest& request) const;

 private:
  const ModelRepository& repo_;
  ServeOptions options_;
};

}  // namespace kgate::serve
