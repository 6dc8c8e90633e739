// Round trips and every tamper case of issue 5: each must fail verification
// with a message that says what.
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <cstdio>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "test_support.h"
#include "trust/base64.h"
#include "trust/bundle.h"
#include "trust/dsse.h"
#include "trust/signer.h"
#include "trust/statement.h"
#include "trust/verifier.h"

namespace kgate::trust {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using testing::GenerateKeyPair;
using testing::KeyPair;
using testing::MakeDirs;
using testing::ReadFile;
using testing::TempDir;
using testing::WriteFile;

class SignVerifyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    MakeDirs(dir_.Sub("m/variables"));
    WriteFile(dir_.Sub("m/config.json"), R"({"class_name": "Sequential"})");
    WriteFile(dir_.Sub("m/variables/weights.bin"), std::string(100000, '\x42'));
    WriteFile(dir_.Sub("m/metadata.json"), "{}");
  }

  std::string Model() const { return dir_.Sub("m"); }
  std::string SigPath() const { return dir_.Sub("m/model.sig"); }

  void Sign(const KeyPair& key) {
    absl::StatusOr<SignResult> r = SignModel(Model(), key.private_key, {.signature_path = SigPath()});
    ASSERT_TRUE(r.ok()) << r.status();
    WriteFile(SigPath(), r->bundle_json);
  }

  VerifyReport Verify(const std::vector<PublicKey>& keys, const std::string& bundle) {
    absl::StatusOr<VerifyReport> r = VerifyModel(Model(), bundle, keys, {.signature_path = SigPath()});
    EXPECT_TRUE(r.ok()) << r.status();
    return r.ok() ? *r : VerifyReport{};
  }
  VerifyReport Verify(const KeyPair& key) { return Verify({key.public_key}, ReadFile(SigPath())); }

  static std::string Joined(const VerifyReport& r) {
    std::string out;
    for (const std::string& l : r.Describe()) out += l + "\n";
    return out;
  }

  TempDir dir_;
  KeyPair key_ = GenerateKeyPair("P-256");
};

TEST_F(SignVerifyTest, RoundTripDirectory) {
  Sign(key_);
  const VerifyReport r = Verify(key_);
  EXPECT_TRUE(r.verified) << Joined(r);
  EXPECT_EQ(r.predicate_type, kPredicateTypeV1);
  EXPECT_EQ(r.signer_hint, key_.public_key.hint());
  EXPECT_FALSE(r.legacy_pae);
  ASSERT_EQ(r.signed_manifest.resources.size(), 3u);  // model.sig itself is not signed
  EXPECT_EQ(r.signed_manifest.resources[2].name, "variables/weights.bin");
  EXPECT_EQ(r.signed_manifest.model_name, "m");
}

TEST_F(SignVerifyTest, RoundTripEveryCurveAndSingleFile) {
  for (const char* curve : {"P-256", "P-384", "P-521"}) {
    const KeyPair key = GenerateKeyPair(curve);
    const std::string file = dir_.Sub("m/variables/weights.bin");
    const std::string sig = dir_.Sub("file.sig");
    absl::StatusOr<SignResult> s = SignModel(file, key.private_key, {.signature_path = sig});
    ASSERT_TRUE(s.ok()) << s.status();
    absl::StatusOr<VerifyReport> r = VerifyModel(file, s->bundle_json, {key.public_key}, {.signature_path = sig});
    ASSERT_TRUE(r.ok());
    EXPECT_TRUE(r->verified) << curve << ": " << Joined(*r);
    ASSERT_EQ(r->signed_manifest.resources.size(), 1u);
    EXPECT_EQ(r->signed_manifest.resources[0].name, ".");
    EXPECT_EQ(r->signed_manifest.model_name, "weights.bin");
  }
}

TEST_F(SignVerifyTest, OneByteInTheWeights) {
  Sign(key_);
  std::string w = ReadFile(dir_.Sub("m/variables/weights.bin"));
  w[54321] ^= 1;
  WriteFile(dir_.Sub("m/variables/weights.bin"), w);
  const VerifyReport r = Verify(key_);
  EXPECT_FALSE(r.verified);
  ASSERT_EQ(r.diff.changed.size(), 1u);
  EXPECT_THAT(Joined(r), HasSubstr("changed: variables/weights.bin (signed sha256 "));
  EXPECT_THAT(r.diff.missing, IsEmpty());
  EXPECT_THAT(r.diff.extra, IsEmpty());
}

