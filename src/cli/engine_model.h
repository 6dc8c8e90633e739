// File: engine_model.h
// What `predict` and `bench` share: load a model through the scanner (so they
// refuse exactly what `scan` rejects, printing its findings) and compile it
// for the engine; and parse the --threads flag.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "cli/args.h"
#include "engine/model.h"

namespace kgate::cli {

struct LoadedModel {
  std::unique_ptr<engine::Model> model;
  int exit_code = 0;  // non-zero when model is null: kExitFound (refused) or kExitUsage
};

// Loads and compiles `path`; on failure prints the reason ("kgate <command>:
// ...", and the scan report for a refused model) to stderr.
LoadedModel LoadEngineModel(std::string_view command, const std::string& path, const engine::EngineOptions& options);

// --threads N (1..1024), absent = 0 (every core). nullopt after printing a
// usage error.
std::optional<int> ParseThreads(std::string_view command, const Args& args);

}  // namespace kgate::cli
