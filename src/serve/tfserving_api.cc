#include "serve/tfserving_api.h"

#include <string>
#include <vector>

#include "io/json/json_writer.h"
#include "serve/image_input.h"
#include "serve/json_tensor.h"
#include "util/strings.h"

namespace kgate::serve {
namespace {

using io::json::Value;

std::string_view TfDtypeName(util::DType t) {
  switch (t) {
    case util::DType::kFloat32: return "DT_FLOAT";
    case util::DType::kInt32: return "DT_INT32";
    case util::DType::kBool: return "DT_BOOL";
    default: return "DT_INVALID";
  }
}

void WriteTensorInfo(io::json::Writer* w, const std::string& name, util::DType dtype, const graph::Dims& shape) {
  w->Key(name).BeginObject().Key("dtype").String(TfDtypeName(engine::StorageType(dtype)));
  w->Key("tensor_shape").BeginObject().Key("dim").BeginArray();
  for (int64_t d : shape) {
    w->BeginObject().Key("size").String(std::to_string(d)).Key("name").String("").EndObject();
  }
  w->EndArray().Key("unknown_rank").Bool(false).EndObject();
  w->Key("name").String(name).EndObject();
}

// Decodes "instances" into one RequestInput per named input.
absl::Status DecodeInstances(const ServedModel& served, const Value& instances, std::vector<RequestInput>* out,
                             schema::Violations* violations) {
  if (!instances.is_array() || instances.array().empty()) {
    return absl::InvalidArgumentError("\"instances\" must be a non-empty list, one item per example");
  }
  const io::json::Array& items = instances.array();
  // {"b64": "..."} is one value (an encoded image), not an object naming inputs.
  auto names_inputs = [](const Value& item) { return item.is_object() && !IsB64Value(item); };
  const bool named = names_inputs(items[0]);
  for (size_t i = 0; i < items.size(); ++i) {
    if (names_inputs(items[i]) != named) {
      return absl::InvalidArgumentError(util::StrCat(
          "\"instances\" mixes objects and bare values: item 0 is ", named ? "an object" : "not an object",
          ", item ", i, " is ", named ? "not" : "an object"));
    }
  }
  if (!named) {
    if (served.schema.inputs.size() != 1) {
      return absl::InvalidArgumentError(util::StrCat("the model has ", served.schema.inputs.size(),
                                                     " inputs; give each instance as an object {input name: value}"));
    }
    std::vector<const Value*> rows;
    for (const Value& item : items) rows.push_back(&item);
    RequestInput& in = out->emplace_back();
    in.name = served.schema.inputs[0].name;
    FlattenRows(rows, &in, violations);
    return absl::OkStatus();
  }
  // Every instance must name the same inputs as the first one.
  const io::json::Object& first = items[0].object();
  for (size_t i = 1; i < items.size(); ++i) {
    const io::json::Object& obj = items[i].object();
    bool same = obj.size() == first.size();
    for (size_t k = 0; same && k < first.size(); ++k) same = items[i].Find(first[k].first) != nullptr;
    if (!same) {
      return absl::InvalidArgumentError(
          util::StrCat("instance ", i, " names different inputs than instance 0; every instance needs the same ones"));
    }
  }
  for (const io::json::Member& m : first) {
    std::vector<const Value*> rows;
    for (const Value& item : items) rows.push_back(item.Find(m.first));
    RequestInput& in = out->emplace_back();
    in.name = m.first;
    FlattenRows(rows, &in, violations);
  }
  return absl::OkStatus();
}

absl::Status DecodeColumns(const ServedModel& served, const Value& inputs, std::vector<RequestInput>* out,
                           schema::Violations* violations) {
  if (inputs.is_object()) {
    for (const io::json::Member& m : inputs.object()) {
      RequestInput& in = out->emplace_back();
      in.name = m.first;
      FlattenValue(m.second, &in, violations);
    }
    return absl::OkStatus();
  }
  if (served.schema.inputs.size() != 1) {
    return absl::InvalidArgumentError(util::StrCat("the model has ", served.schema.inputs.size(),
                                                   " inputs; give \"inputs\" as an object {input name: tensor}"));
  }
  RequestInput& in = out->emplace_back();
  in.name = served.schema.inputs[0].name;
  FlattenValue(inputs, &in, violations);
  return absl::OkStatus();
}

absl::Status WritePredictions(const ServedModel& served, const std::vector<engine::HostTensor>& outputs,
                              io::json::Writer* w) {
  const std::vector<std::string>& names = served.model->output_names();
  const int64_t batch = outputs.empty() || outputs[0].shape.empty() ? 0 : outputs[0].shape[0];
  w->Key("predictions").BeginArray();
  for (int64_t row = 0; row < batch; ++row) {
    if (outputs.size() > 1) w->BeginObject();
    for (size_t o = 0; o < outputs.size(); ++o) {
      const engine::HostTensor& t = outputs[o];
      if (t.shape.empty() || t.shape[0] != batch) {
        return absl::InternalError(util::StrCat("output '", names[o], "' does not have the batch dimension"));
      }
      if (outputs.size() > 1) w->Key(names[o]);
      absl::Status s = WriteNested(t, names[o], 1, row * (t.view().num_elements() / batch), w);
      if (!s.ok()) return s;
    }
    if (outputs.size() > 1) w->EndObject();
  }
  w->EndArray();
  return absl::OkStatus();
}

absl::Status WriteOutputs(const ServedModel& served, const std::vector<engine::HostTensor>& outputs,
                          io::json::Writer* w) {
  const std::vector<std::string>& names = served.model->output_names();
  w->Key("outputs");
  if (outputs.size() == 1) return WriteNested(outputs[0], names[0], 0, 0, w);
  w->BeginObject();
  for (size_t o = 0; o < outputs.size(); ++o) {
    w->Key(names[o]);
    absl::Status s = WriteNested(outputs[o], names[o], 0, 0, w);
    if (!s.ok()) return s;
  }
  w->EndObject();
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<HttpResponse> TfsModelStatus(const ModelRepository& repo, std::string_view name,
                                            std::optional<int64_t> version) {
  std::vector<int64_t> versions;
  if (version) {
    absl::StatusOr<const ServedModel*> served = repo.Find(name, version);
    if (!served.ok()) return served.status();
    versions.push_back(*version);
  } else {
    versions = repo.Versions(name);
    if (versions.empty()) return repo.Find(name, std::nullopt).status();
  }
  io::json::Writer w;
  w.BeginObject().Key("model_version_status").BeginArray();
  for (auto it = versions.rbegin(); it != versions.rend(); ++it) {
    w.BeginObject().Key("version").String(std::to_string(*it)).Key("state").String("AVAILABLE");
    w.Key("status").BeginObject().Key("error_code").String("OK").Key("error_message").String("").EndObject();
    w.EndObject();
  }
  w.EndArray().EndObject();
  return JsonResponse(w.Take());
}

HttpResponse TfsModelMetadata(const ServedModel& served) {
  const engine::Model& model = *served.model;
  io::json::Writer w;
  w.BeginObject().Key("model_spec").BeginObject().Key("name").String(served.name);
  w.Key("signature_name").String("").Key("version").String(std::to_string(served.version)).EndObject();
  w.Key("metadata").BeginObject().Key("signature_def").BeginObject().Key("signature_def").BeginObject();
  w.Key("serving_default").BeginObject().Key("inputs").BeginObject();
  for (const NamedSpec& t : NamedInputs(model)) WriteTensorInfo(&w, t.name, t.spec.dtype, t.spec.shape);
  w.EndObject().Key("outputs").BeginObject();
  for (const NamedSpec& t : NamedOutputs(model)) WriteTensorInfo(&w, t.name, t.spec.dtype, t.spec.shape);
  w.EndObject().Key("method_name").String("tensorflow/serving/predict").EndObject();
  w.EndObject().EndObject().EndObject().EndObject();
  return JsonResponse(w.Take());
}

absl::StatusOr<HttpResponse> TfsPredict(const ServedModel& served, std::string_view body,
                                        const ServeOptions& options) {
  absl::StatusOr<Value> request = ParseJsonBody(body, options);
  if (!request.ok()) return request.status();
  if (!request->is_object()) return absl::InvalidArgumentError("the request body must be a JSON object");
  for (const io::json::Member& m : request->object()) {
    if (m.first == "signature_name") {
      if (!m.second.is_string() || (m.second.string() != "serving_default" && !m.second.string().empty())) {
        return absl::InvalidArgumentError("\"signature_name\" must be \"serving_default\", the only signature");
      }
    } else if (m.first != "instances" && m.first != "inputs") {
      return absl::InvalidArgumentError(util::StrCat("unknown request field '", m.first,
                                                     "'; expected \"instances\" or \"inputs\" (and \"signature_name\")"));
    }
  }
  const Value* instances = request->Find("instances");
  const Value* columns = request->Find("inputs");
  if ((instances == nullptr) == (columns == nullptr)) {
    return absl::InvalidArgumentError("give exactly one of \"instances\" (row form) or \"inputs\" (columnar form)");
  }
  std::vector<RequestInput> inputs;
  schema::Violations violations(options.validation.max_violations);
  absl::Status decoded = instances != nullptr ? DecodeInstances(served, *instances, &inputs, &violations)
                                              : DecodeColumns(served, *columns, &inputs, &violations);
  if (!decoded.ok()) return decoded;
  if (!violations.empty()) return violations.ToStatus();
  absl::StatusOr<InferenceResult> result = RunInference(served, inputs, options);
  if (!result.ok()) return result.status();
  io::json::Writer w;
  w.BeginObject();
  absl::Status written = instances != nullptr ? WritePredictions(served, result->outputs, &w)
                                              : WriteOutputs(served, result->outputs, &w);
  if (!written.ok()) return written;
  if (AnyFlagged(result->flags)) {
    w.Key("kgate_flags");
    WriteFlags(result->flags, &w);
  }
  w.EndObject();
  HttpResponse response = JsonResponse(w.Take());
  AddFlagsHeader(result->flags, &response);
  return response;
}

}  // namespace kgate::serve
