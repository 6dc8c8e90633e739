// Helpers shared by the schema tests.
#pragma once

#include <string>
#include <utility>

#include "schema/input_schema.h"

namespace kgate::schema::testing {

// An input rule with only its name, wire dtype and shape set.
inline InputRule Rule(std::string name, util::DType dtype, graph::Dims shape) {
  InputRule r;
  r.name = std::move(name);
  r.dtype = dtype;
  r.shape = std::move(shape);
  return r;
}

}  // namespace kgate::schema::testing
