#include "serve/kserve_api.h"

#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "io/json/json_writer.h"
#include "serve/json_tensor.h"
#include "util/strings.h"
#include "util/version.h"

namespace kgate::serve {
namespace {

using io::json::Value;

void WriteTensorMetadata(io::json::Writer* w, const std::string& name, util::DType dtype, const graph::Dims& shape) {
  w->BeginObject().Key("name").String(name);
  w->Key("datatype").String(KServeDatatype(engine::StorageType(dtype))).Key("shape").BeginArray();
  for (int64_t d : shape) w->Int(d);
  w->EndArray().EndObject();
}

std::optional<bool> BoolParameter(const Value& holder, std::string_view key) {
  const Value* params = holder.Find("parameters");
  const Value* v = params != nullptr ? params->Find(key) : nullptr;
  if (v == nullptr || !v->is_bool()) return std::nullopt;
  return v->bool_value();
}

// Splits the body into the JSON header and the binary part.
absl::Status SplitBody(std::string_view body, const std::optional<std::string>& header_length,
                       std::string_view* json, std::string_view* binary) {
  *json = body;
  *binary = {};
  if (!header_length) return absl::OkStatus();
  uint64_t n = 0;
  if (header_length->empty() || header_length->size() > 19 ||
      header_length->find_first_not_of("0123456789") != std::string::npos || !absl::SimpleAtoi(*header_length, &n) ||
      n > body.size()) {
    return absl::InvalidArgumentError(util::StrCat("Inference-Header-Content-Length is '", *header_length,
                                                   "'; expected a byte count of at most the body size ", body.size()));
  }
  *json = body.substr(0, n);
  *binary = body.substr(n);
  return absl::OkStatus();
}

absl::Status Field(std::string_view where, std::string_view what) {
  return absl::InvalidArgumentError(util::StrCat(where, ": ", what));
}

// Decodes one element of "inputs"; `binary` is consumed from the front.
absl::Status DecodeInput(const Value& v, size_t i, std::string_view* binary, RequestInput* in,
                         schema::Violations* violations) {
  const std::string where = util::StrCat("inputs[", i, "]");
  if (!v.is_object()) return Field(where, "must be an object");
  const Value* name = v.Find("name");
  const Value* shape = v.Find("shape");
  const Value* datatype = v.Find("datatype");
  if (name == nullptr || !name->is_string()) return Field(where, "needs \"name\" (a string)");
  in->name = name->string();
  if (shape == nullptr || !shape->is_array()) return Field(where, "needs \"shape\" (a list of sizes)");
  for (const Value& d : shape->array()) {
    if (!d.is_number() || !d.number().integer || *d.number().integer < 0) {
      return Field(where, "\"shape\" must list non-negative integers");
    }
    in->shape.push_back(*d.number().integer);
  }
  if (datatype == nullptr || !datatype->is_string()) return Field(where, "needs \"datatype\" (\"FP32\", ...)");
  in->declared = ParseKServeDatatype(datatype->string());
  if (!in->declared) return Field(where, util::StrCat("unknown datatype '", datatype->string(), "'"));
  const Value* params = v.Find("parameters");
  const Value* size = params != nullptr ? params->Find("binary_data_size") : nullptr;
  const Value* data = v.Find("data");
  if (size != nullptr) {
    if (data != nullptr) return Field(where, "has both \"data\" and parameters.binary_data_size");
    if (!size->is_number() || !size->number().integer || *size->number().integer < 0) {
      return Field(where, "parameters.binary_data_size must be a non-negative integer");
    }
    const uint64_t n = static_cast<uint64_t>(*size->number().integer);
    if (n > binary->size()) {
      return Field(where, util::StrCat("parameters.binary_data_size is ", n, " but only ", binary->size(),
                                       " bytes of binary data are left after the JSON header"));
    }
    in->raw = binary->substr(0, n);
    binary->remove_prefix(n);
    return absl::OkStatus();
  }
  if (data == nullptr) return Field(where, "needs \"data\" or parameters.binary_data_size");
  // "data" is flat or nested; either way its elements must fill the shape.
  RequestInput walked;
  walked.name = in->name;
  if (!FlattenValue(*data, &walked, violations)) return absl::OkStatus();
  const bool flat_ok = walked.shape.size() == 1 &&
                       walked.shape[0] == graph::NumElements(in->shape) && graph::NumElements(in->shape) >= 0;
  if (walked.shape != in->shape && !flat_ok) {
    violations->Add(schema::Violation{in->name, {}, "shape", util::StrCat("data that fills the declared shape ",
                                                                  graph::ShapeString(in->shape)),
                              util::StrCat("data of shape ", graph::ShapeString(walked.shape))});
    return absl::OkStatus();
  }
  in->json_values = std::move(walked.json_values);
  return absl::OkStatus();
}

struct RequestedOutput {
  size_t index;  // in the model's outputs
  bool binary;
};

absl::StatusOr<std::vector<RequestedOutput>> RequestedOutputs(const ServedModel& served, const Value& request) {
  const std::vector<std::string>& names = served.model->output_names();
  const bool binary_default = BoolParameter(request, "binary_data_output").value_or(false);
  std::vector<RequestedOutput> out;
  const Value* outputs = request.Find("outputs");
  if (outputs == nullptr) {
    for (size_t i = 0; i < names.size(); ++i) out.push_back({i, binary_default});
    return out;
  }
  if (!outputs->is_array()) return absl::InvalidArgumentError("\"outputs\" must be a list");
  for (size_t k = 0; k < outputs->array().size(); ++k) {
    const Value& o = outputs->array()[k];
    const Value* name = o.Find("name");
    if (name == nullptr || !name->is_string()) {
      return absl::InvalidArgumentError(util::StrCat("outputs[", k, "] needs \"name\""));
    }
    size_t i = 0;
    while (i < names.size() && names[i] != name->string()) ++i;
    if (i == names.size()) {
      return absl::InvalidArgumentError(util::StrCat("outputs[", k, "]: unknown output '", name->string(),
                                                     "'; the model's outputs are ", util::StrJoin(names, ", ")));
    }
    out.push_back({i, BoolParameter(o, "binary_data").value_or(binary_default)});
  }
  return out;
}

}  // namespace

HttpResponse KsServerMetadata() {
  io::json::Writer w;
  w.BeginObject().Key("name").String("kgate").Key("version").String(util::kKgateVersion);
  w.Key("extensions").BeginArray().String("binary_tensor_data").EndArray().EndObject();
  return JsonResponse(w.Take());
}

HttpResponse KsModelMetadata(const ModelRepository& repo, const ServedModel& served) {
  const engine::Model& model = *served.model;
  io::json::Writer w;
  w.BeginObject().Key("name").String(served.name).Key("versions").BeginArray();
  for (int64_t v : repo.Versions(served.name)) w.String(std::to_string(v));
  w.EndArray().Key("platform").String("kgate_keras").Key("inputs").BeginArray();
  for (const NamedSpec& t : NamedInputs(model)) WriteTensorMetadata(&w, t.name, t.spec.dtype, t.spec.shape);
  w.EndArray().Key("outputs").BeginArray();
  for (const NamedSpec& t : NamedOutputs(model)) WriteTensorMetadata(&w, t.name, t.spec.dtype, t.spec.shape);
  w.EndArray().EndObject();
  return JsonResponse(w.Take());
}

absl::StatusOr<HttpResponse> KsInfer(const ServedModel& served, std::string_view body,
                                     const std::optional<std::string>& header_length, const ServeOptions& options) {
  std::string_view json_text;
  std::string_view binary;
  absl::Status split = SplitBody(body, header_length, &json_text, &binary);
  if (!split.ok()) return split;
  absl::StatusOr<Value> request = ParseJsonBody(json_text, options);
  if (!request.ok()) return request.status();
  if (!request->is_object()) return absl::InvalidArgumentError("the inference request must be a JSON object");
  const Value* inputs_json = request->Find("inputs");
  if (inputs_json == nullptr || !inputs_json->is_array()) {
    return absl::InvalidArgumentError("the inference request needs \"inputs\" (a list)");
  }
  const Value* id = request->Find("id");
  if (id != nullptr && !id->is_string()) return absl::InvalidArgumentError("\"id\" must be a string");
  absl::StatusOr<std::vector<RequestedOutput>> requested = RequestedOutputs(served, *request);
  if (!requested.ok()) return requested.status();

  std::vector<RequestInput> inputs(inputs_json->array().size());
  schema::Violations violations(options.validation.max_violations);
  for (size_t i = 0; i < inputs.size(); ++i) {
    absl::Status s = DecodeInput(inputs_json->array()[i], i, &binary, &inputs[i], &violations);
    if (!s.ok()) return s;
  }
  if (!binary.empty()) {
    return absl::InvalidArgumentError(util::StrCat(binary.size(), " bytes of binary data follow the inputs; ",
                                                   "their binary_data_size values must add up to the binary part"));
  }
  if (!violations.empty()) return violations.ToStatus();
  absl::StatusOr<InferenceResult> result = RunInference(served, inputs, options);
  if (!result.ok()) return result.status();
  const std::vector<engine::HostTensor>& outputs = result->outputs;

  const std::vector<std::string>& names = served.model->output_names();
  io::json::Writer w;
  std::string binary_out;
  bool any_binary = false;
  w.BeginObject().Key("model_name").String(served.name).Key("model_version").String(std::to_string(served.version));
  if (id != nullptr) w.Key("id").String(id->string());
  if (AnyFlagged(result->flags)) {
    // Open Inference Protocol parameters hold scalars: the flags as the header spells them.
    w.Key("parameters").BeginObject().Key("kgate_flags").String(FlagsHeaderValue(result->flags)).EndObject();
  }
  w.Key("outputs").BeginArray();
  for (const RequestedOutput& r : *requested) {
    const engine::HostTensor& t = outputs[r.index];
    w.BeginObject().Key("name").String(names[r.index]).Key("datatype").String(KServeDatatype(t.dtype));
    w.Key("shape").BeginArray();
    for (int64_t d : t.shape) w.Int(d);
    w.EndArray();
    if (r.binary) {
      any_binary = true;
      const int64_t bytes = t.view().num_bytes();
      w.Key("parameters").BeginObject().Key("binary_data_size").Int(bytes).EndObject();
      binary_out.append(static_cast<const char*>(t.buffer.data()), static_cast<size_t>(bytes));
    } else {
      w.Key("data");
      absl::Status s = WriteFlat(t, names[r.index], &w);
      if (!s.ok()) return s;
    }
    w.EndObject();
  }
  w.EndArray().EndObject();
  HttpResponse response;
  response.body = w.Take();
  AddFlagsHeader(result->flags, &response);
  if (any_binary) {
    response.headers.emplace_back("Inference-Header-Content-Length", std::to_string(response.body.size()));
    response.content_type = "application/octet-stream";
    response.body += binary_out;
  }
  return response;
}

}  // namespace kgate::serve
