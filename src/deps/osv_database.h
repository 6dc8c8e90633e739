// File: osv_database.h
// An in-memory OSV database for the PyPI ecosystem, loaded from a directory
// of OSV JSON files (searched recursively, like the bundled data/osv/) or an
// osv.dev `all.zip`. Records of other ecosystems are skipped. Each loaded
// database names itself: its source and snapshot (from the bundled
// index.json when present, otherwise the newest `modified` time), so every
// report can say which data it used. Immutable after Load; safe to share
// between threads.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "deps/osv.h"

namespace kgate::deps {

// Caps for a database given with --db: osv.dev's PyPI all.zip holds ~20k
// records in ~40 MB; these leave a wide margin yet bound memory.
inline constexpr size_t kMaxOsvRecords = 500000;
inline constexpr uint64_t kMaxOsvRecordBytes = uint64_t{16} << 20;
inline constexpr uint64_t kMaxOsvZipBytes = uint64_t{2} << 30;

// One affected entry of one record.
struct AffectedRef {
  size_t record;
  size_t affected;
};

class OsvDatabase {
 public:
  // Loads `path`: a directory (recursively, *.json) or a .zip file.
  static absl::StatusOr<OsvDatabase> Load(const std::string& path);
  // Builds a database from records already in memory (tests, fuzzing).
  static OsvDatabase FromRecords(std::vector<OsvRecord> records, std::string source, std::string snapshot);

  const std::vector<OsvRecord>& records() const { return records_; }
  // The PyPI affected entries naming `normalized` (a PEP 503 name).
  const std::vector<AffectedRef>& ForPackage(std::string_view normalized) const;

  const std::string& source() const { return source_; }
  const std::string& snapshot() const { return snapshot_; }
  const std::string& path() const { return path_; }
  size_t withdrawn_count() const { return withdrawn_; }

 private:
  void Index();

  std::vector<OsvRecord> records_;
  std::map<std::string, std::vector<AffectedRef>, std::less<>> by_package_;
  std::string source_;
  std::string snapshot_;
  std::string path_;
  size_t withdrawn_ = 0;
};

// Finds the bundled database when --db is not given, in this order:
// $KGATE_OSV_DB; <exe>/../share/kgate/osv (installed); <exe>/../data/osv and
// <exe>/../../data/osv (a build directory inside the source tree); the
// source tree kgate was built from. The error lists every place tried.
absl::StatusOr<std::string> LocateDefaultDatabase();

}  // namespace kgate::deps
