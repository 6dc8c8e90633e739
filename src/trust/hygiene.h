// File: hygiene.h
// Repository hygiene: who could change a model besides its owner. Finds model
// files and folders that are writable by group or others, that belong to a
// user other than the one kgate runs as (root-owned is fine: deploying as root
// and serving as an unprivileged user is the recommended setup), and symlinks,
// in particular those that lead out of the root or nowhere. The walk never
// follows symlinks and reads no file contents.
//
// Thread-compatible.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace kgate::trust {

enum class HygieneIssue {
  kGroupWritable,
  kOtherWritable,
  kForeignOwner,
  kSymlinkInside,   // a symlink whose target stays inside the root
  kSymlinkEscapes,  // a symlink that leads out of the root, or dangles
};

struct HygieneFinding {
  std::string path;
  HygieneIssue issue;
  std::string message;  // "<path>: writable by group (mode 0664)"
};

// "group-writable", "other-writable", "foreign-owner", "symlink", "symlink-escape".
std::string_view HygieneIssueName(HygieneIssue issue);

// Checks `root` (a file or a directory) and, for a directory, everything
// below it, up to kMaxModelFiles entries and kMaxModelDepth levels.
// `owner` is the user kgate runs as.
absl::StatusOr<std::vector<HygieneFinding>> CheckHygiene(const std::string& root, uid_t owner);

}  // namespace kgate::trust
