// File: report.h
// Renders an AuditReport for people and tools: an aligned text table
// (default), JSON (the DESIGN.md shape plus severity scores, paths, fixes
// and ignored findings), SARIF 2.1.0 for code scanning, CycloneDX 1.5 JSON
// with a `vulnerabilities` section, and GitHub-flavoured markdown. All
// output is deterministic for a given report (no timestamps, no random ids).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "deps/audit.h"

namespace kgate::deps {

enum class ReportFormat { kTable, kJson, kSarif, kCycloneDx, kMarkdown };

// "table", "json", "sarif", "cyclonedx", "markdown".
std::optional<ReportFormat> ParseReportFormat(std::string_view name);

std::string RenderReport(const AuditReport& report, ReportFormat format);

std::string RenderTable(const AuditReport& report);
std::string RenderMarkdown(const AuditReport& report);
std::string RenderJson(const AuditReport& report);
std::string RenderSarif(const AuditReport& report);
std::string RenderCycloneDx(const AuditReport& report);

// "requirements.txt:3 ; marker" -> {"requirements.txt", 3}; line 0 when the
// source has no line number.
std::pair<std::string, int> SourceFileAndLine(std::string_view source);

// "CVSS 7.8 high", or "unknown".
std::string SeverityText(const RecordSeverity& s);

// pkg:pypi/NAME@VERSION with the version percent-encoded as purl requires.
std::string PackageUrl(std::string_view normalized, std::string_view version);

}  // namespace kgate::deps
