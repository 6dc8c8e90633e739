// File: lockfile.h
// Reads the lockfiles of Python package managers into an Inventory:
// poetry.lock and uv.lock (TOML, [[package]] with name and version),
// pylock.toml (PEP 751, [[packages]]) and Pipfile.lock (JSON, "default" and
// "develop" sections with "==V" versions). Dependencies recorded in the lock
// become the packages' dependencies. Entries without a version (the project
// itself in uv.lock, VCS or directory sources in pylock.toml) are reported as
// not audited. The kind is chosen from the file name, or given explicitly.
#pragma once

#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "deps/inventory.h"

namespace kgate::deps {

enum class LockKind { kPoetry, kUv, kPylock, kPipfile };

// The kind for a file name (poetry.lock, uv.lock, pylock.toml, pylock.*.toml,
// Pipfile.lock), or an error naming the accepted names.
absl::StatusOr<LockKind> LockKindForPath(std::string_view path);

absl::StatusOr<Inventory> ReadLockfile(const std::string& path);

// Parses lockfile text of the given kind (for tests and fuzzing).
absl::StatusOr<Inventory> ParseLockfile(std::string_view text, LockKind kind, const std::string& display_name);

}  // namespace kgate::deps
