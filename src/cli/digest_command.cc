// kgate digest MODEL: the per-file SHA-256 manifest and the model digest
// (the root digest a signature's subject carries), for pinning.
#include <cstdio>
#include <string>

#include "cli/args.h"
#include "cli/commands.h"
#include "io/json/json_writer.h"
#include "trust/hash_model.h"
#include "trust/signer.h"
#include "util/strings.h"

namespace kgate::cli {

int RunDigest(const std::vector<std::string>& argv) {
  absl::StatusOr<Args> args =
      Args::Parse(argv, {.with_value = {"--format", "--ignore-path", "--threads"}, .switches = {"--allow-symlinks"}});
  if (!args.ok()) return UsageError("digest", util::ToStd(args.status().message()));
  if (args->positional().size() != 1) return UsageError("digest", "expected exactly one MODEL (a file or a directory)");
  const std::string format = args->Get("--format").value_or("text");
  if (format != "text" && format != "json") {
    return UsageError("digest", util::StrCat("--format must be text or json, got '", format, "'"));
  }
  trust::HashOptions hash_options;
  if (std::optional<std::string> threads = args->Get("--threads")) {
    hash_options.threads = std::atoi(threads->c_str());
    if (hash_options.threads < 1 || hash_options.threads > 256) {
      return UsageError("digest", util::StrCat("--threads must be 1 to 256, got '", *threads, "'"));
    }
  }
  const std::string& model = args->positional()[0];
  trust::Serialization serialization;
  serialization.allow_symlinks = args->Has("--allow-symlinks");
  serialization.ignore_paths =
      trust::DefaultIgnorePaths(model, trust::DefaultSignaturePath(model), args->GetAll("--ignore-path"));
  absl::StatusOr<trust::Manifest> manifest = trust::HashModel(model, serialization, hash_options);
  if (!manifest.ok()) return UsageError("digest", util::ToStd(manifest.status().message()));
  const std::string root = trust::ToHex(trust::RootDigest(manifest->resources));
  std::string out;
  if (format == "json") {
    io::json::Writer w(/*pretty=*/true);
    w.BeginObject().Key("model").String(model).Key("name").String(manifest->model_name);
    w.Key("digest").BeginObject().Key("sha256").String(root).EndObject();
    w.Key("resources").BeginArray();
    for (const trust::Resource& r : manifest->resources) {
      w.BeginObject().Key("name").String(r.name).Key("sha256").String(trust::ToHex(r.digest)).EndObject();
    }
    w.EndArray().EndObject();
    out = w.Take() + "\n";
  } else {
    for (const trust::Resource& r : manifest->resources) util::StrAppend(&out, trust::ToHex(r.digest), "  ", r.name, "\n");
    util::StrAppend(&out, "sha256:", root, "  model digest (", manifest->resources.size(), " file(s))\n");
  }
  std::fputs(out.c_str(), stdout);
  return kExitClean;
}

}  // namespace kgate::cli
