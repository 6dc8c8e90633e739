// File: osv.h
// OSV records (ossf/osv-schema 1.x) as kgate uses them: id, aliases,
// summary, withdrawn, severity vectors and, per affected package, the
// ECOSYSTEM/SEMVER ranges (events kept in file order; the matcher sorts
// them) and the explicit `versions` list. GIT ranges are kept only as a
// count: commit hashes cannot be compared with PyPI versions. Unknown fields
// are ignored, as the schema allows; fields kgate reads must have the
// schema's types, or the record is refused with the file and JSON path.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "deps/pep440.h"
#include "io/json/json.h"

namespace kgate::deps {

struct OsvEvent {
  enum class Kind { kIntroduced, kFixed, kLastAffected, kLimit };
  Kind kind;
  std::string text;                // as written in the record
  std::optional<Version> version;  // parsed; nullopt for "0", "*" and non-PEP 440 text
  // True when `text` is not PEP 440 and `version` is its leading PEP 440
  // prefix (the rule in docs/audit.md); false otherwise.
  bool approximate = false;
  bool IsZero() const { return kind == Kind::kIntroduced && text == "0"; }
  bool IsUnbounded() const { return kind == Kind::kLimit && text == "*"; }
};

struct OsvRange {
  std::string type;  // "ECOSYSTEM" or "SEMVER"
  std::vector<OsvEvent> events;
};

struct OsvAffected {
  std::string ecosystem;
  std::string name;        // as written
  std::string normalized;  // PEP 503
  std::vector<OsvRange> ranges;
  std::vector<std::string> versions;
  int git_ranges = 0;
};

struct OsvSeverity {
  std::string type;   // "CVSS_V3", "CVSS_V4", ...
  std::string score;  // the vector string
};

struct OsvRecord {
  std::string id;
  std::vector<std::string> aliases;
  std::string summary;
  std::string details;
  std::string modified;
  std::string withdrawn;  // non-empty when withdrawn
  std::vector<OsvSeverity> severity;
  std::vector<OsvAffected> affected;
  std::string advisory_url;  // the first ADVISORY (or WEB) reference
  std::string source;        // the file or zip member it came from

  // A one-line description: the summary, or the first sentence of details.
  std::string Headline() const;
};

// Converts a parsed OSV document. `source` names it in errors.
absl::StatusOr<OsvRecord> RecordFromJson(const io::json::Value& doc, std::string_view source);

// Parses and converts one OSV JSON text.
absl::StatusOr<OsvRecord> ParseOsvRecord(std::string_view text, std::string_view source);

}  // namespace kgate::deps
