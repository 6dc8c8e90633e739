#include <cstdio>

#include "cli/args.h"
#include "cli/commands.h"
#include "cli/deps_inputs.h"
#include "deps/outdated.h"
#include "deps/package_index.h"
#include "deps/pypi_fetch.h"
#include "util/strings.h"

namespace kgate::cli {

int RunOutdated(const std::vector<std::string>& argv) {
  absl::StatusOr<Args> args =
      Args::Parse(argv, WithDepsInputFlags({.with_value = {"--index", "--format"}, .switches = {"--online"}}));
  if (!args.ok()) return UsageError("outdated", util::ToStd(args.status().message()));
  if (!args->positional().empty()) {
    return UsageError("outdated", util::StrCat("unexpected argument '", args->positional().front(), "'"));
  }
  const deps::InputSpec spec = DepsInputsFromArgs(*args);
  if (spec.empty()) return UsageError("outdated", "name at least one input: -r FILE, --path SITE_PACKAGES or --lock FILE");
  const std::string format = args->Get("--format").value_or("table");
  if (format != "table" && format != "json") {
    return UsageError("outdated", util::StrCat("--format must be table or json, got '", format, "'"));
  }
  const std::optional<std::string> index_path = args->Get("--index");
  const bool online = args->Has("--online");
  if (index_path.has_value() == online) {
    return UsageError("outdated", "give exactly one of --index FILE|DIR (offline snapshot) or --online (PyPI JSON API)");
  }
  absl::StatusOr<deps::Inventory> inventory = deps::ReadInputs(spec);
  if (!inventory.ok()) return UsageError("outdated", util::ToStd(inventory.status().message()));

  deps::OutdatedReport report;
  if (index_path) {
    absl::StatusOr<deps::PackageIndex> index = deps::PackageIndex::Load(*index_path);
    if (!index.ok()) return UsageError("outdated", util::ToStd(index.status().message()));
    report = deps::CheckOutdated(*inventory, [&](const std::string& name) -> absl::StatusOr<deps::ReleaseList> {
      if (const deps::ReleaseList* r = index->Find(name)) return *r;
      return absl::NotFoundError("not in the index snapshot");
    });
    report.index_source = index->source();
    report.index_snapshot = index->snapshot();
  } else {
    report = deps::CheckOutdated(*inventory, [](const std::string& name) -> absl::StatusOr<deps::ReleaseList> {
      absl::StatusOr<std::string> body = deps::FetchPyPiDocument(name);
      if (!body.ok()) return absl::UnavailableError(util::StrCat("cannot know: ", util::ToStd(body.status().message())));
      deps::PackageIndex one;
      absl::Status added = one.AddPyPiDocument(*body, util::StrCat("pypi.org/pypi/", name, "/json"));
      if (!added.ok()) return added;
      if (const deps::ReleaseList* r = one.Find(name)) return *r;
      return absl::NotFoundError("PyPI answered for another project name");
    });
    report.index_source = "https://pypi.org/pypi/NAME/json (live)";
  }
  const std::string text = format == "json" ? deps::RenderOutdatedJson(report) : deps::RenderOutdatedTable(report);
  std::fwrite(text.data(), 1, text.size(), stdout);
  for (const deps::OutdatedRow& row : report.rows) {
    if (row.state == deps::Freshness::kOutdated) return kExitFound;
  }
  return kExitClean;
}

}  // namespace kgate::cli
