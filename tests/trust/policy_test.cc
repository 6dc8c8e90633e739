// The trust policy the server will apply at load and reload (CheckModel),
// the stricter-only merge of a per-model policy, and repository hygiene.
#include "trust/policy.h"

#include <sys/stat.h>
#include <unistd.h>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "test_support.h"
#include "trust/hygiene.h"
#include "trust/signer.h"

namespace kgate::trust {
namespace {

using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::SizeIs;
using testing::GenerateKeyPair;
using testing::KeyPair;
using testing::MakeDirs;
using testing::ReadFile;
using testing::TempDir;
using testing::WriteFile;

// A TF-Serving-style repository: REPO/m/<version>/model.keras (+ model.sig).
class PolicyTest : public ::testing::Test {
 protected:
  std::string Version(int v) const { return dir_.Sub("repo/m/" + std::to_string(v)); }
  std::string ModelFile(int v) const { return Version(v) + "/model.keras"; }

  void AddVersion(int v, std::string_view bytes) {
    MakeDirs(Version(v));
    ::chmod(Version(v).c_str(), 0755);
    WriteFile(ModelFile(v), bytes);
    ::chmod(ModelFile(v).c_str(), 0644);
  }
  void SignFile(int v, const KeyPair& key) {
    absl::StatusOr<SignResult> s = SignModel(ModelFile(v), key.private_key, {.signature_path = Version(v) + "/model.sig"});
    ASSERT_TRUE(s.ok()) << s.status();
    WriteFile(Version(v) + "/model.sig", s->bundle_json);
  }
  TrustPolicy RequireKey(const KeyPair& key) const {
    TrustPolicy p;
    p.require_signature = true;
    p.trusted_keys = {key.public_key};
    return p;
  }

