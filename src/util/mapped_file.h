// File: mapped_file.h
// MappedFile maps a regular file read-only into memory, so readers can parse
// a model in place (a STORED .keras member is used where it lies) and the
// loader reads at page-cache speed. The mapping lives as long as the object;
// spans from data() must not outlive it. Safe to read from many threads.
#pragma once

#include <cstdint>
#include <span>
#include <string>

#include "absl/status/statusor.h"

namespace kgate::util {

class MappedFile {
 public:
  // Files larger than this are refused before mapping (KG-F002).
  static constexpr uint64_t kDefaultMaxBytes = uint64_t{16} << 30;  // 16 GiB

  // Opens and maps `path`. Refuses non-regular files (devices, FIFOs, whose
  // reads could block or never end) and files over `max_bytes`.
  static absl::StatusOr<MappedFile> Open(const std::string& path,
                                         uint64_t max_bytes = kDefaultMaxBytes);

  MappedFile(MappedFile&& other) noexcept;
  MappedFile& operator=(MappedFile&& other) noexcept;
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;
  ~MappedFile();

  std::span<const uint8_t> data() const { return {data_, size_}; }
  const std::string& path() const { return path_; }

 private:
  MappedFile(std::string path, const uint8_t* data, uint64_t size)
      : path_(std::move(path)), data_(data), size_(size) {}
  void Reset();

  std::string path_;
  const uint8_t* data_ = nullptr;
  uint64_t size_ = 0;
};

}  // namespace kgate::util
