#include "serve/inference.h"

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
  absl::StatusOr<std::vector<engine::HostTensor>> tensors = ValidateInputs(served.schema, inputs, options.validation);
  if (!tensors.ok()) return tensors.status();
  std::vector<engine::Tensor> views;
  views.reserve(tensors->size());
  for (const engine::HostTensor& t : *tensors) views.push_back(t.view());
  engine::RunOptions run;
  run.deadline = absl::Now() + options.request_timeout;
  InferenceResult result;
  KGATE_ASSIGN_OR_RETURN(result.outputs, served.model->Predict(views, run));
  KGATE_ASSIGN_OR_RETURN(result.flags, ValidateOutputs(served, result.outputs, options.output_events));
  return result;
}

}  // namespace kgate::serve
