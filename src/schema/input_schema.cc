#include "schema/input_schema.h"

#include <utility>

#include "util/strings.h"

namespace kgate::schema {

absl::StatusOr<InputSchema> DeriveInputSchema(const std::vector<std::string>& names,
                                              const std::vector<graph::TensorSpec>& specs,
                                              const std::vector<util::DType>& storage_dtypes) {
  if (names.size() != specs.size() || specs.size() != storage_dtypes.size()) {
    return absl::InternalError(util::StrCat("input schema: ", names.size(), " names, ", specs.size(), " specs and ",
                                            storage_dtypes.size(), " dtypes"));
  }
  InputSchema schema;
  for (size_t i = 0; i < specs.size(); ++i) {
    if (storage_dtypes[i] == util::DType::kString) {
      return absl::UnimplementedError(
          util::StrCat("input '", names[i], "' has dtype string, which serving does not carry yet"));
    }
    if (specs[i].shape.empty()) {
      return absl::UnimplementedError(util::StrCat("input '", names[i], "' has no batch dimension, which serving needs"));
    }
    InputRule rule;
    rule.name = names[i];
    rule.dtype = storage_dtypes[i];
    rule.shape = specs[i].shape;
    schema.inputs.push_back(std::move(rule));
  }
  return schema;
}

}  // namespace kgate::schema
