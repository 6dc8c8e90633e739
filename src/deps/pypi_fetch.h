// File: pypi_fetch.h
// Fetches one PyPI JSON API document (https://pypi.org/pypi/NAME/json) for
// `kgate outdated --online`, by running the system `curl` (Debian package
// `curl`) with an argument vector, never a shell: a bounded size, a time
// limit, HTTPS only. kgate links no HTTP library; when curl is missing or
// the network is not reachable the caller reports "cannot know".
#pragma once

#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace kgate::deps {

inline constexpr int kPyPiTimeoutSeconds = 15;
inline constexpr size_t kMaxPyPiDocumentBytes = size_t{64} << 20;

// `normalized` must be a valid PEP 503 name (checked; it becomes part of a URL).
absl::StatusOr<std::string> FetchPyPiDocument(std::string_view normalized);

}  // namespace kgate::deps
