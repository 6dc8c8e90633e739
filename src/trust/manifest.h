// File: manifest.h
// A model manifest: every resource of a model (a file, or a shard of a file)
// with its SHA-256, plus how the model was serialized into resources. This is
// the content of an OpenSSF model-signing v1.0 predicate, independent of any
// JSON. Also: the canonical resource order, the subject ("root") digest over
// all resource digests, and the comparison a verifier reports.
//
// Plain values; thread-compatible.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "trust/digest.h"

namespace kgate::trust {

enum class SerializationMethod { kFiles, kShards };

struct Serialization {
  SerializationMethod method = SerializationMethod::kFiles;
  bool allow_symlinks = false;
  std::vector<std::string> ignore_paths;  // relative POSIX paths, as signed
  uint64_t shard_size = 0;                // kShards only: bytes per shard
};

struct Resource {
  std::string name;  // "dir/file", "." for a single-file model, "dir/file:start:end" for a shard
  Sha256 digest{};
};

struct Manifest {
  std::string model_name;  // informative only; never compared
  Serialization serialization;
  std::vector<Resource> resources;
};

// Sorts resources the way model-signing orders them before computing the
// root digest: by path component by component (so "a/b" sorts before
// "a.txt"), then, for shards, by start and end offset as numbers.
void SortResources(SerializationMethod method, std::vector<Resource>* resources);

// SHA-256 over the concatenated raw digests, in the order given.
Sha256 RootDigest(const std::vector<Resource>& resources);

// A shard resource name split into its parts; false if not "path:start:end"
// with decimal offsets and start < end.
bool ParseShardName(const std::string& name, std::string* path, uint64_t* start, uint64_t* end);

struct ChangedResource {
  std::string name;
  Sha256 signed_digest{};
  Sha256 actual_digest{};
};
struct RenamedResource {
  std::string from;  // signed name, now missing
  std::string to;    // new name on disk with the same digest
};

// What differs between a signed manifest and the model on disk. A missing
// and an extra resource with the same digest are reported as a rename.
struct ManifestDiff {
  std::vector<ChangedResource> changed;
  std::vector<std::string> missing;
  std::vector<std::string> extra;
  std::vector<RenamedResource> renamed;

  bool empty() const { return changed.empty() && missing.empty() && extra.empty() && renamed.empty(); }
  // One line per difference: "changed: a (signed sha256 …, on disk …)".
  std::vector<std::string> Describe() const;
};

ManifestDiff CompareManifests(const std::vector<Resource>& signed_resources,
                              const std::vector<Resource>& actual_resources);

}  // namespace kgate::trust
