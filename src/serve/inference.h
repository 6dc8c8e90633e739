// File: inference.h
// The stages both protocols share after decoding: parse a request body with
// the strict JSON reader under the server's caps, validate the decoded inputs
// against the model's schema, and run the model under the request deadline.
// A request that fails validation never reaches the model.
#pragma once

#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "engine/tensor.h"
#include "io/json/json.h"
#include "serve/input_schema.h"
#include "serve/input_validation.h"
#include "serve/model_repository.h"

namespace kgate::serve {

struct ServeOptions {
  absl::Duration request_timeout = absl::Seconds(30);  // inference deadline, from when the body is read
  ValidationOptions validation;
  io::json::Limits json_limits;  // depth (<= 128), string, element caps for request bodies
};

// The body as JSON; INVALID_ARGUMENT "request body is not valid JSON: ..." otherwise.
absl::StatusOr<io::json::Value> ParseJsonBody(std::string_view body, const ServeOptions& options);

// Validate, then predict; outputs in the model's output order.
absl::StatusOr<std::vector<engine::HostTensor>> RunInference(const ServedModel& served,
                                                             const std::vector<RequestInput>& inputs,
                                                             const ServeOptions& options);

}  // namespace kgate::serve
