// File: json_fields.h
// Typed member access for the JSON documents a signature carries (the bundle
// and the in-toto statement), with errors that name the document, the JSON
// pointer of the field and what was expected: "signature bundle
// /dsseEnvelope/payload: missing; expected a string".
#pragma once

#include <string_view>

#include "absl/status/statusor.h"
#include "io/json/json.h"

namespace kgate::trust {

// kInvalidArgument "<document> <pointer>: <what>".
absl::Status FieldError(std::string_view document, std::string_view pointer, std::string_view what);

// The member `key` of `object` (found at `pointer`), which must exist and be
// of `kind`.
absl::StatusOr<const io::json::Value*> RequireMember(const io::json::Value& object, std::string_view document,
                                                     std::string_view pointer, std::string_view key,
                                                     io::json::Value::Kind kind);

}  // namespace kgate::trust
