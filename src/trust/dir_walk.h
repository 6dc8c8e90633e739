// File: dir_walk.h
// A bounded walk of a model folder that never follows symlinks: every entry
// below the root is lstat'ed and handed to a visitor, which decides whether a
// folder is entered. Shared by the manifest listing and the hygiene checks so
// that both see the same tree under the same caps.
#pragma once

#include <sys/stat.h>

#include <functional>
#include <string>

#include "absl/status/statusor.h"

namespace kgate::trust {

// A model folder with more entries than this is refused: a manifest lists
// every file, and a real Keras or SavedModel folder has a handful.
inline constexpr size_t kMaxModelFiles = 100'000;
// Deeper nesting is refused; model folders are two or three levels deep.
inline constexpr int kMaxModelDepth = 32;

struct DirEntry {
  std::string rel;   // relative POSIX path below the root
  std::string path;  // root + "/" + rel
  struct stat st;    // from lstat: a symlink is reported as a symlink
};

// Calls `visit` for each entry (never "." or ".."); a folder is entered when
// `visit` returns true for it. Stops at the first error from `visit` or the
// file system, and with kResourceExhausted past kMaxModelFiles entries or
// kMaxModelDepth levels.
absl::Status WalkDirectory(const std::string& root,
                           const std::function<absl::StatusOr<bool>(const DirEntry&)>& visit);

}  // namespace kgate::trust