TEST_F(SignVerifyTest, ReplacedConfig) {
  Sign(key_);
  WriteFile(dir_.Sub("m/config.json"), R"({"class_name": "Lambda"})");
  const VerifyReport r = Verify(key_);
  EXPECT_FALSE(r.verified);
  EXPECT_THAT(Joined(r), HasSubstr("changed: config.json"));
}

TEST_F(SignVerifyTest, AddedFile) {
  Sign(key_);
  WriteFile(dir_.Sub("m/variables/evil.py"), "import os");
  const VerifyReport r = Verify(key_);
  EXPECT_FALSE(r.verified);
  EXPECT_THAT(r.diff.extra, ElementsAre("variables/evil.py"));
  EXPECT_EQ(r.failure_kind, VerifyFailure::kFilesDiffer);
  EXPECT_THAT(Joined(r), HasSubstr("extra: variables/evil.py (on disk, not signed)"));
}

TEST_F(SignVerifyTest, RemovedFile) {
  Sign(key_);
  std::remove(dir_.Sub("m/metadata.json").c_str());
  const VerifyReport r = Verify(key_);
  EXPECT_FALSE(r.verified);
  EXPECT_THAT(r.diff.missing, ElementsAre("metadata.json"));
  EXPECT_THAT(Joined(r), HasSubstr("missing: metadata.json (signed, not on disk)"));
}

TEST_F(SignVerifyTest, RenamedFile) {
  Sign(key_);
  std::rename(dir_.Sub("m/config.json").c_str(), dir_.Sub("m/config2.json").c_str());
  const VerifyReport r = Verify(key_);
  EXPECT_FALSE(r.verified);
  EXPECT_THAT(Joined(r), HasSubstr("renamed: config.json -> config2.json"));
}

TEST_F(SignVerifyTest, UntrustedKey) {
  Sign(GenerateKeyPair("P-256"));
  const VerifyReport r = Verify(key_);
  EXPECT_FALSE(r.verified);
  EXPECT_THAT(r.failure, HasSubstr("signed by an untrusted key: the bundle names key sha256:"));
  EXPECT_EQ(r.failure_kind, VerifyFailure::kUntrustedKey);
  EXPECT_THAT(r.failure, HasSubstr(key_.public_key.hint()));
}

TEST_F(SignVerifyTest, ForgedHintStillNeedsTheSignature) {
  // An attacker signs with their own key but claims the trusted key's hint.
  const KeyPair attacker = GenerateKeyPair("P-256");
  Sign(attacker);
  absl::StatusOr<Bundle> b = ParseBundle(ReadFile(SigPath()));
  ASSERT_TRUE(b.ok());
  b->public_key_hint = key_.public_key.hint();
  const VerifyReport r = Verify({key_.public_key}, SerializeBundle(*b));
  EXPECT_FALSE(r.verified);
  EXPECT_THAT(r.failure, HasSubstr("the DSSE signature does not verify with key sha256:"));
  EXPECT_EQ(r.failure_kind, VerifyFailure::kBadSignature);
}

TEST_F(SignVerifyTest, AlteredPayloadBreaksTheSignature) {
  Sign(key_);
  absl::StatusOr<Bundle> b = ParseBundle(ReadFile(SigPath()));
  ASSERT_TRUE(b.ok());
  const size_t at = b->payload.find("\"m\"");
  ASSERT_NE(at, std::string::npos);
  b->payload.replace(at, 3, "\"n\"");
  const VerifyReport r = Verify({key_.public_key}, SerializeBundle(*b));
  EXPECT_FALSE(r.verified);
  EXPECT_THAT(r.failure, HasSubstr("the signed statement or the signature was altered"));
}

TEST_F(SignVerifyTest, TruncatedBundleAtEveryLength) {
  Sign(key_);
  const std::string bundle = ReadFile(SigPath());
  for (size_t len = 0; len < bundle.size(); len += 37) {
    const VerifyReport r = Verify({key_.public_key}, bundle.substr(0, len));
    EXPECT_FALSE(r.verified) << len;
    EXPECT_THAT(r.failure, HasSubstr("signature bundle is not valid JSON")) << len;
  }
}

