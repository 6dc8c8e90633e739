// File: hash_model.h
// Builds the manifest of a model on disk: lists its files (model_files.h) and
// hashes them, or their shards, with SHA-256 on several threads. One file is
// hashed by one thread (SHA-256 is sequential), so parallelism helps models of
// several files and shard serializations; large files go first so that the
// longest job does not start last.
//
// Thread-safe; each call uses its own worker threads.
#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "trust/manifest.h"

namespace kgate::trust {

// A manifest with more resources (files or shards) than this is refused.
inline constexpr size_t kMaxResources = size_t{1} << 20;
// Hashing threads when the caller does not say: more than this rarely helps,
// since reading from disk or page cache becomes the bound.
inline constexpr int kMaxHashThreads = 8;

struct HashOptions {
  int threads = 0;  // 0: min(hardware threads, kMaxHashThreads)
};

// Hashes the model at `model_path` as `serialization` describes. The returned
// manifest carries `serialization` unchanged and its resources in canonical
// order (SortResources).
absl::StatusOr<Manifest> HashModel(const std::string& model_path, const Serialization& serialization,
                                   const HashOptions& options = {});

}  // namespace kgate::trust
