// File: report.h
// Renders scan results for people (text), scripts (JSON, the shape in
// DESIGN.md) and code-scanning dashboards (SARIF 2.1.0). Rendering is pure:
// the same results always give the same bytes.
#pragma once

#include <span>
#include <string>

#include "scan/scanner.h"

namespace kgate::scan {

std::string RenderText(std::span<const FileResult> results);
std::string RenderJson(std::span<const FileResult> results);
std::string RenderSarif(std::span<const FileResult> results);

// The process exit code DESIGN.md prescribes for a scan: 2 when a path could
// not be scanned at all, else 1 when any file was rejected, else 0.
int ExitCodeFor(std::span<const FileResult> results);

}  // namespace kgate::scan
