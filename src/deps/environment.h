// File: environment.h
// Reads an installed Python environment: every `*.dist-info/METADATA` (and
// legacy `*.egg-info/PKG-INFO`) directly under a site-packages directory.
// Only the header block is read (RFC 822 style, up to the first blank line):
// Name, Version and every Requires-Dist, whose names become the package's
// dependencies. Name comes from the header, never from the directory name.
#pragma once

#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "deps/inventory.h"

namespace kgate::deps {

// The header block of one METADATA file may not exceed this; real ones are
// a few KiB (the long description comes after the blank line).
inline constexpr size_t kMaxMetadataHeaderBytes = size_t{1} << 20;
// A site-packages directory with more distributions than this is refused.
inline constexpr size_t kMaxDistributions = 100000;

struct DistMetadata {
  std::string name;
  std::string version;
  std::vector<std::string> requires_dist;  // raw PEP 508 strings
};

// Parses the header block of a METADATA/PKG-INFO text. Errors name the line.
absl::StatusOr<DistMetadata> ParseMetadata(std::string_view text, std::string_view display_name);

// Reads every distribution under `site_packages`, in name order.
absl::StatusOr<Inventory> ReadEnvironment(const std::string& site_packages);

}  // namespace kgate::deps
