// The CycloneDX 1.5 JSON renderer: every audited package as a component
// (with its purl) and every finding, ignored ones included, in
// `vulnerabilities`; an ignore becomes an `analysis` with the reason and
// the expiry, so the accepted risk travels with the SBOM.
#include <cstdio>
#include <map>

#include "deps/report.h"
#include "io/json/json_writer.h"
#include "util/strings.h"
#include "util/version.h"

namespace kgate::deps {
namespace {

std::string_view Method(std::string_view vector) {
  if (vector.rfind("CVSS:4.0/", 0) == 0) return "CVSSv4";
  if (vector.rfind("CVSS:3.1/", 0) == 0) return "CVSSv31";
  return "CVSSv3";
}

void WriteVulnerability(io::json::Writer& w, const Finding& f) {
  w.BeginObject().Key("id").String(f.id);
  w.Key("source").BeginObject().Key("name").String("OSV");
  w.Key("url").String(util::StrCat("https://osv.dev/vulnerability/", f.id)).EndObject();
  w.Key("references").BeginArray();
  for (const std::string& a : f.aliases) {
    w.BeginObject().Key("id").String(a).Key("source").BeginObject();
    w.Key("name").String(a.rfind("CVE-", 0) == 0 ? "NVD" : a.rfind("GHSA-", 0) == 0 ? "GitHub" : "OSV");
    w.EndObject().EndObject();
  }
  w.EndArray();
  if (f.severity.score) {
    w.Key("ratings").BeginArray().BeginObject().Key("score").Double(*f.severity.score);
    w.Key("severity").String(SeverityName(f.severity.level)).Key("method").String(Method(f.severity.vector));
    w.Key("vector").String(f.severity.vector).EndObject().EndArray();
  }
  w.Key("description").String(f.summary);
  if (!f.fixed_in.empty()) w.Key("recommendation").String(util::StrCat("Upgrade to ", f.fixed_in.front(), " or later."));
  if (!f.advisory_url.empty()) w.Key("advisories").BeginArray().BeginObject().Key("url").String(f.advisory_url).EndObject().EndArray();
  w.Key("affects").BeginArray().BeginObject().Key("ref").String(PackageUrl(f.normalized, f.version)).EndObject().EndArray();
  if (f.ignored) {
    w.Key("analysis").BeginObject().Key("response").BeginArray().String("will_not_fix").EndArray();
    w.Key("detail").String(util::StrCat("Accepted until ", f.ignored->expires, ": ", f.ignored->reason)).EndObject();
  }
  w.EndObject();
}

}  // namespace

std::string RenderCycloneDx(const AuditReport& r) {
  io::json::Writer w(/*pretty=*/true);
  w.BeginObject().Key("bomFormat").String("CycloneDX").Key("specVersion").String("1.5").Key("version").Int(1);
  w.Key("metadata").BeginObject().Key("tools").BeginObject().Key("components").BeginArray();
  w.BeginObject().Key("type").String("application").Key("name").String("kgate").Key("version").String(util::kKgateVersion);
  w.EndObject().EndArray().EndObject();
  w.Key("properties").BeginArray();
  w.BeginObject().Key("name").String("kgate:audit:database").Key("value").String(r.database_source).EndObject();
  w.BeginObject().Key("name").String("kgate:audit:snapshot").Key("value").String(r.database_snapshot).EndObject();
  w.EndArray().EndObject();
  w.Key("components").BeginArray();
  std::map<std::string, const Package*> unique;
  for (const Package& p : r.packages) unique.emplace(PackageUrl(p.normalized, p.version), &p);
  for (const auto& [purl, p] : unique) {
    w.BeginObject().Key("type").String("library").Key("bom-ref").String(purl).Key("name").String(p->name);
    w.Key("version").String(p->version).Key("purl").String(purl).EndObject();
  }
  w.EndArray();
  w.Key("vulnerabilities").BeginArray();
  for (const Finding& f : r.findings) WriteVulnerability(w, f);
  for (const Finding& f : r.ignored) WriteVulnerability(w, f);
  w.EndArray().EndObject();
  return w.Take() + "\n";
}

}  // namespace kgate::deps