TEST_F(SignVerifyTest, WrongPayloadType) {
  Sign(key_);
  std::string bundle = ReadFile(SigPath());
  const std::string from = "\"application/vnd.in-toto+json\"";
  bundle.replace(bundle.find(from), from.size(), "\"application/json\"");
  const VerifyReport r = Verify({key_.public_key}, bundle);
  EXPECT_FALSE(r.verified);
  EXPECT_THAT(r.failure, HasSubstr("/dsseEnvelope/payloadType: is 'application/json'"));
  EXPECT_EQ(r.failure_kind, VerifyFailure::kMalformedBundle);
}

TEST_F(SignVerifyTest, ManifestDoesNotMatchSubjectDigest) {
  // A validly signed statement whose subject digest is not the hash of its
  // resources: the signer lied, or a tool has a bug. Either way: refused.
  absl::StatusOr<SignResult> s = SignModel(Model(), key_.private_key, {.signature_path = SigPath()});
  ASSERT_TRUE(s.ok());
  std::string statement = StatementJson(s->manifest);
  const std::string root = ToHex(RootDigest(s->manifest.resources));
  statement.replace(statement.find(root), root.size(), std::string(64, '0'));
  absl::StatusOr<Bundle> b = SignStatement(statement, key_.private_key);
  ASSERT_TRUE(b.ok());
  const VerifyReport r = Verify({key_.public_key}, SerializeBundle(*b));
  EXPECT_FALSE(r.verified);
  EXPECT_THAT(r.failure, HasSubstr("signed statement is inconsistent: /subject/0/digest/sha256 is 0000"));
  EXPECT_THAT(r.failure, HasSubstr("the resources in /predicate/resources hash to " + root));
  EXPECT_EQ(r.failure_kind, VerifyFailure::kMalformedStatement);
}

TEST_F(SignVerifyTest, DuplicateResourceNamesRefused) {
  absl::StatusOr<SignResult> s = SignModel(Model(), key_.private_key, {.signature_path = SigPath()});
  ASSERT_TRUE(s.ok());
  Manifest m = s->manifest;
  m.resources.push_back(m.resources[0]);
  absl::StatusOr<Bundle> b = SignStatement(StatementJson(m), key_.private_key);
  ASSERT_TRUE(b.ok());
  EXPECT_THAT(Verify({key_.public_key}, SerializeBundle(*b)).failure, HasSubstr("is listed twice"));
}

TEST_F(SignVerifyTest, AcceptsV01PredicateAndLegacyPae) {
  absl::StatusOr<SignResult> s = SignModel(Model(), key_.private_key, {.signature_path = SigPath()});
  ASSERT_TRUE(s.ok());
  std::string subjects;
  for (const Resource& r : s->manifest.resources) {
    subjects += (subjects.empty() ? "" : ",") + std::string("{\"name\":\"") + r.name + "\",\"digest\":{\"sha256\":\"" +
                ToHex(r.digest) + "\"}}";
  }
  const std::string statement = std::string("{\"_type\":\"https://in-toto.io/Statement/v1\",\"subject\":[") + subjects +
                                "],\"predicateType\":\"https://model_signing/Digests/v0.1\",\"predicate\":{}}";
  // model-signing 0.2 signed Python's repr of the payload (PaeCompat).
  Bundle b;
  b.payload_type = std::string(kInTotoPayloadType);
  b.payload = statement;
  absl::StatusOr<std::string> sig = key_.private_key.Sign(PaeCompat(b.payload_type, b.payload));
  ASSERT_TRUE(sig.ok());
  b.signatures.push_back({*sig, ""});
  const VerifyReport r = Verify({key_.public_key}, SerializeBundle(b));
  EXPECT_TRUE(r.verified) << Joined(r);
  EXPECT_EQ(r.predicate_type, kPredicateTypeV01);
  EXPECT_TRUE(r.legacy_pae);
  EXPECT_FALSE(r.signed_manifest.serialization.allow_symlinks);
}

TEST_F(SignVerifyTest, UnknownPredicateTypeRefused) {
  std::string statement = R"({"_type":"https://in-toto.io/Statement/v1","subject":[],"predicateType":"https://slsa.dev/provenance/v1","predicate":{}})";
  absl::StatusOr<Bundle> b = SignStatement(statement, key_.private_key);
  ASSERT_TRUE(b.ok());
  EXPECT_THAT(Verify({key_.public_key}, SerializeBundle(*b)).failure,
              HasSubstr("/predicateType: is 'https://slsa.dev/provenance/v1'"));
}

