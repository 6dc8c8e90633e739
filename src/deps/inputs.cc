#include "deps/inputs.h"

#include "deps/audit.h"
#include "deps/environment.h"
#include "deps/lockfile.h"
#include "deps/requirements_file.h"
#include "util/status_macros.h"

namespace kgate::deps {

absl::StatusOr<Inventory> ReadInputs(const InputSpec& spec) {
  std::vector<Inventory> parts;
  for (const std::string& path : spec.requirements) {
    KGATE_ASSIGN_OR_RETURN(Inventory inv, ReadRequirementsFile(path));
    parts.push_back(std::move(inv));
  }
  for (const std::string& path : spec.environments) {
    KGATE_ASSIGN_OR_RETURN(Inventory inv, ReadEnvironment(path));
    parts.push_back(std::move(inv));
  }
  for (const std::string& path : spec.lockfiles) {
    KGATE_ASSIGN_OR_RETURN(Inventory inv, ReadLockfile(path));
    parts.push_back(std::move(inv));
  }
  return MergeInventories(std::move(parts));
}

}  // namespace kgate::deps
