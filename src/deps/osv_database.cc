#include "deps/osv_database.h"

#include <unistd.h>

#include <algorithm>
#include <filesystem>

#include "io/zip/zip_reader.h"
#include "util/mapped_file.h"
#include "util/status_macros.h"
#include "util/strings.h"

#ifndef KGATE_OSV_SOURCE_DIR
#define KGATE_OSV_SOURCE_DIR ""
#endif

namespace kgate::deps {
namespace {

namespace fs = std::filesystem;

bool IsPyPi(std::string_view ecosystem) { return ecosystem == "PyPI" || ecosystem.rfind("PyPI:", 0) == 0; }

struct Loader {
  std::vector<OsvRecord> records;
  std::string newest_modified;

  absl::Status Add(std::string_view text, const std::string& source) {
    if (records.size() >= kMaxOsvRecords) {
      return absl::ResourceExhaustedError(util::StrCat("database has more than ", kMaxOsvRecords, " records"));
    }
    KGATE_ASSIGN_OR_RETURN(OsvRecord rec, ParseOsvRecord(text, source));
    bool relevant = std::any_of(rec.affected.begin(), rec.affected.end(),
                                [](const OsvAffected& a) { return IsPyPi(a.ecosystem); });
    if (!relevant) return absl::OkStatus();
    newest_modified = std::max(newest_modified, rec.modified);
    records.push_back(std::move(rec));
    return absl::OkStatus();
  }
};

std::string_view AsText(std::span<const uint8_t> bytes) {
  return {reinterpret_cast<const char*>(bytes.data()), bytes.size()};
}

// The bundled snapshot's index.json: {"source", "commit", "commit_date", ...}.
void ReadIndex(const fs::path& index, std::string* source, std::string* snapshot) {
  absl::StatusOr<util::MappedFile> file = util::MappedFile::Open(index.string(), kMaxOsvRecordBytes);
  if (!file.ok()) return;
  absl::StatusOr<io::json::Value> doc = io::json::Parse(AsText(file->data()));
  if (!doc.ok() || !doc->is_object()) return;
  const io::json::Value* src = doc->Find("source");
  const io::json::Value* commit = doc->Find("commit");
  const io::json::Value* date = doc->Find("commit_date");
  if (src && src->is_string()) {
    *source = src->string();
    if (commit && commit->is_string()) util::StrAppend(source, " @ ", commit->string().substr(0, 12));
  }
  if (date && date->is_string()) *snapshot = date->string();
}

absl::Status LoadDirectory(const fs::path& dir, Loader* loader) {
  std::vector<fs::path> files;
  std::error_code ec;
  for (fs::recursive_directory_iterator it(dir, fs::directory_options::none, ec), end; !ec && it != end;
       it.increment(ec)) {
    if (it->is_regular_file(ec) && it->path().extension() == ".json" &&
        !(it.depth() == 0 && it->path().filename() == "index.json")) {
      files.push_back(it->path());
    }
    if (files.size() > kMaxOsvRecords) {
      return absl::ResourceExhaustedError(util::StrCat(dir.string(), ": more than ", kMaxOsvRecords, " files"));
    }
  }
  if (ec) return absl::InternalError(util::StrCat(dir.string(), ": cannot list: ", ec.message()));
  std::sort(files.begin(), files.end());
  for (const fs::path& f : files) {
    KGATE_ASSIGN_OR_RETURN(util::MappedFile file, util::MappedFile::Open(f.string(), kMaxOsvRecordBytes));
    KGATE_RETURN_IF_ERROR(loader->Add(AsText(file.data()), f.lexically_relative(dir).string()));
  }
  return absl::OkStatus();
}

absl::Status LoadZip(const std::string& path, Loader* loader) {
  KGATE_ASSIGN_OR_RETURN(util::MappedFile file, util::MappedFile::Open(path, kMaxOsvZipBytes));
  io::zip::Limits limits;
  limits.max_entries = static_cast<uint32_t>(kMaxOsvRecords);
  limits.max_member_bytes = kMaxOsvRecordBytes;
  limits.max_total_bytes = uint64_t{8} << 30;
  absl::StatusOr<io::zip::ZipArchive> zip = io::zip::ZipArchive::Open(file.data(), limits);
  if (!zip.ok()) return absl::InvalidArgumentError(util::StrCat(path, ": ", util::ToStd(zip.status().message())));
  for (const io::zip::Entry& entry : zip->entries()) {
    if (entry.name.size() < 5 || entry.name.compare(entry.name.size() - 5, 5, ".json") != 0) continue;
    absl::StatusOr<io::zip::MemberData> data = zip->Read(entry);
    if (!data.ok()) return absl::InvalidArgumentError(util::StrCat(path, ": ", util::ToStd(data.status().message())));
    KGATE_RETURN_IF_ERROR(loader->Add(data->text(), util::StrCat(fs::path(path).filename().string(), ":", entry.name)));
  }
  return absl::OkStatus();
}

std::string ExecutableDir() {
  std::error_code ec;
  fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  return ec ? std::string() : exe.parent_path().string();
}

}  // namespace

absl::StatusOr<OsvDatabase> OsvDatabase::Load(const std::string& path) {
  std::error_code ec;
  Loader loader;
  OsvDatabase db;
  db.path_ = path;
  if (fs::is_directory(path, ec)) {
    KGATE_RETURN_IF_ERROR(LoadDirectory(path, &loader));
    ReadIndex(fs::path(path) / "index.json", &db.source_, &db.snapshot_);
  } else if (fs::is_regular_file(path, ec)) {
    KGATE_RETURN_IF_ERROR(LoadZip(path, &loader));
  } else {
    return absl::NotFoundError(util::StrCat(path, ": no such OSV database (expected a directory of OSV JSON files or an osv.dev all.zip)"));
  }
  if (db.source_.empty()) db.source_ = path;
  if (db.snapshot_.empty()) db.snapshot_ = loader.newest_modified;
  db.records_ = std::move(loader.records);
  db.Index();
  return db;
}

OsvDatabase OsvDatabase::FromRecords(std::vector<OsvRecord> records, std::string source, std::string snapshot) {
  OsvDatabase db;
  db.records_ = std::move(records);
  db.source_ = std::move(source);
  db.snapshot_ = std::move(snapshot);
  db.Index();
  return db;
}

void OsvDatabase::Index() {
  by_package_.clear();
  withdrawn_ = 0;
  for (size_t r = 0; r < records_.size(); ++r) {
    if (!records_[r].withdrawn.empty()) ++withdrawn_;
    for (size_t a = 0; a < records_[r].affected.size(); ++a) {
      const OsvAffected& aff = records_[r].affected[a];
      if (IsPyPi(aff.ecosystem)) by_package_[aff.normalized].push_back({r, a});
    }
  }
}

const std::vector<AffectedRef>& OsvDatabase::ForPackage(std::string_view normalized) const {
  static const std::vector<AffectedRef> kNone;
  auto it = by_package_.find(normalized);
  return it == by_package_.end() ? kNone : it->second;
}

absl::StatusOr<std::string> LocateDefaultDatabase() {
  std::vector<std::string> candidates;
  // An explicit setting is used as is: a wrong one should fail loudly, not
  // fall back to the bundled data.
  if (const char* env = std::getenv("KGATE_OSV_DB"); env != nullptr && *env != '\0') return std::string(env);
  if (std::string exe = ExecutableDir(); !exe.empty()) {
    candidates.push_back(util::StrCat(exe, "/../share/kgate/osv"));
    candidates.push_back(util::StrCat(exe, "/../data/osv"));
    candidates.push_back(util::StrCat(exe, "/../../data/osv"));
  }
  if (std::string_view(KGATE_OSV_SOURCE_DIR).size() > 0) candidates.emplace_back(KGATE_OSV_SOURCE_DIR);
  std::error_code ec;
  for (const std::string& c : candidates) {
    if (fs::is_directory(c, ec)) return fs::weakly_canonical(c, ec).string();
  }
  return absl::NotFoundError(util::StrCat("no OSV database found (tried ", util::StrJoin(candidates, ", "),
                                          "); pass --db DIR|ZIP or set KGATE_OSV_DB"));
}

}  // namespace kgate::deps
