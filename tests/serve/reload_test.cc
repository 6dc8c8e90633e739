// Reloading a repository: polls that pick up new, changed and removed
// versions; failures that leave what serves in place; version policies; a
// bad kgate.yaml; the trust policy at load and reload; the snapshot a request
// holds across a swap.
#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "serve/live_repository.h"
#include "serve/repository_loader.h"
#include "test_model.h"
#include "trust/signer.h"
#include "../trust/test_support.h"

namespace kgate::serve {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

class ReloadTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::path(dir_.path()) / "repo";
    fs::create_directories(root_);
    options_.loader = testing::ScanAndLoad;
    options_.on_event = [this](const RepositoryEvent& e) { events_.push_back(e); };
  }

  void Put(const std::string& model, int64_t version, const std::string& fixture = "multi_io.keras") {
    const fs::path dir = root_ / model / std::to_string(version);
    fs::create_directories(dir);
    fs::copy_file(testing::FixturePath("tests/fixtures/models/" + fixture), dir / "model.keras",
                  fs::copy_options::overwrite_existing);
  }
  void PutBroken(const std::string& model, int64_t version) {
    const fs::path dir = root_ / model / std::to_string(version);
    fs::create_directories(dir);
    std::ofstream(dir / "model.keras") << "not a zip archive";
  }
  void WriteConfig(const std::string& model, const std::string& text) {
    std::ofstream(root_ / model / "kgate.yaml", std::ios::trunc) << text;
  }
  void Sign(const std::string& model, int64_t version) {
    const std::string dir = (root_ / model / std::to_string(version)).string();
    absl::StatusOr<trust::SignResult> s =
        trust::SignModel(dir + "/model.keras", key_.private_key, {.signature_path = dir + "/model.sig"});
    ASSERT_TRUE(s.ok()) << s.status();
    trust::testing::WriteFile(dir + "/model.sig", s->bundle_json);
  }
  void RequireSignature() {
    options_.config.server_trust.require_signature = true;
    options_.config.server_trust.trusted_keys = {key_.public_key};
  }
  std::unique_ptr<RepositoryLoader> Loader() { return std::make_unique<RepositoryLoader>(root_.string(), options_); }
  std::vector<RepositoryEvent> Events(RepositoryEvent::Kind kind) const {
    std::vector<RepositoryEvent> out;
    for (const RepositoryEvent& e : events_) {
      if (e.kind == kind) out.push_back(e);
    }
    return out;
  }

  trust::testing::TempDir dir_;
  fs::path root_;
  RepositoryOptions options_;
  std::vector<RepositoryEvent> events_;
  trust::testing::KeyPair key_ = trust::testing::GenerateKeyPair();
};

TEST_F(ReloadTest, NewVersionIsServedAfterAPollAndTheOldSnapshotStaysUsable) {
  Put("m", 1);
  auto loader = Loader();
  absl::StatusOr<std::shared_ptr<const ModelRepository>> first = loader->LoadAll();
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_EQ(loader->Poll(), nullptr);  // nothing changed
  Put("m", 2);
  std::shared_ptr<const ModelRepository> second = loader->Poll();
  ASSERT_NE(second, nullptr);
  EXPECT_EQ(second->Versions("m"), (std::vector<int64_t>{2}));
  // A request that started on the first snapshot still finds version 1.
  absl::StatusOr<const ServedModel*> held = (*first)->Find("m", std::nullopt);
  ASSERT_TRUE(held.ok());
  EXPECT_EQ((*held)->version, 1);
  EXPECT_NE((*held)->model, nullptr);
  ASSERT_EQ(Events(RepositoryEvent::Kind::kUnloaded).size(), 1u);
  EXPECT_EQ(Events(RepositoryEvent::Kind::kUnloaded)[0].version, 1);
}

