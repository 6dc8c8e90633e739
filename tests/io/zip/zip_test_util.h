// File: zip_test_util.h
// Assertions shared by the ZIP reader tests.
#pragma once

#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "io/zip/zip_reader.h"
#include "util/rules.h"

namespace kgate::io::zip::testing {

// Success when `status` failed with `rule` and its message contains `substr`.
inline ::testing::AssertionResult HasRule(const absl::Status& status, std::string_view rule,
                                          std::string_view substr) {
  if (status.ok()) return ::testing::AssertionFailure() << "expected " << rule << ", got OK";
  const std::string got = util::RuleOf(status).value_or("(no rule)");
  const std::string message(status.message());
  if (got != rule || message.find(substr) == std::string::npos) {
    return ::testing::AssertionFailure() << "expected " << rule << " with \"" << substr << "\", got " << got
                                         << ": " << status;
  }
  return ::testing::AssertionSuccess();
}

template <typename T>
::testing::AssertionResult HasRule(const absl::StatusOr<T>& s, std::string_view rule, std::string_view substr) {
  return HasRule(s.status(), rule, substr);
}

inline absl::Status OpenStatus(const std::vector<uint8_t>& bytes, const Limits& limits = {}) {
  return ZipArchive::Open(bytes, limits).status();
}

// Opens and reads every member; the first error.
inline absl::Status OpenAndReadAll(const std::vector<uint8_t>& bytes, const Limits& limits = {}) {
  absl::StatusOr<ZipArchive> archive = ZipArchive::Open(bytes, limits);
  if (!archive.ok()) return archive.status();
  for (const Entry& e : archive->entries()) {
    absl::StatusOr<MemberData> data = archive->Read(e);
    if (!data.ok()) return data.status();
  }
  return absl::OkStatus();
}

inline std::string Text(const MemberData& m) { return std::string(m.text()); }

}  // namespace kgate::io::zip::testing
