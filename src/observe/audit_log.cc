#include "observe/audit_log.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "io/json/json.h"
#include "util/strings.h"

namespace kgate::observe {
namespace {

void AppendStringOrNull(std::string_view key, std::string_view value, std::string* out) {
  out->append(",\"").append(key).append("\":");
  if (value.empty()) {
    out->append("null");
  } else {
    io::json::AppendQuoted(value, out);
  }
}

void AppendIntOrNull(std::string_view key, int64_t value, std::string* out) {
  out->append(",\"").append(key).append("\":");
  if (value == 0) {
    out->append("null");
  } else {
    util::StrAppend(out, value);
  }
}

}  // namespace

std::string FormatAuditLine(const AuditRecord& r) {
  const absl::Time time = r.time == absl::InfinitePast() ? absl::Now() : r.time;
  std::string out = "{\"time\":\"";
  out.append(absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ", time, absl::UTCTimeZone()));
  out.push_back('"');
  AppendStringOrNull("event", r.event, &out);
  AppendStringOrNull("request_id", r.request_id, &out);
  AppendStringOrNull("client", r.client, &out);
  AppendStringOrNull("protocol", r.protocol, &out);
  AppendStringOrNull("model", r.model, &out);
  AppendIntOrNull("version", r.version, &out);
  AppendIntOrNull("status", r.status, &out);
  out.append(",\"rules\":[");
  for (size_t i = 0; i < r.rules.size() && i < kMaxAuditRules; ++i) {
    if (i > 0) out.push_back(',');
    io::json::AppendQuoted(r.rules[i], &out);
  }
  out.push_back(']');
  AppendStringOrNull("input_sha256", r.input_sha256, &out);
  if (!r.detail.empty()) {
    // Cut on a byte boundary; AppendQuoted writes a split UTF-8 sequence as U+FFFD.
    AppendStringOrNull("detail", std::string_view(r.detail).substr(0, kMaxAuditDetailBytes), &out);
  }
  out.append("}\n");
  return out;
}

AuditLog::AuditLog(AuditLogOptions options) : options_(std::move(options)) {}

absl::StatusOr<std::unique_ptr<AuditLog>> AuditLog::Open(AuditLogOptions options, Registry* registry) {
  if (options.path.empty()) return absl::InvalidArgumentError("audit log: empty path");
  if (options.max_bytes < 1024) {
    return absl::InvalidArgumentError(util::StrCat("audit log: max_bytes must be at least 1024, got ", options.max_bytes));
  }
  if (options.max_files < 0 || options.max_files > 1000) {
    return absl::InvalidArgumentError(util::StrCat("audit log: files kept must be 0..1000, got ", options.max_files));
  }
  if (options.max_queue_lines == 0) return absl::InvalidArgumentError("audit log: max_queue_lines must be >= 1");
  std::unique_ptr<AuditLog> log(new AuditLog(std::move(options)));
  if (absl::Status s = log->OpenFile(); !s.ok()) return s;
  if (registry != nullptr) {
    absl::StatusOr<CounterFamily*> records = registry->AddCounter(
        "kgate_audit_records_total",
        "Audit log lines by outcome: written, or lost because the queue was full or the write failed.", {"outcome"});
    if (!records.ok()) return records.status();
    absl::StatusOr<CounterFamily*> rotations =
        registry->AddCounter("kgate_audit_rotations_total", "Audit log files rotated by size.", {});
    if (!rotations.ok()) return rotations.status();
    log->written_metric_ = &(*records)->With({"written"});
    log->queue_full_metric_ = &(*records)->With({"queue_full"});
    log->write_error_metric_ = &(*records)->With({"write_error"});
    log->rotations_metric_ = &(*rotations)->With({});
  }
  log->writer_ = std::thread([raw = log.get()] { raw->Run(); });
  return log;
}

AuditLog::~AuditLog() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  wake_.notify_one();
  if (writer_.joinable()) writer_.join();
  if (fd_ >= 0) ::close(fd_);
}

absl::Status AuditLog::OpenFile() {
  const int fd = ::open(options_.path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY, 0640);
  if (fd < 0) {
    return absl::FailedPreconditionError(
        util::StrCat("audit log ", options_.path, ": cannot open for appending: ", std::strerror(errno)));
  }
  struct stat st;
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    return absl::FailedPreconditionError(util::StrCat("audit log ", options_.path, ": not a regular file"));
  }
  fd_ = fd;
  size_ = static_cast<uint64_t>(st.st_size);
  return absl::OkStatus();
}