  TempDir dir_;
  KeyPair key_ = GenerateKeyPair();
};

TEST_F(PolicyTest, UnsignedModelRefusedUnderRequireSignature) {
  AddVersion(1, "weights v1");
  absl::StatusOr<TrustDecision> d = CheckModel(ModelFile(1), RequireKey(key_));
  EXPECT_EQ(d.status().code(), absl::StatusCode::kPermissionDenied);
  EXPECT_THAT(d.status().message(), HasSubstr("unsigned: no signature at"));
  EXPECT_EQ(RefusalReason(d.status()), "unsigned");
  // Without the requirement the same model loads.
  EXPECT_TRUE(CheckModel(ModelFile(1), TrustPolicy{}).ok());
}

TEST_F(PolicyTest, SignedModelAcceptedAndTamperedNewVersionRefused) {
  AddVersion(1, "weights v1");
  SignFile(1, key_);
  AddVersion(2, "weights v2");
  SignFile(2, key_);
  // Version 2 is altered after signing: the reload must refuse it while
  // version 1 still checks out, so the server keeps serving version 1.
  WriteFile(ModelFile(2), "weights v2 with a backdoor");
  const TrustPolicy policy = RequireKey(key_);
  absl::StatusOr<TrustDecision> old_version = CheckModel(ModelFile(1), policy);
  ASSERT_TRUE(old_version.ok()) << old_version.status();
  EXPECT_TRUE(old_version->signature_verified);
  EXPECT_EQ(old_version->signer_hint, key_.public_key.hint());
  absl::StatusOr<TrustDecision> new_version = CheckModel(ModelFile(2), policy);
  EXPECT_EQ(new_version.status().code(), absl::StatusCode::kPermissionDenied);
  EXPECT_THAT(new_version.status().message(), HasSubstr("does not verify: changed: . (signed sha256"));
  EXPECT_EQ(RefusalReason(new_version.status()), "files-differ");
  EXPECT_EQ(RefusalReason(old_version.status()), "");
}

TEST_F(PolicyTest, FolderSignatureCoversTheModelFile) {
  AddVersion(1, "weights v1");
  WriteFile(Version(1) + "/assets.txt", "vocab");
  absl::StatusOr<SignResult> s = SignModel(Version(1), key_.private_key, {.signature_path = Version(1) + "/model.sig"});
  ASSERT_TRUE(s.ok());
  WriteFile(Version(1) + "/model.sig", s->bundle_json);
  ASSERT_TRUE(CheckModel(ModelFile(1), RequireKey(key_)).ok());
  ASSERT_TRUE(CheckModel(Version(1), RequireKey(key_)).ok());
  WriteFile(Version(1) + "/extra.py", "import os");
  EXPECT_THAT(CheckModel(ModelFile(1), RequireKey(key_)).status().message(), HasSubstr("extra: extra.py"));
}

TEST_F(PolicyTest, SignatureFromUntrustedKeyRefusedEvenWhenNotRequired) {
  AddVersion(1, "weights v1");
  SignFile(1, GenerateKeyPair());
  TrustPolicy p;
  p.trusted_keys = {key_.public_key};
  const absl::Status untrusted = CheckModel(ModelFile(1), p).status();
  EXPECT_THAT(untrusted.message(), HasSubstr("signed by an untrusted key"));
  EXPECT_EQ(RefusalReason(untrusted), "untrusted-key");
  // With no keys at all the signature cannot be checked: a warning, not a pass.
  absl::StatusOr<TrustDecision> d = CheckModel(ModelFile(1), TrustPolicy{});
  ASSERT_TRUE(d.ok());
  EXPECT_FALSE(d->signature_verified);
  EXPECT_THAT(d->warnings, ::testing::Contains(HasSubstr("signature present but not verified")));
}

TEST_F(PolicyTest, PinnedDigests) {
  AddVersion(1, "weights v1");
  TrustPolicy p;
  p.pinned_digests = {HashBytes(std::string_view("weights v1"))};  // a file's plain sha256 (sha256sum)
  absl::StatusOr<TrustDecision> d = CheckModel(ModelFile(1), p);
  ASSERT_TRUE(d.ok()) << d.status();
  p.pinned_digests = {HashBytes(std::string_view("something else"))};
  d = CheckModel(ModelFile(1), p);
  EXPECT_EQ(d.status().code(), absl::StatusCode::kPermissionDenied);
  EXPECT_THAT(d.status().message(), HasSubstr("is not one of the 1 pinned digests"));
  EXPECT_EQ(RefusalReason(d.status()), "not-pinned");
  // The root digest (what `kgate digest` prints for a folder) pins folders.
  WriteFile(Version(1) + "/model.sig", "not even json");  // ignored, like by signatures
  Serialization s;
  s.ignore_paths = {"model.sig"};
  absl::StatusOr<Manifest> m = HashModel(Version(1), s);
  ASSERT_TRUE(m.ok());
  p.pinned_digests = {RootDigest(m->resources)};
  EXPECT_TRUE(CheckModel(Version(1), p).ok());
}

TEST_F(PolicyTest, RequireSignatureWithoutKeysIsAConfigError) {
  AddVersion(1, "weights v1");
  TrustPolicy p;
  p.require_signature = true;
  EXPECT_EQ(CheckModel(ModelFile(1), p).status().code(), absl::StatusCode::kInvalidArgument);
}

TEST_F(PolicyTest, HygieneWarnsOrRefuses) {
  AddVersion(1, "weights v1");
  ::chmod(ModelFile(1).c_str(), 0666);
  TrustPolicy p;  // hygiene: warn
  absl::StatusOr<TrustDecision> d = CheckModel(ModelFile(1), p);
  ASSERT_TRUE(d.ok()) << d.status();
  EXPECT_THAT(d->warnings, ::testing::Contains(HasSubstr("model.keras: writable by group (mode 0666)")));
  EXPECT_THAT(d->warnings, ::testing::Contains(HasSubstr("model.keras: writable by others (mode 0666)")));
  p.hygiene = HygieneAction::kRefuse;
  EXPECT_THAT(CheckModel(ModelFile(1), p).status().message(), HasSubstr("writable by others"));
  p.hygiene = HygieneAction::kOff;
  d = CheckModel(ModelFile(1), p);
  ASSERT_TRUE(d.ok());
  EXPECT_THAT(d->warnings, IsEmpty());
}

TEST_F(PolicyTest, ForeignOwnerIsReported) {
  AddVersion(1, "weights v1");
  // Pretend kgate runs as another user: the files are then someone else's.
  const uid_t other = ::geteuid() == 0 ? 12345 : ::geteuid() + 1;
  absl::StatusOr<TrustDecision> d = CheckModel(ModelFile(1), TrustPolicy{}, {.owner = other});
  ASSERT_TRUE(d.ok());
  if (::geteuid() == 0) {
    EXPECT_THAT(d->warnings, IsEmpty());  // root-owned files are fine
  } else {
    EXPECT_THAT(d->warnings, ::testing::Contains(HasSubstr("owned by uid")));
  }
}

TEST_F(PolicyTest, SymlinkOutOfTheRepositoryAlwaysRefused) {
  AddVersion(1, "weights v1");
  WriteFile(dir_.Sub("secret"), "elsewhere");
  ASSERT_EQ(::symlink(dir_.Sub("secret").c_str(), (Version(1) + "/extra.bin").c_str()), 0);
  absl::StatusOr<TrustDecision> d = CheckModel(ModelFile(1), TrustPolicy{});
  EXPECT_EQ(d.status().code(), absl::StatusCode::kPermissionDenied);
  EXPECT_THAT(d.status().message(), HasSubstr("extra.bin: symlink leads out of"));
  EXPECT_EQ(RefusalReason(d.status()), "hygiene");
}

TEST_F(PolicyTest, BuildPolicyFromConfig) {
  WriteFile(dir_.Sub("trusted.pub"), key_.public_pem);
  TrustPolicySpec spec;
  spec.require_signature = true;
  spec.trusted_key_files = {dir_.Sub("trusted.pub")};
  spec.pinned_digests = {"sha256:" + std::string(64, 'a'), std::string(64, 'B')};
  spec.hygiene = "refuse";
  absl::StatusOr<TrustPolicy> p = BuildPolicy(spec, "server config");
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_TRUE(p->require_signature);
  ASSERT_THAT(p->trusted_keys, SizeIs(1));
  EXPECT_EQ(p->trusted_keys[0].hint(), key_.public_key.hint());
  EXPECT_THAT(p->pinned_digests, SizeIs(2));
  EXPECT_EQ(p->hygiene, HygieneAction::kRefuse);

  TrustPolicySpec bad = spec;
  bad.pinned_digests = {"sha256:" + std::string(64, 'a'), "md5:abc"};
  EXPECT_THAT(BuildPolicy(bad, "server config").status().message(),
              HasSubstr("server config trust.pinned_digests[1]: 'md5:abc': expected sha256:<64 hex digits>"));
  bad = spec;
  bad.hygiene = "maybe";
  EXPECT_THAT(BuildPolicy(bad, "m/kgate.yaml").status().message(),
              HasSubstr("m/kgate.yaml trust.hygiene: 'maybe': expected off, warn or refuse"));
  bad = spec;
  bad.trusted_key_files = {dir_.Sub("missing.pub")};
  EXPECT_THAT(BuildPolicy(bad, "server config").status().message(),
              HasSubstr("server config trust.trusted_keys[0]: "));
  bad = spec;
  bad.trusted_key_files.clear();
  EXPECT_THAT(BuildPolicy(bad, "server config").status().message(),
              HasSubstr("require_signature is set but no trusted public key"));
}

TEST(HygieneTest, FindsEachIssue) {
  TempDir dir;
  MakeDirs(dir.Sub("r/sub"));
  ::chmod(dir.Sub("r").c_str(), 0755);
  ::chmod(dir.Sub("r/sub").c_str(), 0775);
  WriteFile(dir.Sub("r/sub/a"), "a");
  ::chmod(dir.Sub("r/sub/a").c_str(), 0602);
  ASSERT_EQ(::symlink("sub/a", dir.Sub("r/inside").c_str()), 0);
  ASSERT_EQ(::symlink("/nonexistent/x", dir.Sub("r/dangling").c_str()), 0);
  absl::StatusOr<std::vector<HygieneFinding>> f = CheckHygiene(dir.Sub("r"), ::geteuid());
  ASSERT_TRUE(f.ok()) << f.status();
  std::vector<std::string> kinds;
  for (const HygieneFinding& h : *f) kinds.push_back(std::string(HygieneIssueName(h.issue)) + " " + h.path.substr(dir.path().size()));
  EXPECT_THAT(kinds, ::testing::UnorderedElementsAre("group-writable /r/sub", "other-writable /r/sub/a",
                                                     "symlink /r/inside", "symlink-escape /r/dangling"));
}

TEST(TightenPolicyTest, NeverLoosens) {
  const KeyPair a = GenerateKeyPair(), b = GenerateKeyPair();
  TrustPolicy server;
  server.require_signature = true;
  server.trusted_keys = {a.public_key, b.public_key};
  server.hygiene = HygieneAction::kRefuse;

  TrustPolicy model;  // asks for nothing: the server's policy stands
  model.hygiene = HygieneAction::kOff;
  absl::StatusOr<TrustPolicy> merged = TightenPolicy(server, model);
  ASSERT_TRUE(merged.ok());
  EXPECT_TRUE(merged->require_signature);
  EXPECT_THAT(merged->trusted_keys, SizeIs(2));
  EXPECT_EQ(merged->hygiene, HygieneAction::kRefuse);

  model.trusted_keys = {b.public_key};  // narrows to one key
  merged = TightenPolicy(server, model);
  ASSERT_TRUE(merged.ok());
  ASSERT_THAT(merged->trusted_keys, SizeIs(1));
  EXPECT_EQ(merged->trusted_keys[0].hint(), b.public_key.hint());

  model.trusted_keys = {GenerateKeyPair().public_key};  // a key the server does not trust
  merged = TightenPolicy(server, model);
  EXPECT_EQ(merged.status().code(), absl::StatusCode::kPermissionDenied);
  EXPECT_THAT(merged.status().message(), HasSubstr("never add to them"));
}

TEST(TightenPolicyTest, ModelCanAddRequirementsTheServerLacks) {
  const KeyPair a = GenerateKeyPair();
  TrustPolicy server;  // permissive
  TrustPolicy model;
  model.require_signature = true;
  model.trusted_keys = {a.public_key};
  model.pinned_digests = {HashBytes(std::string_view("x"))};
  model.hygiene = HygieneAction::kRefuse;
  absl::StatusOr<TrustPolicy> merged = TightenPolicy(server, model);
  ASSERT_TRUE(merged.ok());
  EXPECT_TRUE(merged->require_signature);
  EXPECT_THAT(merged->trusted_keys, SizeIs(1));
  EXPECT_THAT(merged->pinned_digests, SizeIs(1));
  EXPECT_EQ(merged->hygiene, HygieneAction::kRefuse);

  TrustPolicy pins_server;
  pins_server.pinned_digests = {HashBytes(std::string_view("y"))};
  EXPECT_EQ(TightenPolicy(pins_server, model).status().code(), absl::StatusCode::kPermissionDenied);
}

}  // namespace
}  // namespace kgate::trust
