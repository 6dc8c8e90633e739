// File: server_config.h
// The server config file (`kgate serve --config FILE`, YAML): sections
// `server:` (listener and caps), `repository:` (folder, poll interval,
// default version policy) and `trust:` (the server's trust policy), read
// and `audit_log:` (path, max_bytes, files: the audit log's file and its
// rotation), read
// strictly: unknown sections and keys are errors naming the file and key
// path. Every value is optional, and a command-line flag overrides the file.
// Relative paths are taken from the folder holding the file. This file owns
// the top-level dispatch; the other sections' owners (audit_log:, metrics:)
// add their parsers here.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "io/json/json.h"
#include "serve/trust_section.h"
#include "serve/version_policy.h"

namespace kgate::serve {

struct ServerConfig {
  std::string source;  // the file read

  // server:
  std::optional<std::string> host;
  std::optional<int64_t> port;
  std::optional<int64_t> threads;
  std::optional<int64_t> max_body_bytes;
  std::optional<int64_t> max_header_bytes;
  std::optional<int64_t> read_timeout_s;
  std::optional<int64_t> request_timeout_s;
  std::optional<int64_t> gzip_max_ratio;

  // repository:
  std::optional<std::string> repository;
  std::optional<double> poll_interval_s;  // 0: no polling
  std::optional<VersionPolicy> versions;

  // trust:
  std::optional<TrustSection> trust;

  // audit_log:
  std::optional<std::string> audit_log;  // the file
  std::optional<int64_t> audit_log_max_bytes;
  std::optional<int64_t> audit_log_files;
};

// The ranges the flags and the file share, so both refuse the same values.
inline constexpr int64_t kMaxServerThreads = 1024;
inline constexpr int64_t kMinBodyBytes = 1024;
inline constexpr int64_t kMaxBodyBytes = int64_t{1} << 32;
inline constexpr int64_t kMaxTimeoutSeconds = 3600;
inline constexpr double kMaxPollIntervalSeconds = 86400;
inline constexpr int64_t kMaxGzipRatio = 100000;
inline constexpr int64_t kDefaultGzipRatio = 100;
inline constexpr int64_t kMinAuditLogBytes = 4096;
inline constexpr int64_t kMaxAuditLogBytes = int64_t{1} << 40;
inline constexpr int64_t kDefaultAuditLogBytes = int64_t{64} << 20;
inline constexpr int64_t kMaxAuditLogFiles = 1000;
inline constexpr int64_t kDefaultAuditLogFiles = 5;

absl::StatusOr<ServerConfig> ParseServerConfig(const io::json::Value& root, std::string_view where,
                                               std::string_view base_dir);
absl::StatusOr<ServerConfig> ReadServerConfig(const std::string& path);

}  // namespace kgate::serve
