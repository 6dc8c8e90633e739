// File: serve_metrics.h
// The server's metrics, registered once at startup in the registry whose
// page GET /metrics serves. Label values are bounded by construction:
// protocol is one of a fixed few, code an HTTP status, rule a rule name from
// validation or a refusal category, and model only a name the repository
// loaded ("" when a request matched none), so a client cannot mint series;
// the registry's per-family cap backs that up.
#pragma once

#include <memory>

#include "absl/status/statusor.h"
#include "observe/registry.h"

namespace kgate::serve {

struct ServeMetrics {
  // Registers every family in `registry` (which must outlive the result).
  static absl::StatusOr<std::unique_ptr<ServeMetrics>> Register(observe::Registry& registry);

  observe::Registry* registry = nullptr;
  observe::CounterFamily* requests = nullptr;             // kgate_requests_total{protocol,model,code}
  observe::HistogramFamily* request_duration = nullptr;   // kgate_request_duration_seconds{protocol}
  observe::HistogramFamily* inference_duration = nullptr; // kgate_inference_duration_seconds{model}
  observe::CounterFamily* input_refusals = nullptr;       // kgate_input_refusals_total{model,rule}
  observe::CounterFamily* output_rule_breaks = nullptr;   // kgate_output_rule_breaks_total{model,rule,action}
  observe::HistogramFamily* body_bytes = nullptr;         // kgate_request_body_bytes{protocol}
  observe::CounterFamily* model_refusals = nullptr;       // kgate_model_refusals_total{model,reason}
  observe::Gauge* in_flight = nullptr;                    // kgate_requests_in_flight
  observe::Gauge* models_loaded = nullptr;                // kgate_models_loaded
};

}  // namespace kgate::serve
