// File: test_model.h
// Loads committed fixture models for the serve tests the way the server does
// (through the scanner, then the engine), and builds repositories from them.
#pragma once

#include <memory>
#include <string>

#include "engine/model.h"
#include "serve/model_repository.h"

namespace kgate::serve::testing {

std::string FixturePath(const std::string& relative);
std::shared_ptr<const engine::Model> LoadFixture(const std::string& relative);
// The ModelLoader the CLI would use, minus its printing.
absl::StatusOr<std::shared_ptr<const engine::Model>> ScanAndLoad(const std::string& path);

}  // namespace kgate::serve::testing
