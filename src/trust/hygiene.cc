#include "trust/hygiene.h"

#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstdlib>
#include <cstring>
#include <memory>

#include "trust/dir_walk.h"
#include "util/strings.h"

namespace kgate::trust {
namespace {

std::string Octal(mode_t mode) {
  char buf[8];
  std::snprintf(buf, sizeof(buf), "%04o", static_cast<unsigned>(mode & 07777));
  return buf;
}

class HygieneWalk {
 public:
  HygieneWalk(std::string real_root, uid_t owner) : real_root_(std::move(real_root)), owner_(owner) {}

  void CheckEntry(const std::string& path, const struct stat& st) {
    if (S_ISLNK(st.st_mode)) {
      CheckSymlink(path);
      return;
    }
    if ((st.st_mode & S_IWGRP) != 0) {
      Add(path, HygieneIssue::kGroupWritable, util::StrCat("writable by group (mode ", Octal(st.st_mode), ")"));
    }
    if ((st.st_mode & S_IWOTH) != 0) {
      Add(path, HygieneIssue::kOtherWritable, util::StrCat("writable by others (mode ", Octal(st.st_mode), ")"));
    }
    if (st.st_uid != owner_ && st.st_uid != 0) {
      Add(path, HygieneIssue::kForeignOwner,
          util::StrCat("owned by uid ", static_cast<uint64_t>(st.st_uid), ", not by uid ",
                       static_cast<uint64_t>(owner_), " (kgate) or root"));
    }
  }

  std::vector<HygieneFinding> Take() { return std::move(findings_); }

 private:
  void CheckSymlink(const std::string& path) {
    char buf[PATH_MAX];
    if (::realpath(path.c_str(), buf) == nullptr) {
      Add(path, HygieneIssue::kSymlinkEscapes, "symlink does not resolve (dangling or a loop)");
      return;
    }
    const std::string target = buf;
    if (target != real_root_ && target.compare(0, real_root_.size() + 1, real_root_ + "/") != 0) {
      Add(path, HygieneIssue::kSymlinkEscapes, util::StrCat("symlink leads out of ", real_root_, " to ", target));
      return;
    }
    Add(path, HygieneIssue::kSymlinkInside, util::StrCat("symlink to ", target));
  }

  void Add(const std::string& path, HygieneIssue issue, std::string what) {
    findings_.push_back({path, issue, util::StrCat(path, ": ", what)});
  }

  std::string real_root_;
  uid_t owner_;
  std::vector<HygieneFinding> findings_;
};

}  // namespace

std::string_view HygieneIssueName(HygieneIssue issue) {
  switch (issue) {
    case HygieneIssue::kGroupWritable: return "group-writable";
    case HygieneIssue::kOtherWritable: return "other-writable";
    case HygieneIssue::kForeignOwner: return "foreign-owner";
    case HygieneIssue::kSymlinkInside: return "symlink";
    case HygieneIssue::kSymlinkEscapes: return "symlink-escape";
  }
  return "unknown";
}

absl::StatusOr<std::vector<HygieneFinding>> CheckHygiene(const std::string& root, uid_t owner) {
  struct stat st;
  if (::lstat(root.c_str(), &st) != 0) {
    return absl::NotFoundError(util::StrCat(root, ": cannot stat: ", std::strerror(errno)));
  }
  // A directory is its own root; a file (or a symlink) is judged against the
  // folder that holds it.
  std::string base = root;
  if (!S_ISDIR(st.st_mode)) {
    const size_t slash = root.rfind('/');
    base = slash == std::string::npos ? "." : root.substr(0, std::max<size_t>(slash, 1));
  }
  char buf[PATH_MAX];
  if (::realpath(base.c_str(), buf) == nullptr) {
    return absl::NotFoundError(util::StrCat(base, ": cannot resolve: ", std::strerror(errno)));
  }
  HygieneWalk walk(buf, owner);
  walk.CheckEntry(root, st);
  if (!S_ISDIR(st.st_mode)) return walk.Take();
  absl::Status walked = WalkDirectory(root, [&walk](const DirEntry& e) -> absl::StatusOr<bool> {
    walk.CheckEntry(e.path, e.st);
    return true;
  });
  if (!walked.ok()) return walked;
  return walk.Take();
}

}  // namespace kgate::trust
