#include "keras/h5_audit.h"

#include <variant>

#include "util/rules.h"
#include "util/strings.h"

namespace kgate::keras {
namespace {

namespace rules = util::rules;

std::string JoinPath(std::string_view group, std::string_view name) {
  if (group.empty() || group == "/") return util::StrCat("/", name);
  return util::StrCat(group, "/", name);
}

}  // namespace

Hdf5Inventory AuditHdf5(const io::hdf5::File& file, std::string_view file_label, util::FindingList* findings) {
  Hdf5Inventory inventory;
  auto where = [&](std::string_view path) { return util::StrCat(file_label, ":", path.empty() ? "/" : path); };
  absl::Status walk = file.Visit(
      [&](std::string_view path, const absl::StatusOr<io::hdf5::Object>& object) {
        if (!object.ok()) {
          findings->AddStatus(object.status(), rules::kHdf5Malformed, where(path));
          return;
        }
        if (std::holds_alternative<io::hdf5::Dataset>(*object)) inventory.dataset_paths.emplace_back(path);
      },
      [&](std::string_view group_path, const io::hdf5::Link& link) {
        std::string path = JoinPath(group_path, link.name);
        switch (link.kind) {
          case io::hdf5::LinkKind::kExternal:
            findings->Add(rules::kHdf5ExternalLink,
                          util::StrCat("external link to '", link.target,
                                       "': the file would make a loader open another file"),
                          where(path));
            break;
          case io::hdf5::LinkKind::kSoft:
            findings->Add(rules::kHdf5SoftLink,
                          util::StrCat("soft link to '", link.target, "': only hard links are accepted"), where(path));
            break;
          case io::hdf5::LinkKind::kUserDefined:
            findings->Add(rules::kHdf5SoftLink, "user-defined link: only hard links are accepted", where(path));
            break;
          case io::hdf5::LinkKind::kHard:
            break;
        }
      });
  if (!walk.ok()) {
    findings->AddStatus(walk, rules::kHdf5Malformed, where("/"));
  } else {
    inventory.complete = true;
  }
  return inventory;
}

}  // namespace kgate::keras