TEST_F(SignVerifyTest, FileSignatureAgainstDirectorySaysSo) {
  const std::string file = dir_.Sub("m/config.json");
  absl::StatusOr<SignResult> s = SignModel(file, key_.private_key, {.signature_path = dir_.Sub("f.sig")});
  ASSERT_TRUE(s.ok());
  const VerifyReport r = Verify({key_.public_key}, s->bundle_json);
  EXPECT_THAT(r.failure, HasSubstr("the signature covers a single file, but MODEL is a directory"));
}

TEST_F(SignVerifyTest, NoHintTriesEveryTrustedKey) {
  Sign(key_);
  absl::StatusOr<Bundle> b = ParseBundle(ReadFile(SigPath()));
  ASSERT_TRUE(b.ok());
  b->public_key_hint.reset();
  const VerifyReport r = Verify({GenerateKeyPair().public_key, key_.public_key}, SerializeBundle(*b));
  EXPECT_TRUE(r.verified) << Joined(r);
  EXPECT_EQ(r.signer_hint, key_.public_key.hint());
}

TEST_F(SignVerifyTest, ShardManifestVerifies) {
  // model-signing's shard serialization: "path:start:end" resources.
  Serialization shards;
  shards.method = SerializationMethod::kShards;
  shards.shard_size = 30000;
  shards.ignore_paths = {"model.sig"};
  absl::StatusOr<Manifest> m = HashModel(Model(), shards);
  ASSERT_TRUE(m.ok()) << m.status();
  ASSERT_EQ(m->resources.size(), 6u);  // 2 small files + 4 shards of 100000 bytes
  EXPECT_EQ(m->resources[2].name, "variables/weights.bin:0:30000");
  EXPECT_EQ(m->resources[5].name, "variables/weights.bin:90000:100000");
  absl::StatusOr<Bundle> b = SignStatement(StatementJson(*m), key_.private_key);
  ASSERT_TRUE(b.ok());
  VerifyReport r = Verify({key_.public_key}, SerializeBundle(*b));
  EXPECT_TRUE(r.verified) << Joined(r);
  std::string w = ReadFile(dir_.Sub("m/variables/weights.bin"));
  w[95000] ^= 1;
  WriteFile(dir_.Sub("m/variables/weights.bin"), w);
  r = Verify({key_.public_key}, SerializeBundle(*b));
  EXPECT_THAT(Joined(r), HasSubstr("changed: variables/weights.bin:90000:100000"));
}

TEST_F(SignVerifyTest, MissingModelIsAnError) {
  Sign(key_);
  absl::StatusOr<VerifyReport> r = VerifyModel(dir_.Sub("nope"), ReadFile(SigPath()), {key_.public_key}, {});
  EXPECT_EQ(r.status().code(), absl::StatusCode::kNotFound);
}

TEST(EcKeyTest, RefusesWrongKeys) {
  EXPECT_THAT(PublicKey::FromPem("hello", "k.pem").status().message(), HasSubstr("k.pem: not a PEM public key"));
  EXPECT_THAT(PrivateKey::FromPem("-----BEGIN ENCRYPTED PRIVATE KEY-----\n", "k.pem").status().message(),
              HasSubstr("encrypted private keys are not supported"));
  const KeyPair k = GenerateKeyPair();
  EXPECT_THAT(PublicKey::FromPem(k.private_pem, "priv.pem").status().message(), HasSubstr("not a PEM public key"));
  // Ed25519 (and RSA) are not model-signing key types.
  EVP_PKEY* ed = EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519");
  ASSERT_NE(ed, nullptr);
  BIO* bio = BIO_new(BIO_s_mem());
  PEM_write_bio_PUBKEY(bio, ed);
  char* data = nullptr;
  const long len = BIO_get_mem_data(bio, &data);
  const std::string ed_pem(data, static_cast<size_t>(len));
  BIO_free(bio);
  EVP_PKEY_free(ed);
  EXPECT_THAT(PublicKey::FromPem(ed_pem, "ed.pub").status().message(),
              HasSubstr("ed.pub: not an elliptic-curve key (ED25519)"));
  // The hint is SHA-256 over the PEM text, as model-signing computes it.
  EXPECT_EQ(k.public_key.hint(), ToHex(HashBytes(k.public_pem)));
  EXPECT_EQ(k.private_key.public_key().hint(), k.public_key.hint());
}

}  // namespace
}  // namespace kgate::trust
