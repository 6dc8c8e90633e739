#include <cstdio>

#include "deps/report.h"
#include "util/strings.h"

namespace kgate::deps {

std::optional<ReportFormat> ParseReportFormat(std::string_view name) {
  if (name == "table") return ReportFormat::kTable;
  if (name == "json") return ReportFormat::kJson;
  if (name == "sarif") return ReportFormat::kSarif;
  if (name == "cyclonedx") return ReportFormat::kCycloneDx;
  if (name == "markdown") return ReportFormat::kMarkdown;
  return std::nullopt;
}

std::string RenderReport(const AuditReport& report, ReportFormat format) {
  switch (format) {
    case ReportFormat::kTable: return RenderTable(report);
    case ReportFormat::kJson: return RenderJson(report);
    case ReportFormat::kSarif: return RenderSarif(report);
    case ReportFormat::kCycloneDx: return RenderCycloneDx(report);
    case ReportFormat::kMarkdown: return RenderMarkdown(report);
  }
  return {};
}

std::pair<std::string, int> SourceFileAndLine(std::string_view source) {
  if (size_t marker = source.find(" ; "); marker != std::string_view::npos) source = source.substr(0, marker);
  size_t colon = source.rfind(':');
  if (colon == std::string_view::npos || colon + 1 == source.size()) return {std::string(source), 0};
  int line = 0;
  for (char c : source.substr(colon + 1)) {
    if (c < '0' || c > '9' || line > 100000000) return {std::string(source.substr(0, source.find(':'))), 0};
    line = line * 10 + (c - '0');
  }
  return {std::string(source.substr(0, colon)), line};
}

std::string SeverityText(const RecordSeverity& s) {
  if (!s.score) return "unknown";
  char buf[16];
  std::snprintf(buf, sizeof(buf), "%.1f", *s.score);
  return util::StrCat(SeverityName(s.level), " ", buf);
}

std::string PackageUrl(std::string_view normalized, std::string_view version) {
  std::string out = util::StrCat("pkg:pypi/", normalized, "@");
  for (char c : version) {
    bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
                 c == '-' || c == '_' || c == '~';
    if (plain) {
      out.push_back(c);
    } else {
      char buf[4];
      std::snprintf(buf, sizeof(buf), "%%%02X", static_cast<unsigned char>(c));
      out.append(buf);
    }
  }
  return out;
}

}  // namespace kgate::deps
