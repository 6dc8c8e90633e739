// File: audit_log.h
// The audit log: one JSON line per refused request, per flagged output and
// per model refused at load, naming who (client address), what (model,
// version, protocol), which rules, the HTTP status, the request id and a
// SHA-256 of the request body as received, never the body itself.
//
// Writers never wait on the disk: Write formats the line and appends it to a
// bounded in-memory queue that one writer thread drains with write(2) on an
// O_APPEND descriptor, so lines from concurrent requests never interleave.
// Nothing is lost silently: a line that finds the queue full, or that the
// disk refuses (ENOSPC, EIO, a removed directory), is counted in
// kgate_audit_records_total{outcome="queue_full"|"write_error"} and reported
// on stderr (the first of each run of failures, then how many were lost once
// writes succeed again); a failed file is reopened for the next line.
//
// Rotation by size, without copy or truncate: when the next line would take
// the file past max_bytes, PATH.{N-1} becomes PATH.N (the oldest, PATH.N, is
// replaced), ..., PATH becomes PATH.1, and a new PATH is opened. One process
// owns a log file; two servers must not share a path. Lines reach the page
// cache promptly but are not fsync'ed one by one; destruction drains the
// queue first.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "observe/registry.h"

namespace kgate::observe {

struct AuditLogOptions {
  std::string path;
  uint64_t max_bytes = uint64_t{64} << 20;  // per file; a line larger than this still gets a file of its own
  int max_files = 5;                        // rotated files kept beside PATH: PATH.1 .. PATH.max_files (0: none)
  size_t max_queue_lines = 8192;            // lines waiting for the writer before new ones are refused
};

// One event. Empty strings and zero numbers are written as null.
struct AuditRecord {
  absl::Time time = absl::InfinitePast();  // InfinitePast: stamped by Write
  std::string event;                       // kAuditRefusal, kAuditOutputFlagged, kAuditModelRefused
  std::string request_id;
  std::string client;    // peer IP address
  std::string protocol;  // "tfserving", "kserve", "http", "metrics"
  std::string model;     // only a name the repository knows
  int64_t version = 0;
  int status = 0;        // the HTTP status sent
  std::vector<std::string> rules;  // at most kMaxAuditRules are written
  std::string input_sha256;        // lowercase hex of the request body as received
  std::string detail;    // model events only (which file, which key); never request content
};

inline constexpr char kAuditRefusal[] = "refusal";
inline constexpr char kAuditOutputFlagged[] = "output_flagged";
inline constexpr char kAuditModelRefused[] = "model_refused";
inline constexpr size_t kMaxAuditRules = 64;
inline constexpr size_t kMaxAuditDetailBytes = 1024;

// The JSON line for `record` (with its trailing '\n'); time in RFC 3339 UTC
// with milliseconds, e.g. "2026-12-03T11:20:29.123Z".
std::string FormatAuditLine(const AuditRecord& record);

class AuditLog {
 public:
  // Opens (appending to) PATH now, so a bad path fails at startup; counts
  // outcomes in `registry` when one is given (it must outlive the log).
  static absl::StatusOr<std::unique_ptr<AuditLog>> Open(AuditLogOptions options, Registry* registry);
  ~AuditLog();  // writes what is queued, then stops the writer
  AuditLog(const AuditLog&) = delete;
  AuditLog& operator=(const AuditLog&) = delete;

  // Queues one line; never blocks on the disk. Thread-safe.
  void Write(const AuditRecord& record);
  // Waits until every line queued before the call is written or counted lost.
  void Flush();

  struct Stats {
    uint64_t written = 0;
    uint64_t queue_full = 0;
    uint64_t write_errors = 0;
    uint64_t rotations = 0;
  };
  Stats stats() const;

 private:
  explicit AuditLog(AuditLogOptions options);
  absl::Status OpenFile();
  void Run();
  void WriteLine(const std::string& line);
  void Rotate();
  void CountLost(const char* why, uint64_t* counter, Counter* metric);

  const AuditLogOptions options_;
  int fd_ = -1;         // writer thread only (after Open)
  uint64_t size_ = 0;   // writer thread only
  bool failing_ = false;
  uint64_t lost_in_failure_ = 0;

  mutable std::mutex mu_;
  std::condition_variable wake_;
  std::condition_variable drained_;
  std::deque<std::string> queue_;
  uint64_t queued_seq_ = 0;  // lines accepted so far
  uint64_t done_seq_ = 0;    // lines written or counted lost so far
  bool stop_ = false;
  Stats stats_;
  absl::Time last_queue_full_report_ = absl::InfinitePast();

  Counter* written_metric_ = nullptr;
  Counter* queue_full_metric_ = nullptr;
  Counter* write_error_metric_ = nullptr;
  Counter* rotations_metric_ = nullptr;
  std::thread writer_;
};

}  // namespace kgate::observe
