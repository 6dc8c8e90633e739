// File: model_files.h
// Lists the files that make up a model, the way the OpenSSF model-signing
// "files" serialization sees them: a single file is one resource named ".";
// a directory is every regular file below it, named by its relative POSIX
// path, minus ignored paths. Nothing is followed that could lead elsewhere:
// symlinks are refused (or, with allow_symlinks, followed only to regular
// files inside the model root), as are devices, FIFOs and sockets.
//
// Listing is a walk of the file system only; it never reads file contents.
// Thread-compatible (no shared state).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "trust/dir_walk.h"

namespace kgate::trust {

// The paths model-signing ignores by default in every model directory.
inline constexpr std::string_view kGitIgnorePaths[] = {".git", ".gitattributes", ".github", ".gitignore"};

struct ListOptions {
  // Follow symlinks to regular files inside the model root (hashing the
  // target's bytes under the link's name). Links that leave the root, dangle
  // or point at directories are refused even then.
  bool allow_symlinks = false;
  // Relative POSIX paths; a listed path and everything below it is skipped.
  std::vector<std::string> ignore_paths;
};

struct ModelFile {
  std::string name;  // resource name: relative POSIX path, or "." for a single-file model
  std::string path;  // where to open it
  uint64_t size = 0;
};

struct ModelFiles {
  bool is_directory = false;
  std::string model_name;        // last component of the model path (informative only)
  std::vector<ModelFile> files;  // in walk order; see manifest.h for the canonical order
};

absl::StatusOr<ModelFiles> ListModelFiles(const std::string& model_path, const ListOptions& options);

// True if `name` is `ignore` or lies below it ("a/b" is below "a", "ab" is not).
bool IsIgnored(std::string_view name, const std::vector<std::string>& ignore_paths);

// Normalizes an ignore path: drops "./" prefixes and trailing "/"; empty for
// paths that cannot name anything inside a model ("", ".", absolute, "..").
std::string NormalizeIgnorePath(std::string_view path);

// The ignore path that keeps a signature file out of a directory model's
// manifest: `signature_path` relative to `model_dir` when it lies inside it
// (the file need not exist yet), else "".
std::string SignatureIgnorePath(const std::string& model_dir, const std::string& signature_path);

// The file name part of `path` ("m" for "dir/m/"), or of its resolved form
// when that is empty or "..".
std::string ModelName(const std::string& path);

}  // namespace kgate::trust
