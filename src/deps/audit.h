// File: audit.h
// The audit itself: every package of an inventory matched against an OSV
// database, with each finding's severity (CVSS), fixes above the installed
// version, why it matched, its dependency path from the ML frameworks, and
// whether an ignore entry covers it; plus a fix suggestion per vulnerable
// package (the smallest version no advisory affects, when one exists).
// Findings are ordered for reading: frameworks first, then direct
// dependencies, then deeper ones, then packages with no known path.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "deps/ignore_policy.h"
#include "deps/inventory.h"
#include "deps/osv_database.h"
#include "deps/severity.h"

namespace kgate::deps {

struct Finding {
  std::string package;  // as the input spells it
  std::string normalized;
  std::string version;
  std::string source;
  std::string id;
  std::vector<std::string> aliases;
  std::string summary;
  std::string advisory_url;
  RecordSeverity severity;
  std::vector<std::string> fixed_in;
  std::string reason;
  bool approximate = false;
  std::vector<std::string> path;      // empty when no framework reaches the package (or no graph)
  std::optional<IgnoreEntry> ignored;  // set when an ignore entry covers the finding
};

struct FixSuggestion {
  std::string package;
  std::string version;
  std::optional<std::string> fix;  // nullopt: no version without known advisories
};

struct AuditOptions {
  std::string today;                   // YYYY-MM-DD, for ignore expiry
  const IgnorePolicy* ignore = nullptr;
};

struct AuditReport {
  std::string database_source;
  std::string database_snapshot;
  size_t database_records = 0;
  std::string input;
  bool has_dependency_graph = false;
  std::vector<Package> packages;
  std::vector<NotAudited> not_audited;
  std::vector<Finding> findings;  // not ignored
  std::vector<Finding> ignored;
  std::vector<FixSuggestion> fixes;
  std::vector<std::string> warnings;
};

AuditReport Audit(const Inventory& inventory, const OsvDatabase& db, const AuditOptions& options);

// Merges several inventories (several -r files, say) into one; a package
// named twice with the same version is kept once.
Inventory MergeInventories(std::vector<Inventory> parts);

}  // namespace kgate::deps
