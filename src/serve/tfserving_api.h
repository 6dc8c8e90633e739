// File: tfserving_api.h
// TF Serving REST v1 (tensorflow/serving api_rest.md): model status,
// metadata (a SignatureDef-like description of the model's inputs and
// outputs under "serving_default") and predict in the row ("instances") and
// columnar ("inputs") forms. With one input, instances and inputs may be the
// bare tensor; with several, each instance is an object keyed by input name
// and "inputs" is such an object. Replies: {"predictions": ...} (a list of
// rows; of objects keyed by output name when the model has several outputs)
// or {"outputs": ...} (the tensor, or an object keyed by output name).
#pragma once

#include <optional>

#include "absl/status/statusor.h"
#include "serve/http_types.h"
#include "serve/inference.h"
#include "serve/model_repository.h"

namespace kgate::serve {

absl::StatusOr<HttpResponse> TfsModelStatus(const ModelRepository& repo, std::string_view name,
                                            std::optional<int64_t> version);
HttpResponse TfsModelMetadata(const ServedModel& served);
absl::StatusOr<HttpResponse> TfsPredict(const ServedModel& served, std::string_view body,
                                        const ServeOptions& options);

}  // namespace kgate::serve
