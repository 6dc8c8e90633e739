#include "serve/input_schema.h"

#include "engine/tensor.h"

namespace kgate::serve {

namespace {

std::vector<NamedSpec> Zip(const std::vector<std::string>& names, const std::vector<graph::TensorSpec>& specs) {
  std::vector<NamedSpec> out;
  for (size_t i = 0; i < specs.size() && i < names.size(); ++i) out.push_back(NamedSpec{names[i], specs[i]});
  return out;
}

}  // namespace

std::vector<NamedSpec> NamedInputs(const engine::Model& model) { return Zip(model.input_names(), model.input_specs()); }
std::vector<NamedSpec> NamedOutputs(const engine::Model& model) {
  return Zip(model.output_names(), model.output_specs());
}

absl::StatusOr<InputSchema> SchemaForModel(const engine::Model& model) {
  std::vector<util::DType> storage;
  for (const graph::TensorSpec& spec : model.input_specs()) storage.push_back(engine::StorageType(spec.dtype));
  return schema::DeriveInputSchema(model.input_names(), model.input_specs(), storage);
}

}  // namespace kgate::serve
