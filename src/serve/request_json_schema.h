// File: request_json_schema.h
// GET /v1/models/{m}[/versions/{v}]/schema: the model's effective input
// schema (derived from the model, tightened by kgate.yaml `inputs:` and
// `limits:`) as a JSON Schema (draft 2020-12) for a TF Serving predict
// request body, so a client can check a request before sending it. It
// covers both body forms ("instances" rows and "inputs" columns), each
// input's nested shape, element types and ranges (per feature along the
// last axis with prefixItems), allowed values (as enum) and the batch cap.
// What JSON Schema cannot say, the server still checks: that all inputs
// share one batch size, and that an int32 value is written without a
// fraction (JSON Schema's "integer" admits 1.0; kgate refuses it).
#pragma once

#include <string>

#include "serve/model_repository.h"

namespace kgate::serve {

// The schema document as compact JSON text.
std::string TfsRequestJsonSchema(const ServedModel& served);

}  // namespace kgate::serve
