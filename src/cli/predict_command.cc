#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "cli/args.h"
#include "cli/commands.h"
#include "cli/engine_model.h"
#include "io/npy/npy.h"
#include "util/strings.h"

namespace kgate::cli {
namespace {

// Assigns each INPUT argument to a model input: all positional (model order)
// or all NAME=FILE.npy. Returns file paths in model order, or an error.
absl::StatusOr<std::vector<std::string>> AssignInputs(const std::vector<std::string>& given,
                                                      const std::vector<std::string>& names) {
  bool named = false;
  for (const std::string& g : given) {
    const size_t eq = g.find('=');
    const bool is_named = eq != std::string::npos && eq > 0 &&
                          std::find(names.begin(), names.end(), g.substr(0, eq)) != names.end();
    if (&g != &given[0] && is_named != named) {
      return absl::InvalidArgumentError("give inputs either all by position or all as NAME=FILE.npy");
    }
    named = is_named;
  }
  if (given.size() != names.size()) {
    return absl::InvalidArgumentError(util::StrCat("the model takes ", names.size(), " input(s) (",
                                                   util::StrJoin(names, ", "), "), got ", given.size(), " file(s)"));
  }
  if (!named) return given;
  std::map<std::string, std::string> by_name;
  for (const std::string& g : given) {
    const size_t eq = g.find('=');
    if (!by_name.emplace(g.substr(0, eq), g.substr(eq + 1)).second) {
      return absl::InvalidArgumentError(util::StrCat("input '", g.substr(0, eq), "' is given twice"));
    }
  }
  std::vector<std::string> files;
  for (const std::string& n : names) files.push_back(by_name.at(n));
  return files;
}

}  // namespace

int RunPredict(const std::vector<std::string>& argv) {
  absl::StatusOr<Args> args = Args::Parse(argv, {.with_value = {"--output-dir", "--threads"}, .switches = {}});
  if (!args.ok()) return UsageError("predict", util::ToStd(args.status().message()));
  if (args->positional().size() < 2) return UsageError("predict", "expected MODEL and at least one INPUT.npy");
  std::optional<int> threads = ParseThreads("predict", *args);
  if (!threads) return kExitUsage;
  const std::string out_dir = args->Get("--output-dir").value_or(".");
  std::error_code ec;
  if (!std::filesystem::is_directory(out_dir, ec)) {
    return UsageError("predict", util::StrCat("--output-dir '", out_dir, "' is not a directory"));
  }

  engine::EngineOptions options;
  options.intra_op_threads = *threads;
  LoadedModel loaded = LoadEngineModel("predict", args->positional()[0], options);
  if (loaded.model == nullptr) return loaded.exit_code;
  const engine::Model& model = *loaded.model;

  const std::vector<std::string> given(args->positional().begin() + 1, args->positional().end());
  absl::StatusOr<std::vector<std::string>> files = AssignInputs(given, model.input_names());
  if (!files.ok()) return UsageError("predict", util::ToStd(files.status().message()));
  std::vector<io::npy::Array> arrays;
  std::vector<engine::Tensor> feed;
  for (size_t i = 0; i < files->size(); ++i) {
    absl::StatusOr<io::npy::Array> a = io::npy::ReadFile((*files)[i]);
    if (!a.ok()) return UsageError("predict", util::StrCat((*files)[i], ": ", util::ToStd(a.status().message())));
    arrays.push_back(*std::move(a));
  }
  for (const io::npy::Array& a : arrays) {
    feed.push_back(engine::Tensor{a.dtype, a.shape, const_cast<uint8_t*>(a.data.data())});
  }
  absl::StatusOr<std::vector<engine::HostTensor>> outputs = model.Predict(feed);
  if (!outputs.ok()) return UsageError("predict", util::ToStd(outputs.status().message()));
  for (size_t o = 0; o < outputs->size(); ++o) {
    const engine::HostTensor& t = (*outputs)[o];
    io::npy::Array a;
    a.dtype = t.dtype;
    a.shape = t.shape;
    const auto* bytes = static_cast<const uint8_t*>(t.buffer.data());
    a.data.assign(bytes, bytes + t.view().num_bytes());
    const std::string path = (std::filesystem::path(out_dir) / util::StrCat("output", o, ".npy")).string();
    if (absl::Status s = io::npy::WriteFile(path, a); !s.ok()) {
      return UsageError("predict", util::StrCat(path, ": ", util::ToStd(s.message())));
    }
    std::printf("%s\t%s\t%s\t%s\n", path.c_str(), model.output_names()[o].c_str(),
                std::string(util::DTypeName(t.dtype)).c_str(), graph::ShapeString(t.shape).c_str());
  }
  return kExitClean;
}

}  // namespace kgate::cli
