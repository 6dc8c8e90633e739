// File: matcher.h
// The OSV evaluation algorithm (ossf/osv-schema, "Evaluation") for PyPI
// versions: a version is affected by an `affected` entry when it is listed
// in `versions` or lies in an ECOSYSTEM/SEMVER range. Events are sorted by
// PEP 440 order ("0" first, "*" last, `introduced` first among equal
// versions); `introduced` opens, `fixed` closes exclusively, `last_affected`
// inclusively, and `limit` caps the range. Withdrawn records never match.
// A local build (2.6.0+cu124) compares as its public release against events
// that have no local label, so `last_affected: 2.6.0` covers it.
// Each match says why (which range and events), which fixes lie above the
// version, and whether it relied on the leading-version reading of an event
// that is not PEP 440 (docs/audit.md).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "deps/osv_database.h"
#include "deps/pep440.h"

namespace kgate::deps {

struct Match {
  size_t record;
  size_t affected;
  std::string reason;                 // "ECOSYSTEM range: introduced 3.0.0, fixed 3.11.0"
  bool approximate = false;           // an event was read by its leading PEP 440 version
  std::vector<std::string> fixed_in;  // `fixed` versions above the installed one, ascending
};

struct PackageMatches {
  std::vector<Match> matches;         // at most one per record
  std::vector<std::string> warnings;  // range-less records, unevaluable ranges
};

// Matches `version_text` of the PEP 503 package `normalized` against `db`.
PackageMatches MatchPackage(const OsvDatabase& db, const std::string& normalized, const std::string& version_text);

// True when `version` lies in `range` under the OSV algorithm. `why` (may be
// null) receives the deciding events.
bool InRange(const Version& version, const OsvRange& range, std::string* why);

// The smallest version at or above `installed` that no advisory in `db`
// affects, found as pip-audit does: jump to the largest of the smallest
// fixes, re-check, repeat. nullopt when some advisory has no fix above.
std::optional<std::string> SuggestFix(const OsvDatabase& db, const std::string& normalized,
                                      const std::string& installed);

}  // namespace kgate::deps
