// kgate.yaml and the server config file: every section's errors name the
// file, the key path and what was expected; unknown keys are refused; a
// model's trust section may tighten the server's policy, never loosen it.
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "serve/model_config.h"
#include "serve/server_config.h"
#include "serve/version_policy.h"
#include "../trust/test_support.h"

namespace kgate::serve {
namespace {

using ::testing::HasSubstr;

io::json::Value Json(const std::string& text) {
  absl::StatusOr<io::json::Value> v = io::json::Parse(text);
  EXPECT_TRUE(v.ok()) << v.status();
  return v.ok() ? *v : io::json::Value();
}

std::string ModelError(const std::string& text, const ModelConfigContext& context = {}) {
  absl::StatusOr<ModelConfig> c = ParseModelConfig(Json(text), "m/kgate.yaml", "m", context);
  EXPECT_FALSE(c.ok()) << text;
  return std::string(c.status().message());
}

std::string ServerError(const std::string& text) {
  absl::StatusOr<ServerConfig> c = ParseServerConfig(Json(text), "kgate.yaml", "/etc/kgate");
  EXPECT_FALSE(c.ok()) << text;
  return std::string(c.status().message());
}

TEST(ModelConfigTest, SectionsParse) {
  ModelConfigContext context;
  context.server_request_timeout = absl::Seconds(30);
  absl::StatusOr<ModelConfig> c = ParseModelConfig(
      Json(R"({"versions": {"specific": [3, 1]}, "limits": {"max_batch": 8, "request_timeout": 2.5}})"),
      "m/kgate.yaml", "m", context);
  ASSERT_TRUE(c.ok()) << c.status();
  ASSERT_TRUE(c->versions.has_value());
  EXPECT_EQ(c->versions->ToString(), "specific [1, 3]");
  EXPECT_EQ(c->limits.max_batch, 8);
  EXPECT_EQ(c->limits.request_timeout, absl::Milliseconds(2500));
  absl::StatusOr<ModelConfig> empty = ParseModelConfig(Json("{}"), "m/kgate.yaml", "m", context);
  ASSERT_TRUE(empty.ok());
  EXPECT_FALSE(empty->versions.has_value());
}

TEST(ModelConfigTest, ErrorsNameFileKeyAndExpectation) {
  EXPECT_THAT(ModelError(R"({"version": {}})"),
              HasSubstr("m/kgate.yaml: version: unknown key; expected one of versions, trust, limits"));
  EXPECT_THAT(ModelError(R"([1])"), HasSubstr("m/kgate.yaml: expected a mapping, got array"));
  EXPECT_THAT(ModelError(R"({"versions": {"latest": 1, "all": true}})"),
              HasSubstr("versions: expected exactly one of latest: N, all: true or specific: [versions], got 2 keys"));
  EXPECT_THAT(ModelError(R"({"versions": {"latest": 0}})"), HasSubstr("versions.latest: expected an integer in 1..1024"));
  EXPECT_THAT(ModelError(R"({"versions": {"all": false}})"), HasSubstr("versions.all: expected true"));
  EXPECT_THAT(ModelError(R"({"versions": {"specific": []}})"), HasSubstr("versions.specific: expected at least one"));
  EXPECT_THAT(ModelError(R"({"versions": {"specific": [2, 2]}})"), HasSubstr("version 2 is listed twice"));
  EXPECT_THAT(ModelError(R"({"versions": {"specific": [1, "2"]}})"), HasSubstr("versions.specific[1]: expected an integer"));
  EXPECT_THAT(ModelError(R"({"limits": {"max_batch": 1.5}})"), HasSubstr("limits.max_batch: expected an integer"));
  EXPECT_THAT(ModelError(R"({"limits": {"request_timeout": 31}})"),
              HasSubstr("limits.request_timeout: 31 seconds is longer than the server's request timeout (30 seconds)"));
  EXPECT_THAT(ModelError(R"({"limits": {"timeout": 1}})"), HasSubstr("limits.timeout: unknown key"));
  EXPECT_THAT(ModelError(R"({"trust": {"hygiene": "loud"}})"),
              HasSubstr("trust.hygiene: expected off, warn or refuse, got string \"loud\""));
  EXPECT_THAT(ModelError(R"({"trust": {"trusted_keys": "k.pem"}})"),
              HasSubstr("trust.trusted_keys: expected a list of strings, got string"));
  EXPECT_THAT(ModelError(R"({"trust": {"pinned_digests": ["abc"]}})"),
              HasSubstr("trust.pinned_digests[0]: 'abc': expected sha256:<64 hex digits>"));
}

TEST(ModelConfigTest, TrustMayTightenButNeverLoosen) {
  trust::testing::TempDir dir;
  const trust::testing::KeyPair server_key = trust::testing::GenerateKeyPair();
  const trust::testing::KeyPair other_key = trust::testing::GenerateKeyPair();
  trust::testing::WriteFile(dir.Sub("other.pub"), other_key.public_pem);
  ModelConfigContext context;
  context.server_trust.require_signature = true;
  context.server_trust.trusted_keys = {server_key.public_key};
  context.server_trust.hygiene = trust::HygieneAction::kWarn;
  EXPECT_THAT(ModelError(R"({"trust": {"require_signature": false}})", context),
              HasSubstr("trust.require_signature: false would loosen the server's trust policy"));
  EXPECT_THAT(ModelError(R"({"trust": {"hygiene": "off"}})", context),
              HasSubstr("trust.hygiene: off would loosen the server's hygiene action (warn)"));
  absl::StatusOr<ModelConfig> other =
      ParseModelConfig(Json(R"({"trust": {"trusted_keys": ["other.pub"]}})"), "m/kgate.yaml", dir.path(), context);
  EXPECT_THAT(std::string(other.status().message()), HasSubstr("names only trusted keys that the server does not trust"));
  // Tightening: hygiene refuse, and a signature required by the model alone.
  absl::StatusOr<ModelConfig> tight = ParseModelConfig(Json(R"({"trust": {"hygiene": "refuse"}})"), "m/kgate.yaml",
                                                       dir.path(), context);
  ASSERT_TRUE(tight.ok()) << tight.status();
  EXPECT_EQ(tight->trust.hygiene, trust::HygieneAction::kRefuse);
  EXPECT_TRUE(tight->trust.require_signature);
  ModelConfigContext open;
  open.server_trust.trusted_keys = {server_key.public_key};
  absl::StatusOr<ModelConfig> required =
      ParseModelConfig(Json(R"({"trust": {"require_signature": true}})"), "m/kgate.yaml", dir.path(), open);
  ASSERT_TRUE(required.ok()) << required.status();
  EXPECT_TRUE(required->trust.require_signature);
  EXPECT_EQ(required->trust.trusted_keys.size(), 1u);
}

TEST(ServerConfigTest, SectionsParseAndPathsAreRelativeToTheFile) {
  absl::StatusOr<ServerConfig> c = ParseServerConfig(
      Json(R"({"server": {"host": "0.0.0.0", "port": 9000, "threads": 8, "request_timeout": 10},
               "repository": {"path": "models", "poll_interval": 0.5, "versions": {"latest": 2}},
               "trust": {"require_signature": true, "trusted_keys": ["keys/a.pub", "/abs/b.pub"]}})"),
      "kgate.yaml", "/etc/kgate");
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->host, "0.0.0.0");
  EXPECT_EQ(c->port, 9000);
  EXPECT_EQ(c->request_timeout_s, 10);
  EXPECT_EQ(c->repository, "/etc/kgate/models");
  EXPECT_EQ(c->poll_interval_s, 0.5);
  EXPECT_EQ(c->versions->latest, 2);
  ASSERT_TRUE(c->trust.has_value());
  EXPECT_EQ(c->trust->spec.trusted_key_files, (std::vector<std::string>{"/etc/kgate/keys/a.pub", "/abs/b.pub"}));
}

