#include "scan/scanner.h"

#include <sys/stat.h>

#include <algorithm>
#include <filesystem>
#include <system_error>

#include "util/mapped_file.h"
#include "util/strings.h"

namespace kgate::scan {
namespace {

namespace fs = std::filesystem;

bool LooksLikeModelName(const fs::path& p) {
  std::string ext = p.extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return std::tolower(c); });
  return ext == ".keras" || ext == ".h5" || ext == ".hdf5";
}

FileResult ErrorResult(const std::string& path, std::string message) {
  FileResult r;
  r.path = path;
  r.verdict = Verdict::kError;
  r.error = std::move(message);
  return r;
}

// Appends the model files under `dir` in name order, without following
// symlinks, up to the option caps.
void Walk(const fs::path& dir, int depth, const ScanOptions& options, std::vector<FileResult>* out,
          size_t* budget) {
  std::error_code ec;
  std::vector<fs::directory_entry> entries;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) entries.push_back(*it);
  if (ec) {
    out->push_back(ErrorResult(dir.string(), util::StrCat("cannot list directory: ", ec.message())));
    return;
  }
  std::sort(entries.begin(), entries.end(),
            [](const fs::directory_entry& a, const fs::directory_entry& b) { return a.path() < b.path(); });
  for (const fs::directory_entry& e : entries) {
    if (*budget == 0) return;
    std::error_code sec;
    fs::file_status st = e.symlink_status(sec);
    if (sec || fs::is_symlink(st)) continue;  // never follow links out of the tree
    if (fs::is_directory(st)) {
      if (depth + 1 >= options.max_depth) {
        out->push_back(ErrorResult(e.path().string(), util::StrCat("directory nesting exceeds ", options.max_depth)));
        continue;
      }
      Walk(e.path(), depth + 1, options, out, budget);
    } else if (fs::is_regular_file(st) && LooksLikeModelName(e.path())) {
      --*budget;
      out->push_back(ScanFile(e.path().string(), options));
    }
  }
}

}  // namespace

std::string_view VerdictName(Verdict v) {
  switch (v) {
    case Verdict::kAccept: return "accept";
    case Verdict::kReject: return "reject";
    case Verdict::kError: return "error";
  }
  return "error";
}

FileResult ScanFile(const std::string& path, const ScanOptions& options) {
  absl::StatusOr<util::MappedFile> file = util::MappedFile::Open(path);
  if (!file.ok()) return ErrorResult(path, std::string(util::ToStd(file.status().message())));
  FileResult r;
  r.path = path;
  r.report = keras::AnalyzeModel(file->data(), path, options.load);
  r.verdict = r.report.findings.Rejects() ? Verdict::kReject : Verdict::kAccept;
  return r;
}

std::vector<FileResult> ScanPaths(const std::vector<std::string>& paths, const ScanOptions& options) {
  std::vector<FileResult> out;
  size_t budget = options.max_files;
  for (const std::string& p : paths) {
    std::error_code ec;
    fs::file_status st = fs::status(p, ec);
    if (ec || !fs::exists(st)) {
      out.push_back(ErrorResult(p, "no such file or directory"));
    } else if (fs::is_directory(st)) {
      Walk(p, 0, options, &out, &budget);
    } else if (budget > 0) {
      --budget;
      out.push_back(ScanFile(p, options));
    }
  }
  return out;
}

}  // namespace kgate::scan
