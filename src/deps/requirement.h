// File: requirement.h
// PEP 503 project names and PEP 508 requirement specifiers, the parts an
// audit needs: the name, extras, version specifiers, a direct URL and the
// marker text (kept verbatim, not evaluated). A requirement is "pinned" when
// it names exactly one version: `==V` without a wildcard, or `===V`.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace kgate::deps {

// Requirement lines longer than this are refused (a real one is < 200 bytes
// before its hashes, which the requirements reader strips first).
inline constexpr size_t kMaxRequirementBytes = 8192;

// PEP 503: runs of "-", "_", "." become one "-", and letters are lower-cased.
std::string NormalizeName(std::string_view name);

// True for a PEP 508 name: ASCII letters and digits, with ".", "-", "_"
// inside but not at either end.
bool IsValidName(std::string_view name);

struct Specifier {
  std::string op;       // "==", "!=", "<=", ">=", "<", ">", "~=", "==="
  std::string version;  // as written, trimmed
};

struct Requirement {
  std::string name;                 // as written
  std::vector<std::string> extras;  // as written
  std::vector<Specifier> specifiers;
  std::string url;                  // for "name @ url"
  std::string marker;               // text after ";", trimmed

  // The pinned version, when the specifiers name exactly one.
  std::optional<std::string> PinnedVersion() const;
};

// Parses one PEP 508 requirement ("keras[jax]>=3.0,<4 ; python_version>'3.9'").
// Errors name the text and what was expected at which offset.
absl::StatusOr<Requirement> ParseRequirement(std::string_view text);

// The version in a wheel file name ("name-1.2.3-py3-none-any.whl" -> "1.2.3"),
// from the last path segment of `url`; nullopt when it is not a wheel name.
std::optional<std::string> WheelVersionFromUrl(std::string_view url);

}  // namespace kgate::deps
