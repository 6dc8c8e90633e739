// File: test_util.h
// Helpers shared by the deps tests: paths to committed fixtures and a
// throw-away directory that removes itself.
#pragma once

#include <filesystem>
#include <fstream>
#include <string>

#include "deps/osv_database.h"
#include "gtest/gtest.h"

namespace kgate::deps::testing {

inline std::string SourceDir() {
  const char* env = std::getenv("KGATE_SOURCE_DIR");
  return env != nullptr ? env : KGATE_SOURCE_DIR;
}

inline std::string Fixture(const std::string& relative) {
  return SourceDir() + "/tests/deps/fixtures/" + relative;
}

inline std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// The bundled snapshot (data/osv), loaded once per test binary.
inline const OsvDatabase& SnapshotDatabase() {
  static const OsvDatabase db = [] {
    absl::StatusOr<OsvDatabase> loaded = OsvDatabase::Load(SourceDir() + "/data/osv");
    if (!loaded.ok()) {
      ADD_FAILURE() << loaded.status();
      return OsvDatabase::FromRecords({}, "missing", "");
    }
    return *std::move(loaded);
  }();
  return db;
}

class TempDir {
 public:
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "kgate-deps-XXXXXX").string();
    path_ = mkdtemp(tmpl.data());
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  const std::string& path() const { return path_; }
  std::string Write(const std::string& name, const std::string& text) const {
    std::filesystem::path p = std::filesystem::path(path_) / name;
    std::filesystem::create_directories(p.parent_path());
    std::ofstream(p, std::ios::binary) << text;
    return p.string();
  }

 private:
  std::string path_;
};

}  // namespace kgate::deps::testing
