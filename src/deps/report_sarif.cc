// The SARIF 2.1.0 renderer: one rule per advisory, one result per finding,
// located at the requirement line (or lockfile / METADATA file) that
// brought the package in. `security-severity` carries the CVSS score so
// GitHub code scanning ranks the alerts.
#include <cstdio>
#include <set>

#include "deps/report.h"
#include "io/json/json_writer.h"
#include "util/strings.h"
#include "util/version.h"

namespace kgate::deps {
namespace {

std::string_view Level(Severity s) {
  switch (s) {
    case Severity::kCritical:
    case Severity::kHigh:
    case Severity::kUnknown: return "error";  // unknown is not assumed harmless
    case Severity::kMedium: return "warning";
    default: return "note";
  }
}

}  // namespace

std::string RenderSarif(const AuditReport& r) {
  io::json::Writer w(/*pretty=*/true);
  w.BeginObject().Key("$schema").String("https://json.schemastore.org/sarif-2.1.0.json").Key("version").String("2.1.0");
  w.Key("runs").BeginArray().BeginObject();
  w.Key("tool").BeginObject().Key("driver").BeginObject();
  w.Key("name").String("kgate audit").Key("version").String(util::kKgateVersion);
  w.Key("informationUri").String("https://github.com/kgate/kgate/blob/main/docs/audit.md");
  w.Key("rules").BeginArray();
  std::set<std::string> seen;
  for (const Finding& f : r.findings) {
    if (!seen.insert(f.id).second) continue;
    w.BeginObject().Key("id").String(f.id);
    w.Key("shortDescription").BeginObject().Key("text").String(f.summary.empty() ? f.id : f.summary).EndObject();
    if (!f.advisory_url.empty()) w.Key("helpUri").String(f.advisory_url);
    w.Key("properties").BeginObject();
    if (f.severity.score) {
      char buf[16];
      std::snprintf(buf, sizeof(buf), "%.1f", *f.severity.score);
      w.Key("security-severity").String(buf);
    }
    w.Key("tags").BeginArray().String("security").String("vulnerability").String("dependency").EndArray();
    w.Key("aliases").BeginArray();
    for (const std::string& a : f.aliases) w.String(a);
    w.EndArray().EndObject();
    w.EndObject();
  }
  w.EndArray().EndObject().EndObject();
  w.Key("properties").BeginObject().Key("database").String(r.database_source).Key("snapshot").String(r.database_snapshot);
  w.EndObject();
  w.Key("results").BeginArray();
  for (const Finding& f : r.findings) {
    w.BeginObject().Key("ruleId").String(f.id).Key("level").String(Level(f.severity.level));
    std::string text = util::StrCat(f.package, " ", f.version, " is affected by ", f.id, " (",
                                    SeverityText(f.severity), "): ", f.summary);
    if (!f.fixed_in.empty()) util::StrAppend(&text, " Fixed in ", util::StrJoin(f.fixed_in, ", "), ".");
    if (!f.path.empty()) util::StrAppend(&text, " Path: ", util::StrJoin(f.path, " -> "), ".");
    w.Key("message").BeginObject().Key("text").String(text).EndObject();
    auto [file, line] = SourceFileAndLine(f.source);
    w.Key("locations").BeginArray().BeginObject().Key("physicalLocation").BeginObject();
    w.Key("artifactLocation").BeginObject().Key("uri").String(file).EndObject();
    if (line > 0) w.Key("region").BeginObject().Key("startLine").Int(line).EndObject();
    w.EndObject().EndObject().EndArray();
    w.Key("partialFingerprints").BeginObject().Key("kgateAudit/v1").String(util::StrCat(f.normalized, "@", f.version, "/", f.id));
    w.EndObject();
    w.EndObject();
  }
  w.EndArray().EndObject().EndArray().EndObject();
  return w.Take() + "\n";
}

}  // namespace kgate::deps
