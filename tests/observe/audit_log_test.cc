// The audit log: the line format (RFC 3339 UTC time, nulls, no body), size
// rotation keeping N files, exactly-once lines under concurrent writers, and
// lost lines counted (never silent) when the file cannot be written.
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "io/json/json.h"
#include "observe/audit_log.h"
#include "util/strings.h"

namespace kgate::observe {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

class AuditLogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::path(::testing::TempDir()) /
           util::StrCat("audit_", ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  static std::vector<std::string> Lines(const fs::path& p) {
    std::ifstream in(p);
    std::vector<std::string> out;
    for (std::string line; std::getline(in, line);) out.push_back(line);
    return out;
  }

  static io::json::Value Json(const std::string& line) {
    absl::StatusOr<io::json::Value> v = io::json::Parse(line);
    EXPECT_TRUE(v.ok()) << v.status() << " in " << line;
    return v.ok() ? *std::move(v) : io::json::Value();
  }

  static AuditRecord Refusal(int i) {
    AuditRecord r;
    r.event = kAuditRefusal;
    r.request_id = util::StrCat("req-", i);
    r.client = "127.0.0.1";
    r.protocol = "kserve";
    r.model = "digits";
    r.version = 3;
    r.status = 400;
    r.rules = {"finite", "range"};
    r.input_sha256 = std::string(64, 'a');
    return r;
  }

  fs::path dir_;
};

TEST_F(AuditLogTest, LineFormat) {
  AuditRecord r = Refusal(7);
  r.time = absl::FromUnixMillis(1796297229123);  // 2026-12-03T11:27:09.123Z
  const std::string line = FormatAuditLine(r);
  EXPECT_EQ(line,
            "{\"time\":\"2026-12-03T11:27:09.123Z\",\"event\":\"refusal\",\"request_id\":\"req-7\","
            "\"client\":\"127.0.0.1\",\"protocol\":\"kserve\",\"model\":\"digits\",\"version\":3,\"status\":400,"
            "\"rules\":[\"finite\",\"range\"],\"input_sha256\":\"" +
                std::string(64, 'a') + "\"}\n");
  AuditRecord empty;
  empty.event = kAuditModelRefused;
  empty.model = "m\"x";
  empty.detail = std::string(5000, 'd');
  const io::json::Value v = Json(FormatAuditLine(empty));
  EXPECT_TRUE(v.Find("client")->is_null());
  EXPECT_TRUE(v.Find("version")->is_null());
  EXPECT_TRUE(v.Find("input_sha256")->is_null());
  EXPECT_EQ(v.Find("model")->string(), "m\"x");
  EXPECT_EQ(v.Find("detail")->string().size(), kMaxAuditDetailBytes);
  // Stamped now, in UTC with a Z.
  EXPECT_THAT(v.Find("time")->string(), ::testing::MatchesRegex("20[0-9][0-9]-[01][0-9]-[0-3][0-9]T[0-9:]{8}\\.[0-9]{3}Z"));
}

TEST_F(AuditLogTest, RotatesBySizeKeepingNFiles) {
  const fs::path path = dir_ / "audit.log";
  const size_t line_bytes = FormatAuditLine(Refusal(100)).size();
  {
    absl::StatusOr<std::unique_ptr<AuditLog>> log =
        AuditLog::Open({.path = path.string(), .max_bytes = 4096, .max_files = 2}, nullptr);
    ASSERT_TRUE(log.ok()) << log.status();
    for (int i = 100; i < 400; ++i) (*log)->Write(Refusal(i));
    (*log)->Flush();
    const AuditLog::Stats s = (*log)->stats();
    EXPECT_EQ(s.written, 300u);
    const size_t per_file = 4096 / line_bytes;
    EXPECT_EQ(s.rotations, (300 + per_file - 1) / per_file - 1);
  }
  EXPECT_TRUE(fs::exists(path));
  EXPECT_TRUE(fs::exists(dir_ / "audit.log.1"));
  EXPECT_TRUE(fs::exists(dir_ / "audit.log.2"));
  EXPECT_FALSE(fs::exists(dir_ / "audit.log.3"));
  // The newest lines are in PATH, the ones before them in PATH.1, then PATH.2.
  std::vector<std::string> all;
  for (const fs::path& p : {dir_ / "audit.log.2", dir_ / "audit.log.1", path}) {
    EXPECT_LE(fs::file_size(p), 4096u);
    for (std::string& l : Lines(p)) all.push_back(std::move(l));
  }
  ASSERT_FALSE(all.empty());
  int expected = 400 - static_cast<int>(all.size());
  for (const std::string& l : all) EXPECT_EQ(Json(l).Find("request_id")->string(), util::StrCat("req-", expected++));
}

TEST_F(AuditLogTest, AppendsToAnExistingFileAcrossRestarts) {
  const fs::path path = dir_ / "audit.log";
  for (int round = 0; round < 2; ++round) {
    absl::StatusOr<std::unique_ptr<AuditLog>> log = AuditLog::Open({.path = path.string()}, nullptr);
    ASSERT_TRUE(log.ok());
    (*log)->Write(Refusal(round));
  }  // destruction drains the queue
  EXPECT_EQ(Lines(path).size(), 2u);
}

TEST_F(AuditLogTest, ConcurrentWritersGetWholeLinesExactlyOnce) {
  const fs::path path = dir_ / "audit.log";
  constexpr int kThreads = 8;
  constexpr int kEach = 1500;
  Registry registry;
  {
    absl::StatusOr<std::unique_ptr<AuditLog>> log = AuditLog::Open(
        {.path = path.string(), .max_bytes = 64 << 10, .max_files = 100, .max_queue_lines = kThreads * kEach},
        &registry);
    ASSERT_TRUE(log.ok());
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([&, t] {
        for (int i = 0; i < kEach; ++i) (*log)->Write(Refusal(t * kEach + i));
      });
    }
    for (std::thread& t : threads) t.join();
    (*log)->Flush();
    EXPECT_EQ((*log)->stats().written, static_cast<uint64_t>(kThreads * kEach));
    EXPECT_GT((*log)->stats().rotations, 0u);
  }
  std::map<std::string, int> seen;
  for (const fs::directory_entry& e : fs::directory_iterator(dir_)) {
    EXPECT_LE(e.file_size(), 64u << 10);
    for (const std::string& l : Lines(e.path())) ++seen[Json(l).Find("request_id")->string()];
  }
  EXPECT_EQ(seen.size(), static_cast<size_t>(kThreads * kEach));
  for (const auto& [id, n] : seen) EXPECT_EQ(n, 1) << id;
  EXPECT_THAT(registry.Expose(),
              HasSubstr(util::StrCat("kgate_audit_records_total{outcome=\"written\"} ", kThreads * kEach, "\n")));
}