TEST(ServerConfigTest, AuditLogAndGzip) {
  absl::StatusOr<ServerConfig> c = ParseServerConfig(
      Json(R"({"server": {"gzip_max_ratio": 50},
               "audit_log": {"path": "log/audit.jsonl", "max_bytes": 1048576, "files": 0}})"),
      "kgate.yaml", "/etc/kgate");
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->gzip_max_ratio, 50);
  EXPECT_EQ(c->audit_log, "/etc/kgate/log/audit.jsonl");
  EXPECT_EQ(c->audit_log_max_bytes, 1048576);
  EXPECT_EQ(c->audit_log_files, 0);
  EXPECT_THAT(ServerError(R"({"audit_log": {"max_bytes": 10}})"),
              HasSubstr("audit_log.max_bytes: expected an integer in 4096.."));
  EXPECT_THAT(ServerError(R"({"audit_log": {"files": 1001}})"), HasSubstr("audit_log.files: expected an integer in 0..1000"));
  EXPECT_THAT(ServerError(R"({"audit_log": {"rotate": 3}})"), HasSubstr("audit_log.rotate: unknown key"));
  EXPECT_THAT(ServerError(R"({"server": {"gzip_max_ratio": 0}})"), HasSubstr("server.gzip_max_ratio: expected an integer"));
}

TEST(ServerConfigTest, ErrorsNameFileKeyAndExpectation) {
  EXPECT_THAT(ServerError(R"({"serve": {}})"), HasSubstr("kgate.yaml: serve: unknown key"));
  EXPECT_THAT(ServerError(R"({"server": {"port": 70000}})"), HasSubstr("server.port: expected an integer in 0..65535"));
  EXPECT_THAT(ServerError(R"({"server": {"host": 1}})"), HasSubstr("server.host: expected a string, got number 1"));
  EXPECT_THAT(ServerError(R"({"repository": {"poll_interval": -1}})"),
              HasSubstr("repository.poll_interval: expected a number in 0..86400"));
  EXPECT_THAT(ServerError(R"({"repository": {"versions": "all"}})"),
              HasSubstr("repository.versions: expected a mapping"));
  EXPECT_THAT(ServerError(R"({"trust": {"require": true}})"), HasSubstr("trust.require: unknown key"));
}

TEST(VersionPolicyTest, FlagForms) {
  EXPECT_EQ(ParseVersionPolicyFlag("all")->kind, VersionPolicy::Kind::kAll);
  EXPECT_EQ(ParseVersionPolicyFlag("latest:3")->latest, 3);
  EXPECT_EQ(ParseVersionPolicyFlag("specific:3,1")->specific, (std::vector<int64_t>{1, 3}));
  for (const char* bad : {"", "latest", "latest:0", "latest:x", "specific:", "specific:1,,2", "specific:01", "some"}) {
    EXPECT_FALSE(ParseVersionPolicyFlag(bad).ok()) << bad;
  }
  EXPECT_THAT(std::string(ParseVersionPolicyFlag("specific:2,2").status().message()), HasSubstr("listed twice"));
}

}  // namespace
}  // namespace kgate::serve
