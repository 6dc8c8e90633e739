// `kgate schema infer MODEL --data NAME=FILE.npy... [--output FILE]
// [--quantiles LO,HI] [--margin M]`: measures training data and writes the
// `inputs:` section of a kgate.yaml (schema/input_infer.h does the work).

#include <charconv>
#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include "cli/args.h"
#include "cli/commands.h"
#include "cli/engine_model.h"
#include "io/npy/npy.h"
#include "schema/input_infer.h"
#include "serve/input_schema.h"
#include "util/strings.h"

namespace kgate::cli {
namespace {

constexpr std::string_view kCommand = "schema infer";

std::optional<double> ParseDouble(std::string_view text) {
  double d = 0;
  auto r = std::from_chars(text.data(), text.data() + text.size(), d);
  if (r.ec != std::errc() || r.ptr != text.data() + text.size()) return std::nullopt;
  return d;
}

// --quantiles LO,HI and --margin M into `options`; false after a usage error.
bool ParseOptions(const Args& args, schema::InferOptions* options) {
  if (std::optional<std::string> q = args.Get("--quantiles")) {
    const size_t comma = q->find(',');
    std::optional<double> lo, hi;
    if (comma != std::string::npos) {
      lo = ParseDouble(std::string_view(*q).substr(0, comma));
      hi = ParseDouble(std::string_view(*q).substr(comma + 1));
    }
    if (!lo || !hi || !(0 <= *lo && *lo < *hi && *hi <= 1)) {
      UsageError(kCommand, util::StrCat("--quantiles '", *q, "': expected LO,HI with 0 <= LO < HI <= 1"));
      return false;
    }
    options->quantile_low = *lo;
    options->quantile_high = *hi;
  }
  if (std::optional<std::string> m = args.Get("--margin")) {
    std::optional<double> margin = ParseDouble(*m);
    if (!margin || !(*margin >= 0 && *margin <= 1000)) {
      UsageError(kCommand,
                 util::StrCat("--margin '", *m, "': expected a number from 0 to 1000 (0.05 = 5% of the range)"));
      return false;
    }
    options->margin = *margin;
  }
  return true;
}

}  // namespace

int RunSchema(const std::vector<std::string>& argv) {
  if (argv.empty() || argv[0] != "infer") {
    return UsageError("schema", "expected a subcommand: infer MODEL --data NAME=FILE.npy...");
  }
  const std::vector<std::string> rest(argv.begin() + 1, argv.end());
  absl::StatusOr<Args> args =
      Args::Parse(rest, {.with_value = {"--data", "--output", "--quantiles", "--margin"}, .switches = {}});
  if (!args.ok()) return UsageError(kCommand, util::ToStd(args.status().message()));
  if (args->positional().size() != 1) return UsageError(kCommand, "expected one MODEL");
  const std::vector<std::string> data_flags = args->GetAll("--data");
  if (data_flags.empty()) return UsageError(kCommand, "expected at least one --data NAME=FILE.npy");
  schema::InferOptions options;
  if (!ParseOptions(*args, &options)) return kExitUsage;

  LoadedModel loaded = LoadEngineModel(kCommand, args->positional()[0], engine::EngineOptions{});
  if (loaded.model == nullptr) return loaded.exit_code;
  absl::StatusOr<schema::InputSchema> model_schema = serve::SchemaForModel(*loaded.model);
  if (!model_schema.ok()) return UsageError(kCommand, util::ToStd(model_schema.status().message()));

  std::vector<io::npy::Array> arrays;
  arrays.reserve(data_flags.size());  // TrainingData points into it
  std::vector<schema::TrainingData> data;
  std::vector<std::string> comment = {
      util::StrCat("Written by `kgate schema infer` for ", args->positional()[0], " from:")};
  for (const std::string& flag : data_flags) {
    const size_t eq = flag.find('=');
    if (eq == std::string::npos || eq == 0 || eq + 1 == flag.size()) {
      return UsageError(kCommand, util::StrCat("--data '", flag, "': expected NAME=FILE.npy"));
    }
    const std::string file = flag.substr(eq + 1);
    absl::StatusOr<io::npy::Array> a = io::npy::ReadFile(file);
    if (!a.ok()) return UsageError(kCommand, util::StrCat(file, ": ", util::ToStd(a.status().message())));
    arrays.push_back(*std::move(a));
    data.push_back(schema::TrainingData{flag.substr(0, eq), file, &arrays.back()});
    comment.push_back(util::StrCat("  ", flag.substr(0, eq), " = ", file, " (",
                                   arrays.back().shape.empty() ? 0 : arrays.back().shape[0], " rows)"));
  }
  absl::StatusOr<schema::InputSpec> spec = schema::InferInputSpec(*model_schema, data, options);
  if (!spec.ok()) return UsageError(kCommand, util::ToStd(spec.status().message()));
  comment.push_back(util::StrCat("Bounds: the data's min and max, widened on each side by ", options.margin,
                                 " x (max - min) (--margin); integer inputs rounded outward."));
  comment.push_back(util::StrCat("stats (with the ", options.quantile_low, " and ", options.quantile_high,
                                 " quantiles, --quantiles) are recorded for review, not enforced."));
  const std::string yaml = schema::InputSpecToYaml(*spec, comment);

  if (std::optional<std::string> out = args->Get("--output")) {
    std::ofstream f(*out, std::ios::binary | std::ios::trunc);
    if (!f || !f.write(yaml.data(), static_cast<std::streamsize>(yaml.size())) || !f.flush()) {
      return UsageError(kCommand, util::StrCat("--output '", *out, "': cannot write the file"));
    }
    std::fprintf(stderr, "kgate schema infer: wrote %s (%zu input(s))\n", out->c_str(), spec->inputs.size());
  } else {
    std::fwrite(yaml.data(), 1, yaml.size(), stdout);
  }
  return kExitClean;
}

}  // namespace kgate::cli
