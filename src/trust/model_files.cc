#include "trust/model_files.h"

#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstdlib>
#include <cstring>
#include <utility>

#include "io/json/json.h"
#include "util/strings.h"

namespace kgate::trust {
namespace {

absl::StatusOr<std::string> RealPath(const std::string& path) {
  char buf[PATH_MAX];
  if (::realpath(path.c_str(), buf) == nullptr) {
    return absl::NotFoundError(util::StrCat(path, ": cannot resolve: ", std::strerror(errno)));
  }
  return std::string(buf);
}

// Lists a directory model's files; see ListOptions for what is refused.
class Walker {
 public:
  Walker(std::string root, const ListOptions& options) : root_(std::move(root)), options_(options) {}

  absl::Status Walk(ModelFiles* out) {
    if (options_.allow_symlinks) {
      absl::StatusOr<std::string> real = RealPath(root_);
      if (!real.ok()) return real.status();
      real_root_ = *real;
    }
    return WalkDirectory(root_, [&](const DirEntry& e) -> absl::StatusOr<bool> {
      if (IsIgnored(e.rel, options_.ignore_paths)) return false;
      const size_t slash = e.rel.rfind('/');
      if (!io::json::IsValidUtf8(slash == std::string::npos ? e.rel : e.rel.substr(slash + 1))) {
        return absl::InvalidArgumentError(
            util::StrCat(e.path, ": file name is not valid UTF-8; signatures name files in UTF-8"));
      }
      if (S_ISDIR(e.st.st_mode)) return true;
      uint64_t size = static_cast<uint64_t>(e.st.st_size);
      if (S_ISLNK(e.st.st_mode)) {
        absl::StatusOr<uint64_t> target_size = CheckSymlink(e.path);
        if (!target_size.ok()) return target_size.status();
        size = *target_size;
      } else if (!S_ISREG(e.st.st_mode)) {
        return absl::FailedPreconditionError(
            util::StrCat(e.path, ": not a regular file (device, FIFO or socket); a model holds only files"));
      }
      out->files.push_back({e.rel, e.path, size});
      return false;
    });
  }

 private:
  // Returns the target's size when the link may be followed.
  absl::StatusOr<uint64_t> CheckSymlink(const std::string& path) {
    if (!options_.allow_symlinks) {
      return absl::FailedPreconditionError(
          util::StrCat(path, ": is a symlink; symlinks are not signed (allow them explicitly to sign their targets)"));
    }
    absl::StatusOr<std::string> target = RealPath(path);
    if (!target.ok()) return absl::FailedPreconditionError(util::StrCat(path, ": symlink does not resolve"));
    if (target->compare(0, real_root_.size() + 1, real_root_ + "/") != 0) {
      return absl::FailedPreconditionError(
          util::StrCat(path, ": symlink leads out of the model root to ", *target));
    }
    struct stat st;
    if (::stat(target->c_str(), &st) != 0 || !S_ISREG(st.st_mode)) {
      return absl::FailedPreconditionError(
          util::StrCat(path, ": symlink target is not a regular file (symlinked directories are not followed)"));
    }
    return static_cast<uint64_t>(st.st_size);
  }

  std::string root_;
  std::string real_root_;
  const ListOptions& options_;
};

}  // namespace

bool IsIgnored(std::string_view name, const std::vector<std::string>& ignore_paths) {
  for (const std::string& ignore : ignore_paths) {
    if (ignore.empty()) continue;
    if (name.size() >= ignore.size() && name.compare(0, ignore.size(), ignore) == 0 &&
        (name.size() == ignore.size() || name[ignore.size()] == '/')) {
      return true;
    }
  }
  return false;
}

std::string NormalizeIgnorePath(std::string_view path) {
  while (path.size() >= 2 && path.substr(0, 2) == "./") path.remove_prefix(2);
  while (!path.empty() && path.back() == '/') path.remove_suffix(1);
  if (path.empty() || path == "." || path.front() == '/' || path == ".." || path.substr(0, 3) == "../") return "";
  return std::string(path);
}

std::string SignatureIgnorePath(const std::string& model_dir, const std::string& signature_path) {
  absl::StatusOr<std::string> root = RealPath(model_dir);
  const size_t slash = signature_path.rfind('/');
  const std::string parent = slash == std::string::npos ? "." : signature_path.substr(0, std::max<size_t>(slash, 1));
  absl::StatusOr<std::string> real_parent = RealPath(parent);
  if (!root.ok() || !real_parent.ok()) return "";
  const std::string base = slash == std::string::npos ? signature_path : signature_path.substr(slash + 1);
  const std::string full = util::StrCat(*real_parent, "/", base);
  if (full.compare(0, root->size() + 1, *root + "/") != 0) return "";
  return full.substr(root->size() + 1);
}

std::string ModelName(const std::string& path) {
  std::string_view p = path;
  while (p.size() > 1 && p.back() == '/') p.remove_suffix(1);
  const size_t slash = p.rfind('/');
  std::string_view name = slash == std::string_view::npos ? p : p.substr(slash + 1);
  if (!name.empty() && name != "." && name != ".." && name != "/") return std::string(name);
  absl::StatusOr<std::string> real = RealPath(path);
  if (!real.ok()) return std::string(name);
  const size_t real_slash = real->rfind('/');
  return real_slash == std::string::npos ? *real : real->substr(real_slash + 1);
}

absl::StatusOr<ModelFiles> ListModelFiles(const std::string& model_path, const ListOptions& options) {
  struct stat st;
  if (::lstat(model_path.c_str(), &st) != 0) {
    if (errno == ENOENT) return absl::NotFoundError(util::StrCat(model_path, ": no such file or directory"));
    return absl::PermissionDeniedError(util::StrCat(model_path, ": cannot stat: ", std::strerror(errno)));
  }
  if (S_ISLNK(st.st_mode)) {
    return absl::FailedPreconditionError(
        util::StrCat(model_path, ": the model path is a symlink; pass the path it resolves to"));
  }
  ModelFiles out;
  out.model_name = ModelName(model_path);
  if (S_ISREG(st.st_mode)) {
    out.files.push_back({".", model_path, static_cast<uint64_t>(st.st_size)});
    return out;
  }
  if (!S_ISDIR(st.st_mode)) {
    return absl::FailedPreconditionError(util::StrCat(model_path, ": not a regular file or directory"));
  }
  out.is_directory = true;
  std::string root = model_path;
  while (root.size() > 1 && root.back() == '/') root.pop_back();
  Walker walker(root, options);
  if (absl::Status s = walker.Walk(&out); !s.ok()) return s;
  return out;
}

}  // namespace kgate::trust
