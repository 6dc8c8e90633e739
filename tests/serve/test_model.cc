#include "test_model.h"

#include <cstdlib>

#include "gtest/gtest.h"
#include "scan/scanner.h"

namespace kgate::serve::testing {

std::string FixturePath(const std::string& relative) {
  const char* root = std::getenv("KGATE_SOURCE_DIR");
  return std::string(root != nullptr ? root : KGATE_SOURCE_DIR) + "/" + relative;
}

absl::StatusOr<std::shared_ptr<const engine::Model>> ScanAndLoad(const std::string& path) {
  scan::FileResult result = scan::ScanFile(path);
  if (result.verdict != scan::Verdict::kAccept || result.report.graph == nullptr) {
    return absl::FailedPreconditionError(path + ": refused by the scanner");
  }
  engine::EngineOptions options;
  options.intra_op_threads = 1;
  absl::StatusOr<std::unique_ptr<engine::Model>> model = engine::Model::Create(std::move(result.report.graph), options);
  if (!model.ok()) return model.status();
  return std::shared_ptr<const engine::Model>(*std::move(model));
}

std::shared_ptr<const engine::Model> LoadFixture(const std::string& relative) {
  absl::StatusOr<std::shared_ptr<const engine::Model>> model = ScanAndLoad(FixturePath(relative));
  EXPECT_TRUE(model.ok()) << model.status();
  return model.ok() ? *model : nullptr;
}

}  // namespace kgate::serve::testing