TEST_F(ReloadTest, ABrokenNewVersionDoesNotReplaceTheWorkingOne) {
  Put("m", 1);
  auto loader = Loader();
  ASSERT_TRUE(loader->LoadAll().ok());
  PutBroken("m", 2);
  EXPECT_EQ(loader->Poll(), nullptr);  // version 1 keeps serving, unchanged
  std::vector<RepositoryEvent> refused = Events(RepositoryEvent::Kind::kRefused);
  ASSERT_EQ(refused.size(), 1u);
  EXPECT_EQ(refused[0].version, 2);
  EXPECT_EQ(refused[0].reason, "scan");
  // Not retried (nor reported again) until its files change.
  EXPECT_EQ(loader->Poll(), nullptr);
  EXPECT_EQ(Events(RepositoryEvent::Kind::kRefused).size(), 1u);
  Put("m", 2);
  std::shared_ptr<const ModelRepository> fixed = loader->Poll();
  ASSERT_NE(fixed, nullptr);
  EXPECT_EQ(fixed->Versions("m"), (std::vector<int64_t>{2}));
}

TEST_F(ReloadTest, AFileRewrittenInPlaceIsReloadedAndAFailedRewriteKeepsTheLoadedModel) {
  Put("m", 1);
  auto loader = Loader();
  absl::StatusOr<std::shared_ptr<const ModelRepository>> first = loader->LoadAll();
  ASSERT_TRUE(first.ok());
  Put("m", 1, "activations_a.keras");
  std::shared_ptr<const ModelRepository> second = loader->Poll();
  ASSERT_NE(second, nullptr);
  EXPECT_NE((*second->Find("m", 1))->model, (*(*first)->Find("m", 1))->model);
  EXPECT_EQ((*second->Find("m", 1))->schema.inputs.size(), 1u);
  PutBroken("m", 1);
  EXPECT_EQ(loader->Poll(), nullptr);
  EXPECT_EQ(Events(RepositoryEvent::Kind::kRefused).size(), 1u);
}

TEST_F(ReloadTest, RemovedVersionsAndModelsAreUnloaded) {
  WriteConfig("m", R"({"versions": {"all": true}})");
  Put("m", 1);
  Put("m", 2);
  Put("other", 1);
  auto loader = Loader();
  ASSERT_TRUE(loader->LoadAll().ok());
  fs::remove_all(root_ / "m" / "2");
  std::shared_ptr<const ModelRepository> after = loader->Poll();
  ASSERT_NE(after, nullptr);
  EXPECT_EQ(after->Versions("m"), (std::vector<int64_t>{1}));
  fs::remove_all(root_ / "other");
  after = loader->Poll();
  ASSERT_NE(after, nullptr);
  EXPECT_TRUE(after->Versions("other").empty());
  EXPECT_THAT(std::string(after->Find("other", std::nullopt).status().message()), HasSubstr("not served here"));
}

TEST_F(ReloadTest, VersionPolicies) {
  for (int64_t v : {1, 2, 3}) Put("m", v);
  WriteConfig("m", R"({"versions": {"latest": 2}})");
  auto loader = Loader();
  absl::StatusOr<std::shared_ptr<const ModelRepository>> repo = loader->LoadAll();
  ASSERT_TRUE(repo.ok()) << repo.status();
  EXPECT_EQ((*repo)->Versions("m"), (std::vector<int64_t>{2, 3}));
  WriteConfig("m", R"({"versions": {"specific": [3, 1]}})");
  std::shared_ptr<const ModelRepository> next = loader->Poll();
  ASSERT_NE(next, nullptr);
  EXPECT_EQ(next->Versions("m"), (std::vector<int64_t>{1, 3}));
  EXPECT_THAT(std::string(next->Find("m", 2).status().message()), HasSubstr("has no version 2 (served: 1, 3)"));
  WriteConfig("m", R"({"versions": {"all": true}})");
  next = loader->Poll();
  ASSERT_NE(next, nullptr);
  EXPECT_EQ(next->Versions("m"), (std::vector<int64_t>{1, 2, 3}));
  // latest N counts versions that load: a broken newest leaves the next one serving.
  WriteConfig("m", R"({"versions": {"latest": 1}})");
  PutBroken("m", 4);
  next = loader->Poll();
  ASSERT_NE(next, nullptr);
  EXPECT_EQ(next->Versions("m"), (std::vector<int64_t>{3}));
}

