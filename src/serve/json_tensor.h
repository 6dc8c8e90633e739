// File: json_tensor.h
// Tensors to and from JSON lists, shared by both REST protocols. Reading
// flattens nested lists into row-major scalars and their shape, refusing
// ragged or mixed nesting with a violation that names the element index
// (nothing is padded or guessed). Writing emits an engine output tensor as a
// flat or nested list; float32 values use the shortest text that reads back
// as the same float32, and a non-finite value, which JSON cannot carry, is an
// INTERNAL error rather than a silent null.
#pragma once

#include <cstdint>
#include <span>
#include <string>

#include "absl/status/status.h"
#include "engine/tensor.h"
#include "io/json/json.h"
#include "io/json/json_writer.h"
#include "serve/input_schema.h"
#include "schema/violations.h"

namespace kgate::serve {

// Flattens the nested lists under `rows` (the first dimension: one value per
// row) into out->json_values and out->shape. Returns false after adding a
// "ragged" violation for `out->name` when the nesting is not rectangular.
bool FlattenRows(std::span<const io::json::Value* const> rows, RequestInput* out, schema::Violations* violations);

// Same for one value that is itself the whole tensor (a list, or a scalar
// for shape []).
bool FlattenValue(const io::json::Value& value, RequestInput* out, schema::Violations* violations);

// Writes elements [offset, offset + prod(shape[axis:])) of `t` as nested
// lists following t.shape from `axis` on (a scalar when axis == rank).
absl::Status WriteNested(const engine::HostTensor& t, const std::string& name, size_t axis, int64_t offset,
                         io::json::Writer* w);

// Writes every element of `t` as one flat list.
absl::Status WriteFlat(const engine::HostTensor& t, const std::string& name, io::json::Writer* w);

}  // namespace kgate::serve
