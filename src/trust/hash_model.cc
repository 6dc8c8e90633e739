#include "trust/hash_model.h"

#include <algorithm>
#include <atomic>
#include <optional>
#include <thread>

#include "trust/model_files.h"
#include "util/strings.h"

namespace kgate::trust {
namespace {

struct HashJob {
  const ModelFile* file;
  FileRange range;
  std::string name;
  uint64_t bytes;
};

absl::StatusOr<std::vector<HashJob>> PlanJobs(const ModelFiles& files, const Serialization& serialization) {
  std::vector<HashJob> jobs;
  for (const ModelFile& f : files.files) {
    if (serialization.method == SerializationMethod::kFiles) {
      jobs.push_back({&f, {}, f.name, f.size});
      continue;
    }
    if (f.name.find(':') != std::string::npos) {
      return absl::InvalidArgumentError(
          util::StrCat(f.path, ": file names with ':' cannot be named in a shard manifest (path:start:end)"));
    }
    // Like model-signing, an empty file has no shards.
    for (uint64_t start = 0; start < f.size; start += serialization.shard_size) {
      const uint64_t end = std::min(f.size, start + serialization.shard_size);
      if (jobs.size() >= kMaxResources) {
        return absl::ResourceExhaustedError(util::StrCat("model has more than ", kMaxResources,
                                                         " shards of ", serialization.shard_size, " bytes"));
      }
      jobs.push_back({&f, {start, end - start}, util::StrCat(f.name, ":", start, ":", end), end - start});
    }
  }
  return jobs;
}

}  // namespace

absl::StatusOr<Manifest> HashModel(const std::string& model_path, const Serialization& serialization,
                                   const HashOptions& options) {
  if (serialization.method == SerializationMethod::kShards && serialization.shard_size == 0) {
    return absl::InvalidArgumentError("shard serialization needs a shard_size above 0");
  }
  ListOptions list_options{.allow_symlinks = serialization.allow_symlinks, .ignore_paths = {}};
  for (const std::string& p : serialization.ignore_paths) {
    if (std::string n = NormalizeIgnorePath(p); !n.empty()) list_options.ignore_paths.push_back(std::move(n));
  }
  absl::StatusOr<ModelFiles> files = ListModelFiles(model_path, list_options);
  if (!files.ok()) return files.status();
  absl::StatusOr<std::vector<HashJob>> planned = PlanJobs(*files, serialization);
  if (!planned.ok()) return planned.status();
  std::vector<HashJob>& jobs = *planned;
  std::stable_sort(jobs.begin(), jobs.end(), [](const HashJob& a, const HashJob& b) { return a.bytes > b.bytes; });

  int threads = options.threads > 0 ? options.threads
                                    : std::min<int>(kMaxHashThreads, std::max(1u, std::thread::hardware_concurrency()));
  threads = static_cast<int>(std::min<size_t>(static_cast<size_t>(threads), std::max<size_t>(jobs.size(), 1)));

  std::vector<std::optional<absl::StatusOr<Sha256>>> results(jobs.size());
  std::atomic<size_t> next{0};
  std::atomic<bool> failed{false};
  auto worker = [&] {
    for (size_t i = next++; i < jobs.size() && !failed.load(); i = next++) {
      results[i] = HashFile(jobs[i].file->path, jobs[i].range);
      if (!results[i]->ok()) failed = true;
    }
  };
  {
    std::vector<std::jthread> pool;
    for (int t = 1; t < threads; ++t) pool.emplace_back(worker);
    worker();
  }

  Manifest manifest;
  manifest.model_name = files->model_name;
  manifest.serialization = serialization;
  manifest.resources.reserve(jobs.size());
  for (size_t i = 0; i < jobs.size(); ++i) {
    if (!results[i].has_value()) continue;  // skipped after another job failed
    if (!results[i]->ok()) return results[i]->status();
    manifest.resources.push_back({std::move(jobs[i].name), **results[i]});
  }
  if (manifest.resources.size() != jobs.size()) return absl::InternalError("hashing stopped without an error");
  SortResources(serialization.method, &manifest.resources);
  return manifest;
}

}  // namespace kgate::trust
