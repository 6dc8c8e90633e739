// File: requirements_file.h
// Reads pip requirements files and `pip freeze` output: "\" continuations,
// comments, option lines (-r/--requirement files are followed, relative to
// the including file; index and build options are skipped), per-requirement
// options (--hash=...), extras, markers, "name @ url" and -e lines. Only
// pinned lines (==V without a wildcard, ===V, or a direct wheel URL) become
// packages; every other requirement is reported as not audited with the
// reason, never guessed.
#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "deps/inventory.h"

namespace kgate::deps {

// A requirements file larger than this is refused; real ones are < 1 MiB
// even with hashes.
inline constexpr uint64_t kMaxRequirementsFileBytes = uint64_t{16} << 20;
// -r nesting deeper than this is refused (and an include cycle is an error).
inline constexpr int kMaxRequirementsIncludeDepth = 16;

absl::StatusOr<Inventory> ReadRequirementsFile(const std::string& path);

// Parses `text` as if it were the file `display_name` (for tests and fuzzing:
// -r lines are reported as not audited instead of being followed).
absl::StatusOr<Inventory> ParseRequirementsText(std::string_view text, const std::string& display_name);

}  // namespace kgate::deps
