#include "trust/dir_walk.h"

#include <dirent.h>

#include <cerrno>
#include <cstring>
#include <memory>
#include <utility>
#include <vector>

#include "util/strings.h"

namespace kgate::trust {
namespace {

struct DirCloser {
  void operator()(DIR* d) const { ::closedir(d); }
};

}  // namespace

absl::Status WalkDirectory(const std::string& root,
                           const std::function<absl::StatusOr<bool>(const DirEntry&)>& visit) {
  std::vector<std::pair<std::string, int>> pending = {{"", 0}};
  size_t entries = 0;
  while (!pending.empty()) {
    auto [rel_dir, depth] = std::move(pending.back());
    pending.pop_back();
    const std::string dir_path = rel_dir.empty() ? root : util::StrCat(root, "/", rel_dir);
    std::unique_ptr<DIR, DirCloser> dir(::opendir(dir_path.c_str()));
    if (dir == nullptr) {
      return absl::PermissionDeniedError(util::StrCat(dir_path, ": cannot list directory: ", std::strerror(errno)));
    }
    while (const dirent* d = ::readdir(dir.get())) {
      const std::string_view name = d->d_name;
      if (name == "." || name == "..") continue;
      if (++entries > kMaxModelFiles) {
        return absl::ResourceExhaustedError(
            util::StrCat(root, ": more than ", kMaxModelFiles, " entries; the cap is kMaxModelFiles"));
      }
      DirEntry entry;
      entry.rel = rel_dir.empty() ? std::string(name) : util::StrCat(rel_dir, "/", name);
      entry.path = util::StrCat(root, "/", entry.rel);
      if (::lstat(entry.path.c_str(), &entry.st) != 0) {
        return absl::PermissionDeniedError(util::StrCat(entry.path, ": cannot stat: ", std::strerror(errno)));
      }
      absl::StatusOr<bool> descend = visit(entry);
      if (!descend.ok()) return descend.status();
      if (!*descend || !S_ISDIR(entry.st.st_mode)) continue;
      if (depth + 1 > kMaxModelDepth) {
        return absl::ResourceExhaustedError(
            util::StrCat(entry.path, ": directories nest deeper than ", kMaxModelDepth, " levels"));
      }
      pending.emplace_back(std::move(entry.rel), depth + 1);
    }
  }
  return absl::OkStatus();
}

}  // namespace kgate::trust
