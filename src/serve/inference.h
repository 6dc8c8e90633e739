// File: inference.h
// The stages both protocols share after decoding: parse a request body with
// the strict JSON reader under the server's caps, validate the decoded inputs
// against the model's schema, run the model under the request deadline, and
// check its outputs against the model's output spec. A request that fails
// input validation never reaches the model; one whose output is refused
// never sees it.
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
#include "serve/output_validation.h"

namespace kgate::observe {
class AuditLog;
}  // namespace kgate::observe

namespace kgate::serve {

struct ServeMetrics;

struct ServeOptions {
  absl::Duration request_timeout = absl::Seconds(30);  // inference deadline, from when the body is read
  ValidationOptions validation;
  io::json::Limits json_limits;  // depth (<= 128), string, element caps for request bodies
  // Where requests are counted (and whose registry GET /metrics serves) and
  // refusals audited; null turns each off. Both outlive the router.
  ServeMetrics* metrics = nullptr;
  observe::AuditLog* audit_log = nullptr;
  OutputEventSink output_events;  // told of every broken output rule, besides the metrics; may be empty
};

// What inference hands the protocol encoders: the outputs in the model's
// output order and the output rules flagged on them.
struct InferenceResult {
  std::vector<engine::HostTensor> outputs;
  std::vector<OutputFlag> flags;  // broken `flag` rules (for the reply) and `log` rules (for the audit log)
};

// The body as JSON; INVALID_ARGUMENT "request body is not valid JSON: ..." otherwise.
absl::StatusOr<io::json::Value> ParseJsonBody(std::string_view body, const ServeOptions& options);

// Validate the inputs, predict, then validate the outputs.
absl::StatusOr<InferenceResult> RunInference(const ServedModel& served,
                                                             const std::vector<RequestInput>& inputs,
                                                             const ServeOptions& options);

}  // namespace kgate::serve
