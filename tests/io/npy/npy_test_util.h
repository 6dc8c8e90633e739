// File: npy_test_util.h
// Helpers shared by the .npy tests: build a file from a header text.
#pragma once

#include <gtest/gtest.h>

#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "io/npy/npy.h"

namespace kgate::io::npy::testing {

// A .npy file of format `major`.0 whose header is `dict`, padded with spaces
// and '\n' so the data starts at a multiple of `align`, followed by `data`.
inline std::vector<uint8_t> MakeNpy(std::string_view dict, std::string_view data, int major = 1,
                                    size_t align = 64) {
  const size_t preamble = major == 1 ? 10 : 12;
  std::string header(dict);
  const size_t total = preamble + header.size() + 1;
  header.append((align - total % align) % align, ' ');
  header.push_back('\n');
  std::string out("\x93NUMPY", 6);
  out.push_back(static_cast<char>(major));
  out.push_back('\0');
  for (size_t i = 0; i < preamble - 8; ++i) out.push_back(static_cast<char>((header.size() >> (8 * i)) & 0xFF));
  out += header;
  out += data;
  return std::vector<uint8_t>(out.begin(), out.end());
}

// Success when `status` failed with `code` and its message contains `substr`.
inline ::testing::AssertionResult IsError(const absl::Status& status, absl::StatusCode code,
                                          std::string_view substr) {
  if (status.ok()) return ::testing::AssertionFailure() << "expected an error with \"" << substr << "\", got OK";
  if (status.code() != code || std::string(status.message()).find(substr) == std::string::npos) {
    return ::testing::AssertionFailure() << "expected " << absl::StatusCodeToString(code) << " with \"" << substr
                                         << "\", got " << status;
  }
  return ::testing::AssertionSuccess();
}

// Writes `array` to $KGATE_NPY_EXPORT_DIR/<name>.npy when that is set, so
// `tools/fixtures/make_npy_cases.py --check DIR` can load kgate's output in NumPy.
inline void MaybeExport(const std::string& name, const Array& array) {
  const char* dir = std::getenv("KGATE_NPY_EXPORT_DIR");
  if (dir == nullptr) return;
  EXPECT_TRUE(WriteFile(std::string(dir) + "/" + name + ".npy", array).ok()) << name;
}

}  // namespace kgate::io::npy::testing
