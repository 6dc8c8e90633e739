// File: signer.h
// Signs a model in the OpenSSF model-signing format: hashes every file
// (hash_model.h), wraps the manifest in an in-toto v1 statement with the
// model_signing v1.0 predicate, signs its DSSE pre-authentication encoding
// with an ECDSA key and returns the Sigstore bundle JSON that model-signing's
// `verify key` accepts. What is signed are the exact bytes on disk.
//
// Thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "trust/bundle.h"
#include "trust/ec_key.h"
#include "trust/hash_model.h"
#include "trust/manifest.h"

namespace kgate::trust {

struct SignOptions {
  // Where the bundle will be written. When it lies inside a directory model
  // it is left out of the manifest (and recorded in ignore_paths), as
  // model-signing does.
  std::string signature_path;
  std::vector<std::string> ignore_paths;  // more relative paths to leave out
  bool allow_symlinks = false;
  HashOptions hash;
};

struct SignResult {
  Manifest manifest;
  std::string bundle_json;
};

absl::StatusOr<SignResult> SignModel(const std::string& model_path, const PrivateKey& key, const SignOptions& options);

// Signs an arbitrary statement: the DSSE envelope and bundle around
// `statement_json`. SignModel uses it; tests use it to sign statements that
// a real signer would never produce.
absl::StatusOr<Bundle> SignStatement(std::string_view statement_json, const PrivateKey& key);

// Where the signature of `model_path` goes by default: `model.sig` inside a
// model folder, or beside a model file.
std::string DefaultSignaturePath(const std::string& model_path);

// The paths a directory model leaves out of its manifest, in the order
// model-signing records them: the git paths, then the signature file when it
// lies inside the model, then `extra` (normalized; invalid ones dropped).
std::vector<std::string> DefaultIgnorePaths(const std::string& model_path, const std::string& signature_path,
                                            const std::vector<std::string>& extra);

}  // namespace kgate::trust