TEST_F(AuditLogTest, AFullQueueCountsWhatItRefuses) {
  const fs::path path = dir_ / "audit.log";
  constexpr int kThreads = 4;
  constexpr int kEach = 5000;
  absl::StatusOr<std::unique_ptr<AuditLog>> log =
      AuditLog::Open({.path = path.string(), .max_queue_lines = 1}, nullptr);
  ASSERT_TRUE(log.ok());
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < kEach; ++i) (*log)->Write(Refusal(i));
    });
  }
  for (std::thread& t : threads) t.join();
  (*log)->Flush();
  const AuditLog::Stats s = (*log)->stats();
  EXPECT_EQ(s.written + s.queue_full, static_cast<uint64_t>(kThreads * kEach));
  EXPECT_EQ(Lines(path).size(), s.written);
}

TEST_F(AuditLogTest, UnwritableFileCountsLostLines) {
  const fs::path sub = dir_ / "gone";
  fs::create_directories(sub);
  Registry registry;
  absl::StatusOr<std::unique_ptr<AuditLog>> log =
      AuditLog::Open({.path = (sub / "audit.log").string(), .max_bytes = 1024, .max_files = 1}, &registry);
  ASSERT_TRUE(log.ok());
  fs::remove_all(sub);  // the next rotation cannot reopen the file
  for (int i = 0; i < 20; ++i) (*log)->Write(Refusal(i));
  (*log)->Flush();
  const AuditLog::Stats s = (*log)->stats();
  EXPECT_GT(s.write_errors, 0u);
  EXPECT_EQ(s.written + s.write_errors, 20u);
  EXPECT_THAT(registry.Expose(), HasSubstr(util::StrCat("kgate_audit_records_total{outcome=\"write_error\"} ",
                                                        s.write_errors, "\n")));
}

TEST_F(AuditLogTest, OpenRefusesWhatCannotBeALog) {
  EXPECT_FALSE(AuditLog::Open({.path = (dir_ / "no" / "such" / "dir.log").string()}, nullptr).ok());
  EXPECT_FALSE(AuditLog::Open({.path = dir_.string()}, nullptr).ok());  // a directory
  EXPECT_FALSE(AuditLog::Open({.path = (dir_ / "a.log").string(), .max_bytes = 10}, nullptr).ok());
  fs::create_symlink(dir_ / "target.log", dir_ / "link.log");
  EXPECT_FALSE(AuditLog::Open({.path = (dir_ / "link.log").string()}, nullptr).ok());
}

}  // namespace
}  // namespace kgate::observe
