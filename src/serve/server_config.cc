#include "serve/server_config.h"

#include <filesystem>

#include "schema/config_fields.h"
#include "serve/config_fields.h"
#include "util/status_macros.h"
#include "util/strings.h"

namespace kgate::serve {
namespace {

using io::json::Value;

absl::Status ParseServerSection(const Value& v, std::string_view where, ServerConfig& out) {
  KGATE_RETURN_IF_ERROR(schema::CheckObject(v, {"host", "port", "threads", "max_body_bytes", "max_header_bytes",
                                               "read_timeout", "request_timeout", "gzip_max_ratio"}, where, "server"));
  // Not a structured binding: clang 14 cannot capture one in a lambda.
  for (const io::json::Member& member : v.object()) {
    const std::string& key = member.first;
    const Value& value = member.second;
    const std::string path = schema::ConfigPath("server", key);
    auto read_int = [&](int64_t lo, int64_t hi, std::optional<int64_t>& into) -> absl::Status {
      absl::StatusOr<int64_t> n = config::ReadInt(value, where, path, lo, hi);
      if (!n.ok()) return n.status();
      into = *n;
      return absl::OkStatus();
    };
    if (key == "host") {
      absl::StatusOr<std::string> host = schema::ReadString(value, where, path);
      if (!host.ok()) return host.status();
      out.host = *std::move(host);
    } else if (key == "port") {
      KGATE_RETURN_IF_ERROR(read_int(0, 65535, out.port));
    } else if (key == "threads") {
      KGATE_RETURN_IF_ERROR(read_int(1, kMaxServerThreads, out.threads));
    } else if (key == "max_body_bytes") {
      KGATE_RETURN_IF_ERROR(read_int(kMinBodyBytes, kMaxBodyBytes, out.max_body_bytes));
    } else if (key == "max_header_bytes") {
      KGATE_RETURN_IF_ERROR(read_int(1024, 1 << 20, out.max_header_bytes));
    } else if (key == "read_timeout") {
      KGATE_RETURN_IF_ERROR(read_int(1, kMaxTimeoutSeconds, out.read_timeout_s));
    } else if (key == "gzip_max_ratio") {
      KGATE_RETURN_IF_ERROR(read_int(1, kMaxGzipRatio, out.gzip_max_ratio));
    } else {
      KGATE_RETURN_IF_ERROR(read_int(1, kMaxTimeoutSeconds, out.request_timeout_s));
    }
  }
  return absl::OkStatus();
}

absl::Status ParseRepositorySection(const Value& v, std::string_view where, std::string_view base_dir,
                                    ServerConfig& out) {
  KGATE_RETURN_IF_ERROR(schema::CheckObject(v, {"path", "poll_interval", "versions"}, where, "repository"));
  for (const auto& [key, value] : v.object()) {
    const std::string path = schema::ConfigPath("repository", key);
    if (key == "path") {
      absl::StatusOr<std::string> dir = schema::ReadString(value, where, path);
      if (!dir.ok()) return dir.status();
      out.repository = config::ResolvePath(base_dir, *dir);
    } else if (key == "poll_interval") {
      absl::StatusOr<double> s = config::ReadNumber(value, where, path, 0, kMaxPollIntervalSeconds);
      if (!s.ok()) return s.status();
      out.poll_interval_s = *s;
    } else {
      absl::StatusOr<VersionPolicy> policy = ParseVersionPolicy(value, where, path);
      if (!policy.ok()) return policy.status();
      out.versions = *std::move(policy);
    }
  }
  return absl::OkStatus();
}

absl::Status ParseAuditLogSection(const Value& v, std::string_view where, std::string_view base_dir,
                                  ServerConfig& out) {
  KGATE_RETURN_IF_ERROR(schema::CheckObject(v, {"path", "max_bytes", "files"}, where, "audit_log"));
  for (const auto& [key, value] : v.object()) {
    const std::string path = schema::ConfigPath("audit_log", key);
    if (key == "path") {
      absl::StatusOr<std::string> file = schema::ReadString(value, where, path);
      if (!file.ok()) return file.status();
      out.audit_log = config::ResolvePath(base_dir, *file);
    } else {
      const bool bytes = key == "max_bytes";
      absl::StatusOr<int64_t> n = config::ReadInt(value, where, path, bytes ? kMinAuditLogBytes : 0,
                                                  bytes ? kMaxAuditLogBytes : kMaxAuditLogFiles);
      if (!n.ok()) return n.status();
      (bytes ? out.audit_log_max_bytes : out.audit_log_files) = *n;
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<ServerConfig> ParseServerConfig(const Value& root, std::string_view where, std::string_view base_dir) {
  // One line per section; each section's owner adds theirs.
  KGATE_RETURN_IF_ERROR(schema::CheckObject(root, {"server", "repository", "trust", "audit_log"}, where, ""));
  ServerConfig out;
  out.source = std::string(where);
  for (const auto& [key, value] : root.object()) {
    if (key == "server") {
      KGATE_RETURN_IF_ERROR(ParseServerSection(value, where, out));
    } else if (key == "repository") {
      KGATE_RETURN_IF_ERROR(ParseRepositorySection(value, where, base_dir, out));
    } else if (key == "trust") {
      absl::StatusOr<TrustSection> trust = ParseTrustSection(value, where, "trust", base_dir);
      if (!trust.ok()) return trust.status();
      out.trust = *std::move(trust);
    } else if (key == "audit_log") {
      KGATE_RETURN_IF_ERROR(ParseAuditLogSection(value, where, base_dir, out));
    }
  }
  return out;
}

absl::StatusOr<ServerConfig> ReadServerConfig(const std::string& path) {
  absl::StatusOr<Value> doc = config::ReadDocument(path);
  if (!doc.ok()) return doc.status();
  return ParseServerConfig(*doc, path, std::filesystem::path(path).parent_path().string());
}

}  // namespace kgate::serve
