// File: input_constraints.h
// The value checks of the validate-input stage, the ones kgate.yaml's
// `inputs:` section adds (schema/input_spec.h): each element against the
// input's range and its feature's range along the last axis, allowed
// values, and, for string inputs, length and UTF-8. They run on tensors
// that already passed the structural checks (input_validation.h) and add
// one Violation per broken element, with its index, until the list is full.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "engine/tensor.h"
#include "schema/violations.h"
#include "serve/input_schema.h"

namespace kgate::serve {

// A flat row-major element index as the tensor's coordinates.
std::vector<int64_t> UnravelIndex(int64_t flat, const graph::Dims& shape);

// Range, feature-range and allowed-value rules of `rule` on `t` (float32,
// int32 or bool, as the rule's dtype). NaN has no order: it passes ranges,
// and the finite rule (on unless `finite: false`) decides about it.
void CheckValueRules(const InputRule& rule, const engine::HostTensor& t, schema::Violations* violations);

// Length and UTF-8 rules of a string input on its values (row-major, shape
// `shape`).
void CheckStringRules(const InputRule& rule, const std::vector<std::string_view>& values, const graph::Dims& shape,
                      schema::Violations* violations);

// The `max_batch` rule on a request's batch size, checked before any tensor
// is built (the cap also bounds its memory): false after adding the
// violation.
bool CheckMaxBatch(const InputRule& rule, int64_t batch, schema::Violations* violations);

// True when `rule` carries any rule CheckValueRules enforces.
bool HasValueRules(const InputRule& rule);

}  // namespace kgate::serve
