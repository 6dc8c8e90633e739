// File: inputs.h
// Reads every input named on a command line (requirements files,
// site-packages directories, lockfiles) and merges them into one Inventory.
#pragma once

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "deps/inventory.h"

namespace kgate::deps {

struct InputSpec {
  std::vector<std::string> requirements;   // -r FILE
  std::vector<std::string> environments;   // --path SITE_PACKAGES
  std::vector<std::string> lockfiles;      // --lock FILE
  bool empty() const { return requirements.empty() && environments.empty() && lockfiles.empty(); }
};

absl::StatusOr<Inventory> ReadInputs(const InputSpec& spec);

}  // namespace kgate::deps
