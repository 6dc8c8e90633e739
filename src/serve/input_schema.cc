#include "serve/input_schema.h"

#include "engine/tensor.h"
#include "util/strings.h"

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
  InputSchema schema;
  const std::vector<graph::TensorSpec> specs = model.input_specs();
  for (size_t i = 0; i < specs.size(); ++i) {
    const util::DType storage = engine::StorageType(specs[i].dtype);
    if (storage == util::DType::kString) {
      return absl::UnimplementedError(util::StrCat("input '", model.input_names()[i],
                                                   "' has dtype string, which serving does not carry yet"));
    }
    if (specs[i].shape.empty()) {
      return absl::UnimplementedError(util::StrCat("input '", model.input_names()[i],
                                                   "' has no batch dimension, which serving needs"));
    }
    schema.inputs.push_back(InputRule{model.input_names()[i], storage, specs[i].shape});
  }
  return schema;
}

}  // namespace kgate::serve
