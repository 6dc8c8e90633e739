#include <cstdio>

#include "cli/args.h"
#include "cli/commands.h"
#include "scan/model_summary.h"
#include "scan/report.h"
#include "scan/scanner.h"
#include "util/strings.h"

namespace kgate::cli {

// inspect loads through the scanner, so it refuses exactly what scan rejects;
// a refused model prints the scan report on stderr and exits 1.
int RunInspect(const std::vector<std::string>& argv) {
  absl::StatusOr<Args> args = Args::Parse(argv, {.with_value = {"--format"}, .switches = {}});
  if (!args.ok()) return UsageError("inspect", util::ToStd(args.status().message()));
  if (args->positional().size() != 1) return UsageError("inspect", "expected exactly one MODEL file");
  const std::string format = args->Get("--format").value_or("text");
  if (format != "text" && format != "json") {
    return UsageError("inspect", util::StrCat("--format must be text or json, got '", format, "'"));
  }
  const std::string& path = args->positional()[0];
  scan::ScanOptions options;
  options.load.keep_weight_values = false;
  scan::FileResult result = scan::ScanFile(path, options);
  if (result.verdict == scan::Verdict::kError) return UsageError("inspect", util::StrCat(path, ": ", result.error));
  if (result.verdict == scan::Verdict::kReject || result.report.graph == nullptr) {
    std::vector<scan::FileResult> one;
    one.push_back(std::move(result));
    const std::string report = format == "json" ? scan::RenderJson(one) : scan::RenderText(one);
    std::fprintf(stderr, "kgate inspect: %s: model refused\n", path.c_str());
    std::fwrite(report.data(), 1, report.size(), format == "json" ? stdout : stderr);
    return kExitFound;
  }
  const std::string out = format == "json" ? scan::RenderSummaryJson(result.report)
                                           : scan::RenderSummaryText(result.report, path);
  std::fwrite(out.data(), 1, out.size(), stdout);
  return kExitClean;
}

}  // namespace kgate::cli
