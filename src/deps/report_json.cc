// The JSON renderer (the DESIGN.md "kgate audit --format json" shape).
#include "deps/report.h"
#include "io/json/json_writer.h"

namespace kgate::deps {
namespace {

void WriteStrings(io::json::Writer& w, const std::vector<std::string>& items) {
  w.BeginArray();
  for (const std::string& s : items) w.String(s);
  w.EndArray();
}

void WriteFinding(io::json::Writer& w, const Finding& f) {
  w.BeginObject();
  w.Key("package").String(f.package).Key("version").String(f.version).Key("id").String(f.id);
  w.Key("aliases");
  WriteStrings(w, f.aliases);
  w.Key("severity").String(SeverityName(f.severity.level));
  w.Key("score");
  if (f.severity.score) {
    w.Double(*f.severity.score);
  } else {
    w.Null();
  }
  w.Key("cvss").String(f.severity.vector);
  w.Key("fixed_in");
  WriteStrings(w, f.fixed_in);
  w.Key("summary").String(f.summary).Key("url").String(f.advisory_url);
  w.Key("source").String(f.source).Key("match").String(f.reason).Key("approximate").Bool(f.approximate);
  w.Key("path");
  WriteStrings(w, f.path);
  if (f.ignored) {
    w.Key("ignore").BeginObject().Key("id").String(f.ignored->id).Key("reason").String(f.ignored->reason);
    w.Key("expires").String(f.ignored->expires).EndObject();
  }
  w.EndObject();
}

}  // namespace

std::string RenderJson(const AuditReport& r) {
  io::json::Writer w(/*pretty=*/true);
  w.BeginObject();
  w.Key("database").BeginObject().Key("source").String(r.database_source).Key("snapshot").String(r.database_snapshot);
  w.Key("advisories").UInt(r.database_records).EndObject();
  w.Key("input").String(r.input);
  w.Key("packages").BeginArray();
  for (const Package& p : r.packages) {
    w.BeginObject().Key("name").String(p.name).Key("version").String(p.version).Key("source").String(p.source);
    w.EndObject();
  }
  w.EndArray();
  w.Key("findings").BeginArray();
  for (const Finding& f : r.findings) WriteFinding(w, f);
  w.EndArray();
  w.Key("ignored").BeginArray();
  for (const Finding& f : r.ignored) WriteFinding(w, f);
  w.EndArray();
  w.Key("fixes").BeginArray();
  for (const FixSuggestion& s : r.fixes) {
    w.BeginObject().Key("package").String(s.package).Key("version").String(s.version).Key("fix");
    if (s.fix) {
      w.String(*s.fix);
    } else {
      w.Null();
    }
    w.EndObject();
  }
  w.EndArray();
  w.Key("not_audited").BeginArray();
  for (const NotAudited& n : r.not_audited) {
    w.BeginObject().Key("line").String(n.line).Key("reason").String(n.reason).Key("source").String(n.source).EndObject();
  }
  w.EndArray();
  w.Key("warnings");
  WriteStrings(w, r.warnings);
  w.EndObject();
  return w.Take() + "\n";
}

}  // namespace kgate::deps
