#include "serve/inference.h"

#include <algorithm>

#include "serve/serve_metrics.h"
#include "util/status_macros.h"
#include "util/strings.h"

namespace kgate::serve {

absl::StatusOr<io::json::Value> ParseJsonBody(std::string_view body, const ServeOptions& options) {
  absl::StatusOr<io::json::Value> value = io::json::Parse(body, options.json_limits);
  if (!value.ok()) {
    return absl::InvalidArgumentError(util::StrCat("request body is not valid JSON: ", value.status().message()));
  }
  return value;
}

absl::StatusOr<InferenceResult> RunInference(const ServedModel& served,
                                                             const std::vector<RequestInput>& inputs,
                                                             const ServeOptions& options) {
  // kgate.yaml limits: a batch cap before any value is read, and a deadline
  // no longer than the server's (model_config.cc refuses a longer one).
  const ModelLimits& limits = served.config->limits;
  if (limits.max_batch.has_value()) {
    for (const RequestInput& input : inputs) {
      if (!input.shape.empty() && input.shape[0] > *limits.max_batch) {
        return absl::InvalidArgumentError(util::StrCat("input '", input.name, "': batch of ", input.shape[0],
                                                       " exceeds limits.max_batch ", *limits.max_batch,
                                                       " of model '", served.name, "'"));
      }
    }
  }
  absl::StatusOr<std::vector<engine::HostTensor>> tensors = ValidateInputs(served.schema, inputs, options.validation);
  if (!tensors.ok()) return tensors.status();
  std::vector<engine::Tensor> views;
  views.reserve(tensors->size());
  for (const engine::HostTensor& t : *tensors) views.push_back(t.view());
  engine::RunOptions run;
  const absl::Time start = absl::Now();
  run.deadline = start + std::min(options.request_timeout, limits.request_timeout.value_or(options.request_timeout));
  InferenceResult result;
  absl::StatusOr<std::vector<engine::HostTensor>> outputs = served.model->Predict(views, run);
  ServeMetrics* metrics = options.metrics;
  if (metrics != nullptr) {
    metrics->inference_duration->With({served.name}).Observe(absl::ToDoubleSeconds(absl::Now() - start));
  }
  if (!outputs.ok()) return outputs.status();
  result.outputs = *std::move(outputs);
  // The metrics count every broken output rule, whatever its action.
  const OutputEventSink sink = [&](const ServedModel& s, const OutputFlag& f) {
    if (metrics != nullptr) {
      metrics->output_rule_breaks->With({s.name, OutputFlagName(f), schema::OutputActionName(f.action)}).Increment();
    }
    if (options.output_events) options.output_events(s, f);
  };
  KGATE_ASSIGN_OR_RETURN(result.flags, ValidateOutputs(served, result.outputs, sink));
  return result;
}

}  // namespace kgate::serve
