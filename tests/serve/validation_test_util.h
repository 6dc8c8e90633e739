// Helpers shared by the input validation tests: JSON request tensors that
// stay alive while RequestInputs point into them, and the "input:rule" list
// of a refusal's violations.
#pragma once

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "gtest/gtest.h"
#include "io/json/json.h"
#include "schema/violations.h"
#include "serve/input_schema.h"
#include "serve/json_tensor.h"

namespace kgate::serve::testing {

// Holds parsed JSON alive for the RequestInputs that point into it.
struct JsonRequest {
  std::vector<io::json::Value> docs;
  std::vector<RequestInput> inputs;

  void Add(const std::string& name, const std::string& json) {
    docs.reserve(8);
    absl::StatusOr<io::json::Value> v = io::json::Parse(json);
    ASSERT_TRUE(v.ok()) << v.status();
    docs.push_back(*std::move(v));
    RequestInput in;
    in.name = name;
    schema::Violations ignored;
    ASSERT_TRUE(FlattenValue(docs.back(), &in, &ignored)) << json;
    inputs.push_back(std::move(in));
  }
};

inline std::vector<std::string> Rules(const absl::Status& s) {
  std::vector<std::string> rules;
  auto payload = s.GetPayload(schema::kViolationsPayloadUrl);
  if (!payload) return rules;
  absl::StatusOr<io::json::Value> v = io::json::Parse(std::string(*payload));
  for (const io::json::Value& x : v->Find("violations")->array()) {
    rules.push_back(x.Find("input")->string() + ":" + x.Find("rule")->string());
  }
  return rules;
}

}  // namespace kgate::serve::testing
