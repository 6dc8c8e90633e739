#include <cstdio>
#include <filesystem>

#include "cli/args.h"
#include "cli/commands.h"
#include "cli/deps_inputs.h"
#include "deps/audit.h"
#include "deps/ignore_policy.h"
#include "deps/osv_database.h"
#include "deps/report.h"
#include "util/strings.h"

namespace kgate::cli {
namespace {

// Read from the working directory when --ignore-file is not given.
constexpr char kDefaultIgnoreFile[] = ".kgate-audit.toml";

bool FailsThreshold(const deps::Finding& f, std::optional<deps::Severity> threshold, bool ignore_unknown) {
  if (!threshold) return true;
  if (f.severity.level == deps::Severity::kUnknown) return !ignore_unknown;
  return f.severity.level >= *threshold;
}

}  // namespace

int RunAudit(const std::vector<std::string>& argv) {
  absl::StatusOr<Args> args = Args::Parse(
      argv, WithDepsInputFlags({.with_value = {"--db", "--format", "--fail-on", "--ignore-file", "--output"},
                                .switches = {"--ignore-unknown-severity"}}));
  if (!args.ok()) return UsageError("audit", util::ToStd(args.status().message()));
  if (!args->positional().empty()) {
    return UsageError("audit", util::StrCat("unexpected argument '", args->positional().front(),
                                            "'; name inputs with -r FILE, --path SITE_PACKAGES or --lock FILE"));
  }
  const deps::InputSpec spec = DepsInputsFromArgs(*args);
  if (spec.empty()) return UsageError("audit", "name at least one input: -r FILE, --path SITE_PACKAGES or --lock FILE");

  const std::string format_name = args->Get("--format").value_or("table");
  std::optional<deps::ReportFormat> format = deps::ParseReportFormat(format_name);
  if (!format) {
    return UsageError("audit", util::StrCat("--format must be table, json, sarif, cyclonedx or markdown, got '",
                                            format_name, "'"));
  }
  std::optional<deps::Severity> threshold;
  if (std::optional<std::string> fail_on = args->Get("--fail-on")) {
    threshold = deps::ParseSeverity(*fail_on);
    if (!threshold) return UsageError("audit", util::StrCat("--fail-on must be low, medium, high or critical, got '", *fail_on, "'"));
  }

  std::optional<deps::IgnorePolicy> ignore;
  std::optional<std::string> ignore_path = args->Get("--ignore-file");
  std::error_code ec;
  if (!ignore_path && std::filesystem::is_regular_file(kDefaultIgnoreFile, ec)) ignore_path = kDefaultIgnoreFile;
  if (ignore_path) {
    absl::StatusOr<deps::IgnorePolicy> loaded = deps::IgnorePolicy::Load(*ignore_path);
    if (!loaded.ok()) return UsageError("audit", util::ToStd(loaded.status().message()));
    ignore = *std::move(loaded);
  }

  std::string db_path;
  if (std::optional<std::string> db = args->Get("--db")) {
    db_path = *db;
  } else {
    absl::StatusOr<std::string> located = deps::LocateDefaultDatabase();
    if (!located.ok()) return UsageError("audit", util::ToStd(located.status().message()));
    db_path = *located;
  }
  absl::StatusOr<deps::OsvDatabase> db = deps::OsvDatabase::Load(db_path);
  if (!db.ok()) return UsageError("audit", util::StrCat("cannot load the OSV database: ", util::ToStd(db.status().message())));

  absl::StatusOr<deps::Inventory> inventory = deps::ReadInputs(spec);
  if (!inventory.ok()) return UsageError("audit", util::ToStd(inventory.status().message()));

  deps::AuditOptions options;
  options.today = deps::TodayUtc();
  options.ignore = ignore ? &*ignore : nullptr;
  const deps::AuditReport report = deps::Audit(*inventory, *db, options);
  const std::string text = deps::RenderReport(report, *format);
  if (std::optional<std::string> path = args->Get("--output")) {
    std::FILE* f = std::fopen(path->c_str(), "wb");
    bool ok = f != nullptr && std::fwrite(text.data(), 1, text.size(), f) == text.size();
    if (f != nullptr && std::fclose(f) != 0) ok = false;
    if (!ok) return UsageError("audit", util::StrCat("cannot write ", *path));
  } else {
    std::fwrite(text.data(), 1, text.size(), stdout);
  }
  if (*format != deps::ReportFormat::kTable && !report.warnings.empty()) {
    std::fprintf(stderr, "kgate audit: %zu warnings (listed in the report)\n", report.warnings.size());
  }
  const bool ignore_unknown = args->Has("--ignore-unknown-severity");
  for (const deps::Finding& f : report.findings) {
    if (FailsThreshold(f, threshold, ignore_unknown)) return kExitFound;
  }
  return kExitClean;
}

}  // namespace kgate::cli
