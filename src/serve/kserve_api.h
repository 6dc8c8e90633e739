// File: kserve_api.h
// KServe v2 / Open Inference Protocol REST: server metadata, model metadata
// (datatypes as the wire carries them, -1 for free dims) and infer, in JSON
// and with the binary tensor extension that tritonclient uses by default:
// the body is a JSON header of Inference-Header-Content-Length bytes
// followed by the inputs' raw little-endian bytes, in input order, each
// input giving its size as parameters.binary_data_size. Outputs come back
// binary when the request asks (per output parameters.binary_data, or
// parameters.binary_data_output for all), with the same header.
#pragma once

#include <optional>
#include <string_view>

#include "absl/status/statusor.h"
#include "serve/http_types.h"
#include "serve/inference.h"
#include "serve/model_repository.h"

namespace kgate::serve {

HttpResponse KsServerMetadata();
HttpResponse KsModelMetadata(const ModelRepository& repo, const ServedModel& served);
// `header_length` is the Inference-Header-Content-Length value, if sent.
absl::StatusOr<HttpResponse> KsInfer(const ServedModel& served, std::string_view body,
                                     const std::optional<std::string>& header_length, const ServeOptions& options);

}  // namespace kgate::serve
