#include <cstdio>

#include "cli/args.h"
#include "cli/commands.h"
#include "io/json/json_writer.h"
#include "scan/report.h"
#include "scan/scanner.h"
#include "util/rules.h"
#include "util/strings.h"

namespace kgate::cli {

int RunScan(const std::vector<std::string>& argv) {
  absl::StatusOr<Args> args = Args::Parse(argv, {.with_value = {"--format", "--output"}, .switches = {}});
  if (!args.ok()) return UsageError("scan", util::ToStd(args.status().message()));
  if (args->positional().empty()) return UsageError("scan", "expected at least one PATH (file or directory)");
  const std::string format = args->Get("--format").value_or("text");
  if (format != "text" && format != "json" && format != "sarif") {
    return UsageError("scan", util::StrCat("--format must be text, json or sarif, got '", format, "'"));
  }
  scan::ScanOptions options;
  options.load.keep_weight_values = false;
  const std::vector<scan::FileResult> results = scan::ScanPaths(args->positional(), options);
  if (results.empty()) return UsageError("scan", "no model files (.keras, .h5, .hdf5) found under the given paths");
  const std::string report = format == "json"    ? scan::RenderJson(results)
                             : format == "sarif" ? scan::RenderSarif(results)
                                                 : scan::RenderText(results);
  if (std::optional<std::string> path = args->Get("--output")) {
    std::FILE* f = std::fopen(path->c_str(), "wb");
    if (f == nullptr || std::fwrite(report.data(), 1, report.size(), f) != report.size() || std::fclose(f) != 0) {
      return UsageError("scan", util::StrCat("cannot write ", *path));
    }
  } else {
    std::fwrite(report.data(), 1, report.size(), stdout);
  }
  return scan::ExitCodeFor(results);
}

int RunRules(const std::vector<std::string>& argv) {
  absl::StatusOr<Args> args = Args::Parse(argv, {.with_value = {"--format"}, .switches = {}});
  if (!args.ok()) return UsageError("rules", util::ToStd(args.status().message()));
  const std::string format = args->Get("--format").value_or("text");
  if (format == "json") {
    io::json::Writer w(/*pretty=*/true);
    w.BeginArray();
    for (const util::RuleInfo& r : util::AllRules()) {
      w.BeginObject().Key("id").String(r.id).Key("severity").String(util::SeverityName(r.severity));
      w.Key("title").String(r.title).Key("references").String(r.references).EndObject();
    }
    w.EndArray();
    std::printf("%s\n", w.str().c_str());
  } else if (format == "text") {
    for (const util::RuleInfo& r : util::AllRules()) {
      std::string line = util::StrCat(r.id, "  ", util::SeverityName(r.severity), "  ", r.title, "  [", r.references, "]\n");
      std::fputs(line.c_str(), stdout);
    }
  } else {
    return UsageError("rules", util::StrCat("--format must be text or json, got '", format, "'"));
  }
  return kExitClean;
}

}  // namespace kgate::cli