TEST_F(ReloadTest, ABadKgateYamlRefusesTheModelAtStartAndKeepsTheOldConfigAtReload) {
  Put("m", 1);
  WriteConfig("m", R"({"limits": {"max_batch": "eight"}})");
  absl::StatusOr<std::shared_ptr<const ModelRepository>> refused = Loader()->LoadAll();
  EXPECT_THAT(std::string(refused.status().message()),
              HasSubstr("m/kgate.yaml: limits.max_batch: expected an integer in 1..1048576, got string \"eight\""));
  WriteConfig("m", R"({"limits": {"max_batch": 4}})");
  auto loader = Loader();
  ASSERT_TRUE(loader->LoadAll().ok());
  WriteConfig("m", R"({"limits": {"max_batch": 4}, "colour": "blue"})");
  EXPECT_EQ(loader->Poll(), nullptr);
  std::vector<RepositoryEvent> events = Events(RepositoryEvent::Kind::kRefused);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].reason, "config");
  EXPECT_THAT(events[0].message, HasSubstr("kgate.yaml: colour: unknown key"));
  WriteConfig("m", R"({"limits": {"max_batch": 2}})");
  std::shared_ptr<const ModelRepository> next = loader->Poll();
  ASSERT_NE(next, nullptr);
  EXPECT_EQ((*next->Find("m", 1))->config->limits.max_batch, 2);
}

TEST_F(ReloadTest, UnsignedModelsAreRefusedUnderRequireSignature) {
  RequireSignature();
  Put("m", 1);
  absl::StatusOr<std::shared_ptr<const ModelRepository>> refused = Loader()->LoadAll();
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(trust::RefusalReason(refused.status()), "unsigned");
  Sign("m", 1);
  absl::StatusOr<std::shared_ptr<const ModelRepository>> signed_repo = Loader()->LoadAll();
  ASSERT_TRUE(signed_repo.ok()) << signed_repo.status();
  EXPECT_THAT(Events(RepositoryEvent::Kind::kLoaded).back().message, HasSubstr("signature verified"));
}

TEST_F(ReloadTest, ATamperedNewVersionDoesNotReplaceTheSignedOldOne) {
  RequireSignature();
  Put("m", 1);
  Sign("m", 1);
  auto loader = Loader();
  ASSERT_TRUE(loader->LoadAll().ok());
  Put("m", 2);
  Sign("m", 2);
  Put("m", 2, "activations_a.keras");  // replaced after signing
  EXPECT_EQ(loader->Poll(), nullptr);
  std::vector<RepositoryEvent> refused = Events(RepositoryEvent::Kind::kRefused);
  ASSERT_EQ(refused.size(), 1u);
  EXPECT_EQ(refused[0].reason, "files-differ");
  // A kgate.yaml may not loosen the server's policy.
  WriteConfig("m", R"({"trust": {"require_signature": false}})");
  EXPECT_EQ(loader->Poll(), nullptr);
  refused = Events(RepositoryEvent::Kind::kRefused);
  ASSERT_EQ(refused.size(), 2u);
  EXPECT_THAT(refused[1].message, HasSubstr("trust.require_signature: false would loosen"));
}

TEST_F(ReloadTest, ThePollerSwapsTheLiveRepository) {
  Put("m", 1);
  auto loader = Loader();
  absl::StatusOr<std::shared_ptr<const ModelRepository>> first = loader->LoadAll();
  ASSERT_TRUE(first.ok());
  LiveRepository live(*first);
  std::shared_ptr<const ModelRepository> held = live.Snapshot();
  {
    RepositoryPoller poller(*loader, live, absl::Milliseconds(5));
    Put("m", 2);
    // Bounded: the poller sees the new version within a few polls.
    for (int i = 0; i < 6000 && live.Snapshot()->Versions("m") != std::vector<int64_t>{2}; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
  }
  EXPECT_EQ(live.Snapshot()->Versions("m"), (std::vector<int64_t>{2}));
  EXPECT_EQ(held->Versions("m"), (std::vector<int64_t>{1}));
}

}  // namespace
}  // namespace kgate::serve
