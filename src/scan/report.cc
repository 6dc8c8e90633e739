#include "scan/report.h"

#include "io/json/json_writer.h"
#include "util/strings.h"
#include "util/version.h"

namespace kgate::scan {
namespace {

using io::json::Writer;


// SARIF levels and GitHub's security-severity scores for our severities.
std::string_view SarifLevel(util::Severity s) {
  if (s >= util::Severity::kHigh) return "error";
  if (s >= util::Severity::kMedium) return "warning";
  return "note";
}
std::string_view SecuritySeverity(util::Severity s) {
  switch (s) {
    case util::Severity::kCritical: return "9.5";
    case util::Severity::kHigh: return "8.0";
    case util::Severity::kMedium: return "5.5";
    case util::Severity::kLow: return "3.0";
    case util::Severity::kInfo: return "0.0";
  }
  return "0.0";
}

}  // namespace

std::string RenderText(std::span<const FileResult> results) {
  std::string out;
  size_t accepted = 0, rejected = 0, errors = 0;
  for (const FileResult& r : results) {
    switch (r.verdict) {
      case Verdict::kAccept: ++accepted; break;
      case Verdict::kReject: ++rejected; break;
      case Verdict::kError: ++errors; break;
    }
    util::StrAppend(&out, r.path, ": ");
    if (r.verdict == Verdict::kError) {
      util::StrAppend(&out, "ERROR: ", r.error, "\n");
      continue;
    }
    util::StrAppend(&out, r.verdict == Verdict::kAccept ? "ACCEPT" : "REJECT", " (",
                    keras::FormatName(r.report.format), ", ", r.report.findings.findings().size(), " finding",
                    r.report.findings.findings().size() == 1 ? "" : "s", ")\n");
    for (const util::Finding& f : r.report.findings.findings()) {
      util::StrAppend(&out, "  [", util::SeverityName(f.severity), "] ", f.rule, " ", f.location, "\n      ",
                      f.message, "\n");
    }
    if (r.report.findings.dropped() > 0) {
      util::StrAppend(&out, "  ... and ", r.report.findings.dropped(), " more findings not listed\n");
    }
  }
  util::StrAppend(&out, "\n", results.size(), " file", results.size() == 1 ? "" : "s", " scanned: ", accepted,
                  " accepted, ", rejected, " rejected, ", errors, " could not be read\n");
  return out;
}

std::string RenderJson(std::span<const FileResult> results) {
  Writer w(/*pretty=*/true);
  w.BeginObject().Key("files").BeginArray();
  for (const FileResult& r : results) {
    w.BeginObject();
    w.Key("path").String(r.path);
    w.Key("verdict").String(VerdictName(r.verdict));
    if (r.verdict == Verdict::kError) {
      w.Key("error").String(r.error);
    } else {
      w.Key("format").String(keras::FormatName(r.report.format));
      if (!r.report.keras_version.empty()) w.Key("keras_version").String(r.report.keras_version);
    }
    w.Key("findings").BeginArray();
    for (const util::Finding& f : r.report.findings.findings()) {
      w.BeginObject();
      w.Key("rule").String(f.rule);
      w.Key("severity").String(util::SeverityName(f.severity));
      w.Key("message").String(f.message);
      w.Key("location").String(f.location);
      w.EndObject();
    }
    w.EndArray();
    if (r.report.findings.dropped() > 0) w.Key("findings_not_listed").UInt(r.report.findings.dropped());
    w.EndObject();
  }
  w.EndArray().EndObject();
  return w.Take() + "\n";
}

std::string RenderSarif(std::span<const FileResult> results) {
  Writer w(/*pretty=*/true);
  w.BeginObject();
  w.Key("$schema").String("https://json.schemastore.org/sarif-2.1.0.json");
  w.Key("version").String("2.1.0");
  w.Key("runs").BeginArray().BeginObject();
  w.Key("tool").BeginObject().Key("driver").BeginObject();
  w.Key("name").String("kgate");
  w.Key("version").String(util::kKgateVersion);
  w.Key("informationUri").String("https://github.com/kgate/kgate/blob/main/docs/scan-rules.md");
  w.Key("rules").BeginArray();
  for (const util::RuleInfo& rule : util::AllRules()) {
    w.BeginObject();
    w.Key("id").String(rule.id);
    w.Key("shortDescription").BeginObject().Key("text").String(rule.title).EndObject();
    w.Key("fullDescription").BeginObject().Key("text").String(util::StrCat(rule.title, " (", rule.references, ")")).EndObject();
    w.Key("defaultConfiguration").BeginObject().Key("level").String(SarifLevel(rule.severity)).EndObject();
    w.Key("properties").BeginObject();
    w.Key("security-severity").String(SecuritySeverity(rule.severity));
    w.Key("tags").BeginArray().String("security").String("keras").EndArray();
    w.EndObject();
    w.EndObject();
  }
  w.EndArray();
  w.EndObject().EndObject();  // driver, tool
  w.Key("results").BeginArray();
  for (const FileResult& r : results) {
    auto emit = [&](std::string_view rule, util::Severity sev, std::string_view message, std::string_view where) {
      w.BeginObject();
      w.Key("ruleId").String(rule);
      w.Key("level").String(SarifLevel(sev));
      w.Key("message").BeginObject().Key("text").String(message).EndObject();
      w.Key("locations").BeginArray().BeginObject();
      w.Key("physicalLocation").BeginObject().Key("artifactLocation").BeginObject().Key("uri").String(r.path);
      w.EndObject().EndObject();
      if (!where.empty()) {
        w.Key("logicalLocations").BeginArray().BeginObject().Key("fullyQualifiedName").String(where);
        w.EndObject().EndArray();
      }
      w.EndObject().EndArray();
      w.EndObject();
    };
    if (r.verdict == Verdict::kError) {
      emit(util::rules::kFileUnreadable, util::Severity::kHigh, r.error, "");
      continue;
    }
    for (const util::Finding& f : r.report.findings.findings()) emit(f.rule, f.severity, f.message, f.location);
  }
  w.EndArray();
  w.EndObject().EndArray();  // run, runs
  w.EndObject();
  return w.Take() + "\n";
}

int ExitCodeFor(std::span<const FileResult> results) {
  bool rejected = false;
  for (const FileResult& r : results) {
    if (r.verdict == Verdict::kError) return 2;
    rejected = rejected || r.verdict == Verdict::kReject;
  }
  return rejected ? 1 : 0;
}

}  // namespace kgate::scan
