// File: digest.h
// SHA-256 digests for model integrity: of bytes in memory and of a byte range
// of a file on disk, streamed through OpenSSL's EVP interface (which uses the
// CPU's SHA extensions where present) with large read() calls.
//
// Files are read, never mapped: a mapped file that another process truncates
// while it is hashed kills the reader with SIGBUS, and a signature check must
// not be a way to crash the server. Files are opened with O_NOFOLLOW and must
// be regular files, so a path swapped for a symlink or a FIFO after the
// directory walk is refused instead of followed or blocked on.
//
// All functions are thread-safe; HashFile calls may run in parallel.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace kgate::trust {

using Sha256 = std::array<uint8_t, 32>;

// Bytes per read() when hashing a file: large enough that system-call and
// buffer overheads vanish next to the hash itself, small enough for a stack
// of per-thread buffers.
inline constexpr size_t kHashReadBytes = size_t{4} << 20;  // 4 MiB

Sha256 HashBytes(std::span<const uint8_t> bytes);
Sha256 HashBytes(std::string_view bytes);

// Lowercase hex of a digest (64 characters).
std::string ToHex(const Sha256& digest);

// Parses 64 hex digits (either case); nullopt for anything else.
std::optional<Sha256> Sha256FromHex(std::string_view hex);

// A byte range [offset, offset + length) of a file; length = nullopt means
// "to the end of the file".
struct FileRange {
  uint64_t offset = 0;
  std::optional<uint64_t> length;
};

// Hashes `path` (or a range of it). Fails with kNotFound if the file is
// absent, kFailedPrecondition if it is not a regular file or is a symlink, and
// kDataLoss if the file shrinks while it is read (the range cannot be hashed
// as it was when the walk listed it).
absl::StatusOr<Sha256> HashFile(const std::string& path, const FileRange& range = {});

}  // namespace kgate::trust
