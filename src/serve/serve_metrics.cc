#include "serve/serve_metrics.h"

#include "util/status_macros.h"

namespace kgate::serve {
namespace {

// From 0.5 ms (a small MLP's whole request) to 30 s (the default deadline).
std::vector<double> LatencyBuckets() {
  return {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30};
}

}  // namespace

absl::StatusOr<std::unique_ptr<ServeMetrics>> ServeMetrics::Register(observe::Registry& registry) {
  auto m = std::make_unique<ServeMetrics>();
  m->registry = &registry;
  KGATE_ASSIGN_OR_RETURN(
      m->requests,
      registry.AddCounter("kgate_requests_total",
                          "HTTP requests answered, by protocol, model (empty when none matched) and status code.",
                          {"protocol", "model", "code"}));
  KGATE_ASSIGN_OR_RETURN(
      m->request_duration,
      registry.AddHistogram("kgate_request_duration_seconds",
                            "Time from a request's complete arrival to its reply being ready, by protocol.",
                            {"protocol"}, LatencyBuckets()));
  KGATE_ASSIGN_OR_RETURN(m->inference_duration,
                         registry.AddHistogram("kgate_inference_duration_seconds",
                                               "Time the engine spent predicting, by model.", {"model"},
                                               LatencyBuckets()));
  KGATE_ASSIGN_OR_RETURN(m->input_refusals,
                         registry.AddCounter("kgate_input_refusals_total",
                                             "Requests refused by input validation, by model and violated rule.",
                                             {"model", "rule"}));
  KGATE_ASSIGN_OR_RETURN(
      m->output_rule_breaks,
      registry.AddCounter("kgate_output_rule_breaks_total",
                          "Output spec rules broken by a model's outputs, by model, output:rule and action "
                          "(reject, flag, log).",
                          {"model", "rule", "action"}));
  KGATE_ASSIGN_OR_RETURN(
      m->body_bytes,
      registry.AddHistogram("kgate_request_body_bytes",
                            "Request body sizes as received (compressed when sent with gzip), by protocol.",
                            {"protocol"}, observe::ExponentialBuckets(256, 4, 11)));
  KGATE_ASSIGN_OR_RETURN(m->model_refusals,
                         registry.AddCounter("kgate_model_refusals_total",
                                             "Model versions refused at load or reload (the old version keeps "
                                             "serving), by model and reason (unsigned, files-differ, scan, ...).",
                                             {"model", "reason"}));
  KGATE_ASSIGN_OR_RETURN(observe::GaugeFamily * in_flight,
                         registry.AddGauge("kgate_requests_in_flight", "Requests being handled now.", {}));
  m->in_flight = &in_flight->With({});
  KGATE_ASSIGN_OR_RETURN(observe::GaugeFamily * models_loaded,
                         registry.AddGauge("kgate_models_loaded", "Model versions loaded and served.", {}));
  m->models_loaded = &models_loaded->With({});
  return m;
}

}  // namespace kgate::serve
