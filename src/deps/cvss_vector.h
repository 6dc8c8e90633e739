// File: cvss_vector.h
// Splits a CVSS vector string ("CVSS:3.1/AV:N/AC:L/...") into its metrics
// and checks each against a table of allowed values; shared by the v3 and
// v4 scorers. Internal to src/deps.
#pragma once

#include <map>
#include <span>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace kgate::deps::cvss_internal {

struct MetricRule {
  std::string_view name;
  std::string_view values;  // allowed values, space-separated
  bool required;
};

// Parses `vector`, which must start with `prefix` (e.g. "CVSS:3.1/"), into
// metric -> value, enforcing `rules`.
absl::StatusOr<std::map<std::string, std::string, std::less<>>> ParseVector(
    std::string_view vector, std::string_view prefix, std::span<const MetricRule> rules);

}  // namespace kgate::deps::cvss_internal