void AuditLog::Write(const AuditRecord& record) {
  std::string line = FormatAuditLine(record);
  bool full = false;
  bool report = false;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (queue_.size() >= options_.max_queue_lines) {
      full = true;
      ++stats_.queue_full;
      // One stderr line per burst (at most every 10 s), so a flood cannot
      // turn into a flood of messages as well.
      const absl::Time now = absl::Now();
      report = now - last_queue_full_report_ >= absl::Seconds(10);
      if (report) last_queue_full_report_ = now;
    } else {
      queue_.push_back(std::move(line));
      ++queued_seq_;
    }
  }
  if (!full) {
    wake_.notify_one();
    return;
  }
  if (queue_full_metric_ != nullptr) queue_full_metric_->Increment();
  if (report) {
    std::fprintf(stderr,
                 "kgate serve: audit log %s: queue full (%zu lines); lines are being lost, counted in "
                 "kgate_audit_records_total{outcome=\"queue_full\"}\n",
                 options_.path.c_str(), options_.max_queue_lines);
  }
}

void AuditLog::Flush() {
  std::unique_lock<std::mutex> lock(mu_);
  const uint64_t target = queued_seq_;
  wake_.notify_one();
  drained_.wait(lock, [&] { return done_seq_ >= target; });
}

AuditLog::Stats AuditLog::stats() const {
  std::lock_guard<std::mutex> lock(mu_);
  return stats_;
}

void AuditLog::Run() {
  std::deque<std::string> batch;
  while (true) {
    {
      std::unique_lock<std::mutex> lock(mu_);
      wake_.wait(lock, [&] { return stop_ || !queue_.empty(); });
      if (queue_.empty() && stop_) return;
      batch.swap(queue_);
    }
    for (const std::string& line : batch) WriteLine(line);
    {
      std::lock_guard<std::mutex> lock(mu_);
      done_seq_ += batch.size();
    }
    batch.clear();
    drained_.notify_all();
  }
}

void AuditLog::WriteLine(const std::string& line) {
  if (fd_ >= 0 && size_ > 0 && size_ + line.size() > options_.max_bytes) Rotate();
  if (fd_ < 0 && !OpenFile().ok()) {
    CountLost("cannot reopen the file", &stats_.write_errors, write_error_metric_);
    return;
  }
  size_t done = 0;
  while (done < line.size()) {
    const ssize_t n = ::write(fd_, line.data() + done, line.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      const int err = errno;
      // A partial line would corrupt the next one: close, and reopen (and
      // start on a fresh line) for the next.
      ::close(fd_);
      fd_ = -1;
      CountLost(std::strerror(n < 0 ? err : EIO), &stats_.write_errors, write_error_metric_);
      return;
    }
    done += static_cast<size_t>(n);
  }
  size_ += line.size();
  if (failing_) {
    std::fprintf(stderr, "kgate serve: audit log %s: writing again after %llu lost lines\n", options_.path.c_str(),
                 static_cast<unsigned long long>(lost_in_failure_));
    failing_ = false;
    lost_in_failure_ = 0;
  }
  {
    std::lock_guard<std::mutex> lock(mu_);
    ++stats_.written;
  }
  if (written_metric_ != nullptr) written_metric_->Increment();
}

void AuditLog::CountLost(const char* why, uint64_t* counter, Counter* metric) {
  if (!failing_) {
    std::fprintf(stderr, "kgate serve: audit log %s: write failed (%s); lines are being lost, counted in "
                 "kgate_audit_records_total{outcome=\"write_error\"}\n", options_.path.c_str(), why);
  }
  failing_ = true;
  ++lost_in_failure_;
  {
    std::lock_guard<std::mutex> lock(mu_);
    ++*counter;
  }
  if (metric != nullptr) metric->Increment();
}

void AuditLog::Rotate() {
  ::close(fd_);
  fd_ = -1;
  const std::string& base = options_.path;
  if (options_.max_files == 0) {
    ::unlink(base.c_str());
  } else {
    // PATH.{N-1} -> PATH.N (replacing the oldest), ..., PATH -> PATH.1.
    for (int i = options_.max_files; i >= 1; --i) {
      const std::string from = i == 1 ? base : util::StrCat(base, ".", i - 1);
      const std::string to = util::StrCat(base, ".", i);
      if (::rename(from.c_str(), to.c_str()) != 0 && errno != ENOENT) {
        std::fprintf(stderr, "kgate serve: audit log: cannot rename %s to %s: %s\n", from.c_str(), to.c_str(),
                     std::strerror(errno));
      }
    }
  }
  {
    std::lock_guard<std::mutex> lock(mu_);
    ++stats_.rotations;
  }
  if (rotations_metric_ != nullptr) rotations_metric_->Increment();
  // OpenFile failing leaves fd_ < 0; WriteLine counts the line lost.
  (void)OpenFile();
}

}  // namespace kgate::observe
