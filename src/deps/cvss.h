// File: cvss.h
// CVSS base scores computed from vector strings, exactly as the standards'
// reference calculators do: v3.0 and v3.1 with their own Roundup functions
// (FIRST CVSS v3.1 specification, section 7 and Appendix A), and v4.0 by the
// MacroVector method (CVSS v4.0 specification, section 8) with FIRST's
// published MacroVector table (cvss4_tables.inc). Vectors are parsed
// strictly: the version prefix, every mandatory base metric exactly once,
// known metrics and values only; anything else is an error naming the
// vector and the offending part.
#pragma once

#include <string_view>

#include "absl/status/statusor.h"

namespace kgate::deps {

// "CVSS:3.0/..." or "CVSS:3.1/...": the base score (temporal and
// environmental metrics are validated, not applied).
absl::StatusOr<double> CvssV3BaseScore(std::string_view vector);

// "CVSS:4.0/...": the score FIRST's v4.0 calculator gives for the vector
// (CVSS-B for base metrics only; threat/environmental metrics apply when
// present, as in the calculator).
absl::StatusOr<double> CvssV4Score(std::string_view vector);

}  // namespace kgate::deps
