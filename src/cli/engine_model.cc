#include "cli/engine_model.h"

#include <cstdio>
#include <utility>
#include <vector>

#include "absl/strings/numbers.h"
#include "cli/commands.h"
#include "scan/report.h"
#include "scan/scanner.h"
#include "util/strings.h"

namespace kgate::cli {

LoadedModel LoadEngineModel(std::string_view command, const std::string& path, const engine::EngineOptions& options) {
  LoadedModel out;
  scan::FileResult result = scan::ScanFile(path);
  if (result.verdict == scan::Verdict::kError) {
    out.exit_code = UsageError(command, util::StrCat(path, ": ", result.error));
    return out;
  }
  if (result.verdict == scan::Verdict::kReject || result.report.graph == nullptr) {
    std::vector<scan::FileResult> one;
    one.push_back(std::move(result));
    const std::string report = scan::RenderText(one);
    std::fprintf(stderr, "kgate %.*s: %s: model refused\n%s", static_cast<int>(command.size()), command.data(),
                 path.c_str(), report.c_str());
    out.exit_code = kExitFound;
    return out;
  }
  absl::StatusOr<std::unique_ptr<engine::Model>> model =
      engine::Model::Create(std::move(result.report.graph), options);
  if (!model.ok()) {
    out.exit_code = UsageError(command, util::StrCat(path, ": cannot compile the model: ",
                                                     util::ToStd(model.status().message())));
    return out;
  }
  out.model = *std::move(model);
  return out;
}

std::optional<int> ParseThreads(std::string_view command, const Args& args) {
  std::optional<int64_t> n = IntFlag(command, args, "--threads", 1, 1024, 0);
  if (!n) return std::nullopt;
  return static_cast<int>(*n);
}

}  // namespace kgate::cli
