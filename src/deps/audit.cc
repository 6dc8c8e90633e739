#include "deps/audit.h"

#include <algorithm>
#include <map>
#include <set>

#include "deps/dependency_paths.h"
#include "deps/matcher.h"
#include "deps/pep440.h"
#include "util/strings.h"

namespace kgate::deps {
namespace {

Finding MakeFinding(const Package& pkg, const OsvRecord& rec, const Match& m) {
  Finding f;
  f.package = pkg.name;
  f.normalized = pkg.normalized;
  f.version = pkg.version;
  f.source = pkg.source;
  f.id = rec.id;
  f.aliases = rec.aliases;
  f.summary = rec.Headline();
  f.advisory_url = rec.advisory_url;
  f.severity = SeverityOf(rec);
  f.fixed_in = m.fixed_in;
  f.reason = m.reason;
  f.approximate = m.approximate;
  return f;
}

// Frameworks first, then by depth; packages without a path last.
size_t Depth(const Finding& f) { return f.path.empty() ? SIZE_MAX : f.path.size(); }

}  // namespace

AuditReport Audit(const Inventory& inventory, const OsvDatabase& db, const AuditOptions& options) {
  AuditReport report;
  report.database_source = db.source();
  report.database_snapshot = db.snapshot();
  report.database_records = db.records().size();
  report.input = inventory.input;
  report.has_dependency_graph = inventory.has_dependency_graph;
  report.packages = inventory.packages;
  report.not_audited = inventory.not_audited;
  report.warnings = inventory.warnings;

  const std::map<std::string, std::vector<std::string>> paths =
      inventory.has_dependency_graph ? FrameworkPaths(inventory) : std::map<std::string, std::vector<std::string>>{};
  std::set<std::string> warned;
  std::set<std::string> severity_errors;
  for (const Package& pkg : inventory.packages) {
    if (!Version::Parse(pkg.version).ok()) {
      report.warnings.push_back(util::StrCat(pkg.name, " ", pkg.version, " (", pkg.source,
                                             "): the version is not PEP 440, so only exact entries of the "
                                             "advisories' version lists can match it"));
    }
    PackageMatches pm = MatchPackage(db, pkg.normalized, pkg.version);
    for (std::string& w : pm.warnings) {
      if (warned.insert(w).second) report.warnings.push_back(std::move(w));
    }
    bool vulnerable = false;
    for (const Match& m : pm.matches) {
      const OsvRecord& rec = db.records()[m.record];
      Finding f = MakeFinding(pkg, rec, m);
      if (!f.severity.error.empty() && severity_errors.insert(f.severity.error).second) {
        report.warnings.push_back(util::StrCat("severity unknown: ", f.severity.error));
      }
      if (auto it = paths.find(pkg.normalized); it != paths.end()) f.path = it->second;
      std::vector<std::string> ids = rec.aliases;
      ids.push_back(rec.id);
      if (options.ignore != nullptr) {
        if (const IgnoreEntry* e = options.ignore->Find(ids, options.today); e != nullptr) f.ignored = *e;
      }
      if (f.ignored) {
        report.ignored.push_back(std::move(f));
      } else {
        vulnerable = true;
        report.findings.push_back(std::move(f));
      }
    }
    if (vulnerable) report.fixes.push_back({pkg.name, pkg.version, SuggestFix(db, pkg.normalized, pkg.version)});
  }
  if (options.ignore != nullptr) {
    for (const IgnoreEntry* e : options.ignore->Expired(options.today)) {
      report.warnings.push_back(util::StrCat(e->where, ": the ignore for ", e->id, " expired on ", e->expires,
                                             "; it no longer hides findings (reason was: ", e->reason, ")"));
    }
  }
  auto order = [](const Finding& a, const Finding& b) {
    if (Depth(a) != Depth(b)) return Depth(a) < Depth(b);
    if (a.normalized != b.normalized) return a.normalized < b.normalized;
    return a.id < b.id;
  };
  std::stable_sort(report.findings.begin(), report.findings.end(), order);
  std::stable_sort(report.ignored.begin(), report.ignored.end(), order);
  return report;
}

Inventory MergeInventories(std::vector<Inventory> parts) {
  if (parts.size() == 1) return std::move(parts.front());
  Inventory out;
  out.has_dependency_graph = !parts.empty();
  std::set<std::pair<std::string, std::string>> seen;
  for (Inventory& part : parts) {
    out.input = out.input.empty() ? part.input : util::StrCat(out.input, ", ", part.input);
    out.has_dependency_graph &= part.has_dependency_graph;
    for (Package& p : part.packages) {
      if (seen.emplace(p.normalized, p.version).second) out.packages.push_back(std::move(p));
    }
    for (NotAudited& n : part.not_audited) out.not_audited.push_back(std::move(n));
    for (std::string& w : part.warnings) out.warnings.push_back(std::move(w));
  }
  return out;
}

}  // namespace kgate::deps
