#include "trust/signer.h"

#include <sys/stat.h>

#include <algorithm>

#include "trust/dsse.h"
#include "trust/model_files.h"
#include "trust/statement.h"
#include "util/status_macros.h"

namespace kgate::trust {

std::string DefaultSignaturePath(const std::string& model_path) {
  struct stat st;
  std::string folder = model_path;
  if (::stat(model_path.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
    const size_t slash = model_path.rfind('/');
    folder = slash == std::string::npos ? "." : model_path.substr(0, std::max<size_t>(slash, 1));
  }
  while (folder.size() > 1 && folder.back() == '/') folder.pop_back();
  return folder + "/model.sig";
}

std::vector<std::string> DefaultIgnorePaths(const std::string& model_path, const std::string& signature_path,
                                            const std::vector<std::string>& extra) {
  std::vector<std::string> out(std::begin(kGitIgnorePaths), std::end(kGitIgnorePaths));
  auto add = [&out](std::string p) {
    if (!p.empty() && std::find(out.begin(), out.end(), p) == out.end()) out.push_back(std::move(p));
  };
  struct stat st;
  if (!signature_path.empty() && ::stat(model_path.c_str(), &st) == 0 && S_ISDIR(st.st_mode)) {
    add(SignatureIgnorePath(model_path, signature_path));
  }
  for (const std::string& p : extra) add(NormalizeIgnorePath(p));
  return out;
}

absl::StatusOr<Bundle> SignStatement(std::string_view statement_json, const PrivateKey& key) {
  Bundle bundle;
  bundle.public_key_hint = key.public_key().hint();
  bundle.payload_type = std::string(kInTotoPayloadType);
  bundle.payload = std::string(statement_json);
  KGATE_ASSIGN_OR_RETURN(std::string sig, key.Sign(Pae(bundle.payload_type, bundle.payload)));
  bundle.signatures.push_back({std::move(sig), ""});
  return bundle;
}

absl::StatusOr<SignResult> SignModel(const std::string& model_path, const PrivateKey& key, const SignOptions& options) {
  Serialization serialization;
  serialization.allow_symlinks = options.allow_symlinks;
  serialization.ignore_paths = DefaultIgnorePaths(model_path, options.signature_path, options.ignore_paths);
  SignResult result;
  KGATE_ASSIGN_OR_RETURN(result.manifest, HashModel(model_path, serialization, options.hash));
  KGATE_ASSIGN_OR_RETURN(const Bundle bundle, SignStatement(StatementJson(result.manifest), key));
  result.bundle_json = SerializeBundle(bundle);
  return result;
}

}  // namespace kgate::trust
