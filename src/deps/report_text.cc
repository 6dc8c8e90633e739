// The human-readable renderers: an aligned text table and markdown.
#include <algorithm>
#include <map>

#include "deps/report.h"
#include "util/strings.h"

namespace kgate::deps {
namespace {

constexpr std::string_view kArrow = " \u2192 ";

std::string PathText(const Finding& f) {
  if (f.path.empty()) return "-";
  return util::StrJoin(f.path, kArrow);
}

std::string FixedText(const Finding& f) { return f.fixed_in.empty() ? "-" : util::StrJoin(f.fixed_in, ", "); }

std::string IdText(const Finding& f) {
  std::string id = f.id;
  if (f.approximate) id += " (~)";
  return id;
}

std::string Summary(const AuditReport& r) {
  std::map<Severity, int> counts;
  for (const Finding& f : r.findings) ++counts[f.severity.level];
  std::string out = util::StrCat(r.findings.size(), r.findings.size() == 1 ? " finding" : " findings");
  if (!r.findings.empty()) {
    std::vector<std::string> parts;
    for (Severity s : {Severity::kCritical, Severity::kHigh, Severity::kMedium, Severity::kLow, Severity::kNone,
                       Severity::kUnknown}) {
      if (counts[s] > 0) parts.push_back(util::StrCat(counts[s], " ", SeverityName(s)));
    }
    util::StrAppend(&out, " (", util::StrJoin(parts, ", "), ")");
  }
  util::StrAppend(&out, " in ", r.packages.size(), " packages; ", r.ignored.size(), " ignored; ",
                  r.not_audited.size(), " not audited");
  return out;
}

// Display width of UTF-8 text: code points, which is right for the ASCII
// and arrows kgate prints.
size_t Width(std::string_view s) {
  return static_cast<size_t>(std::count_if(s.begin(), s.end(), [](char c) { return (c & 0xC0) != 0x80; }));
}

std::string Table(const std::vector<std::vector<std::string>>& rows) {
  std::vector<size_t> widths;
  for (const auto& row : rows) {
    widths.resize(std::max(widths.size(), row.size()));
    for (size_t i = 0; i < row.size(); ++i) widths[i] = std::max(widths[i], Width(row[i]));
  }
  std::string out;
  for (const auto& row : rows) {
    std::string line;
    for (size_t i = 0; i < row.size(); ++i) {
      line += row[i];
      if (i + 1 < row.size()) line.append(widths[i] - Width(row[i]) + 2, ' ');
    }
    out += line + "\n";
  }
  return out;
}

}  // namespace

std::string RenderTable(const AuditReport& r) {
  std::string out = util::StrCat("database: ", r.database_source, " (snapshot ", r.database_snapshot, ", ",
                                 r.database_records, " advisories)\ninput: ", r.input, "\n\n");
  if (!r.findings.empty()) {
    std::vector<std::vector<std::string>> rows = {{"PACKAGE", "VERSION", "ID", "SEVERITY", "FIXED IN", "PATH"}};
    for (const Finding& f : r.findings) {
      rows.push_back({f.package, f.version, IdText(f), SeverityText(f.severity), FixedText(f), PathText(f)});
    }
    out += Table(rows);
    out += "\n";
  }
  if (!r.fixes.empty()) {
    out += "fix suggestions (smallest version without known advisories):\n";
    for (const FixSuggestion& s : r.fixes) {
      util::StrAppend(&out, "  ", s.package, " ", s.version, kArrow,
                      s.fix ? *s.fix : std::string("no fixed version is known"), "\n");
    }
    out += "\n";
  }
  if (!r.ignored.empty()) {
    out += "ignored:\n";
    for (const Finding& f : r.ignored) {
      util::StrAppend(&out, "  ", f.package, " ", f.version, " ", f.id, " until ", f.ignored->expires, ": ",
                      f.ignored->reason, "\n");
    }
    out += "\n";
  }
  if (!r.not_audited.empty()) {
    out += "not audited:\n";
    for (const NotAudited& n : r.not_audited) util::StrAppend(&out, "  ", n.line, " (", n.source, "): ", n.reason, "\n");
    out += "\n";
  }
  if (!r.warnings.empty()) {
    out += "warnings:\n";
    for (const std::string& w : r.warnings) util::StrAppend(&out, "  ", w, "\n");
    out += "\n";
  }
  if (std::any_of(r.findings.begin(), r.findings.end(), [](const Finding& f) { return f.approximate; })) {
    out += "(~) matched through an event version that is not PEP 440 (see docs/audit.md)\n";
  }
  util::StrAppend(&out, Summary(r), "\n");
  return out;
}

std::string RenderMarkdown(const AuditReport& r) {
  auto cell = [](std::string s) {
    std::string out;
    for (char c : s) {
      if (c == '|') {
        out += "\\|";
      } else if (c == '\n') {
        out += ' ';
      } else {
        out.push_back(c);
      }
    }
    return out;
  };
  std::string out = util::StrCat("## kgate audit\n\nDatabase: ", cell(r.database_source), " (snapshot ",
                                 cell(r.database_snapshot), ", ", r.database_records, " advisories)  \nInput: ",
                                 cell(r.input), "\n\n", Summary(r), "\n\n");
  if (!r.findings.empty()) {
    out += "| package | version | id | severity | fixed in | path | summary |\n|---|---|---|---|---|---|---|\n";
    for (const Finding& f : r.findings) {
      std::string id = f.advisory_url.empty() ? IdText(f) : util::StrCat("[", IdText(f), "](", f.advisory_url, ")");
      util::StrAppend(&out, "| ", cell(f.package), " | ", cell(f.version), " | ", id, " | ", SeverityText(f.severity),
                      " | ", cell(FixedText(f)), " | ", cell(PathText(f)), " | ", cell(f.summary), " |\n");
    }
    out += "\n";
  }
  if (!r.fixes.empty()) {
    out += "### Fix suggestions\n\n";
    for (const FixSuggestion& s : r.fixes) {
      util::StrAppend(&out, "- `", s.package, "` ", s.version, kArrow,
                      s.fix ? util::StrCat("`", *s.fix, "`") : std::string("no fixed version is known"), "\n");
    }
    out += "\n";
  }
  if (!r.ignored.empty()) {
    out += "### Ignored\n\n";
    for (const Finding& f : r.ignored) {
      util::StrAppend(&out, "- ", f.id, " (", f.package, " ", f.version, ") until ", f.ignored->expires, ": ",
                      cell(f.ignored->reason), "\n");
    }
    out += "\n";
  }
  if (!r.not_audited.empty()) {
    out += "### Not audited\n\n";
    for (const NotAudited& n : r.not_audited) {
      util::StrAppend(&out, "- `", cell(n.line), "` (", cell(n.source), "): ", cell(n.reason), "\n");
    }
    out += "\n";
  }
  if (!r.warnings.empty()) {
    out += "### Warnings\n\n";
    for (const std::string& w : r.warnings) util::StrAppend(&out, "- ", cell(w), "\n");
  }
  return out;
}

}  // namespace kgate::deps
