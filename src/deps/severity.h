// File: severity.h
// The severity of an OSV record: the CVSS base score computed from its
// newest CVSS vector (v4.0 over v3.x; v2 is not scored) and the qualitative
// rating of that score (CVSS v3.1/v4.0: none 0, low 0.1-3.9, medium 4.0-6.9,
// high 7.0-8.9, critical 9.0-10.0). Records without a usable vector are
// "unknown", never guessed.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "deps/osv.h"

namespace kgate::deps {

enum class Severity { kUnknown, kNone, kLow, kMedium, kHigh, kCritical };

std::string_view SeverityName(Severity s);
// "low", "medium", "high", "critical" (also "moderate" for medium); nullopt otherwise.
std::optional<Severity> ParseSeverity(std::string_view name);
Severity SeverityForScore(double score);

struct RecordSeverity {
  Severity level = Severity::kUnknown;
  std::optional<double> score;
  std::string vector;  // the vector that was scored
  std::string error;   // why a present vector could not be scored
};

RecordSeverity SeverityOf(const OsvRecord& record);

}  // namespace kgate::deps
