// File: input_validation.h
// The validate-input stage of the request pipeline: checks a decoded request
// against the model's InputSchema and, only if every check passes, builds
// the engine's input tensors. It refuses, never coerces: missing, unknown or
// repeated inputs, a declared dtype other than the schema's, a rank or a
// fixed dimension that differs, inputs whose batch sizes differ, a JSON value
// of the wrong kind, an integer that does not fit int32 or a number written
// with a fraction for an integer input, a number beyond float32's range,
// NaN/Inf (unless the schema allows them), bool bytes other than 0/1, a
// binary buffer whose size does not match its shape, a batch over the
// input's max_batch; then the value rules kgate.yaml adds (ranges, feature
// ranges, allowed values: input_constraints.h). Every violation is reported
// (up to the cap), not just the first.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "engine/tensor.h"
#include "serve/input_schema.h"
#include "schema/violations.h"

namespace kgate::serve {

struct ValidationOptions {
  size_t max_violations = 64;
};

// Tensors in the schema's (the model's) input order, or INVALID_ARGUMENT with
// the violation list as payload (see violations.h).
absl::StatusOr<std::vector<engine::HostTensor>> ValidateInputs(const InputSchema& schema,
                                                               const std::vector<RequestInput>& inputs,
                                                               const ValidationOptions& options = {});

// "[-1, 28, 28, 1]": a shape as violations spell it (-1 for a free dimension).
std::string ShapeText(const graph::Dims& dims);

// "FP32", "INT64", ... (KServe datatype names) for a dtype, and back.
std::string_view KServeDatatype(util::DType t);
std::optional<util::DType> ParseKServeDatatype(std::string_view name);

}  // namespace kgate::serve
