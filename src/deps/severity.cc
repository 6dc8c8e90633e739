#include "deps/severity.h"

#include "deps/cvss.h"
#include "util/strings.h"

namespace kgate::deps {

std::string_view SeverityName(Severity s) {
  switch (s) {
    case Severity::kUnknown: return "unknown";
    case Severity::kNone: return "none";
    case Severity::kLow: return "low";
    case Severity::kMedium: return "medium";
    case Severity::kHigh: return "high";
    case Severity::kCritical: return "critical";
  }
  return "unknown";
}

std::optional<Severity> ParseSeverity(std::string_view name) {
  if (name == "low") return Severity::kLow;
  if (name == "medium" || name == "moderate") return Severity::kMedium;
  if (name == "high") return Severity::kHigh;
  if (name == "critical") return Severity::kCritical;
  return std::nullopt;
}

Severity SeverityForScore(double score) {
  if (score >= 9.0) return Severity::kCritical;
  if (score >= 7.0) return Severity::kHigh;
  if (score >= 4.0) return Severity::kMedium;
  if (score >= 0.1) return Severity::kLow;
  return Severity::kNone;
}

RecordSeverity SeverityOf(const OsvRecord& record) {
  RecordSeverity out;
  const OsvSeverity* chosen = nullptr;
  for (const OsvSeverity& s : record.severity) {
    if (s.type == "CVSS_V4") {
      chosen = &s;
      break;
    }
    if (s.type == "CVSS_V3" && chosen == nullptr) chosen = &s;
  }
  if (chosen == nullptr) return out;
  out.vector = chosen->score;
  absl::StatusOr<double> score = chosen->type == "CVSS_V4" ? CvssV4Score(chosen->score) : CvssV3BaseScore(chosen->score);
  if (!score.ok()) {
    out.error = util::StrCat(record.id, ": ", util::ToStd(score.status().message()));
    return out;
  }
  out.score = *score;
  out.level = SeverityForScore(*score);
  return out;
}

}  // namespace kgate::deps
