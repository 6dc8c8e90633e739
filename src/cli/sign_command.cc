// kgate sign MODEL --private-key KEY.pem [--signature FILE]: writes an
// OpenSSF model-signing bundle for the model's exact bytes.
#include <cstdio>
#include <string>

#include "cli/args.h"
#include "cli/commands.h"
#include "trust/digest.h"
#include "trust/ec_key.h"
#include "trust/signer.h"
#include "util/strings.h"

namespace kgate::cli {
namespace {

// Writes beside the target and renames, so a reader never sees half a bundle.
bool WriteFileAtomically(const std::string& path, const std::string& bytes) {
  const std::string tmp = path + ".tmp";
  std::FILE* f = std::fopen(tmp.c_str(), "wb");
  if (f == nullptr) return false;
  const bool written = std::fwrite(bytes.data(), 1, bytes.size(), f) == bytes.size();
  if (std::fclose(f) != 0 || !written || std::rename(tmp.c_str(), path.c_str()) != 0) {
    std::remove(tmp.c_str());
    return false;
  }
  return true;
}

}  // namespace

int RunSign(const std::vector<std::string>& argv) {
  absl::StatusOr<Args> args = Args::Parse(
      argv, {.with_value = {"--private-key", "--signature", "--ignore-path"}, .switches = {"--allow-symlinks"}});
  if (!args.ok()) return UsageError("sign", util::ToStd(args.status().message()));
  if (args->positional().size() != 1) return UsageError("sign", "expected exactly one MODEL (a file or a directory)");
  const std::optional<std::string> key_path = args->Get("--private-key");
  if (!key_path) return UsageError("sign", "--private-key KEY.pem is required (ECDSA P-256, P-384 or P-521)");
  const std::string& model = args->positional()[0];
  absl::StatusOr<trust::PrivateKey> key = trust::PrivateKey::FromPemFile(*key_path);
  if (!key.ok()) return UsageError("sign", util::ToStd(key.status().message()));

  trust::SignOptions options;
  options.signature_path = args->Get("--signature").value_or(trust::DefaultSignaturePath(model));
  options.ignore_paths = args->GetAll("--ignore-path");
  options.allow_symlinks = args->Has("--allow-symlinks");
  absl::StatusOr<trust::SignResult> signed_model = trust::SignModel(model, *key, options);
  if (!signed_model.ok()) return UsageError("sign", util::ToStd(signed_model.status().message()));
  if (!WriteFileAtomically(options.signature_path, signed_model->bundle_json)) {
    return UsageError("sign", util::StrCat("cannot write ", options.signature_path));
  }
  const std::string line = util::StrCat(
      "signed ", model, ": ", signed_model->manifest.resources.size(), " file(s), model digest sha256:",
      trust::ToHex(trust::RootDigest(signed_model->manifest.resources)), ", key sha256:", key->public_key().hint(),
      " (", key->public_key().curve(), ")\nsignature: ", options.signature_path, "\n");
  std::fputs(line.c_str(), stdout);
  return kExitClean;
}

}  // namespace kgate::cli
