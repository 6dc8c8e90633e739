// File: ignore_policy.h
// The audit ignore file (TOML), where a team records accepted risks:
//
//   [[ignore]]
//   id = "PYSEC-2024-110"          # an OSV id or any alias (CVE-..., GHSA-...)
//   reason = "we never load untrusted models with safe_mode=False"
//   expires = 2026-12-31           # a TOML date or "YYYY-MM-DD"
//
// Every entry needs all three. An entry matches a finding whose id or any
// alias equals its id (case-insensitive). An expired entry no longer hides
// anything and is reported, so ignores cannot silently outlive their review.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace kgate::deps {

inline constexpr size_t kMaxIgnoreEntries = 10000;

struct IgnoreEntry {
  std::string id;
  std::string reason;
  std::string expires;  // YYYY-MM-DD
  std::string where;    // file and entry index, for messages
};

class IgnorePolicy {
 public:
  static absl::StatusOr<IgnorePolicy> Load(const std::string& path);
  static absl::StatusOr<IgnorePolicy> Parse(std::string_view text, std::string_view display_name);

  // The entry matching any of `ids` that has not expired on `today`
  // (YYYY-MM-DD), or nullptr.
  const IgnoreEntry* Find(const std::vector<std::string>& ids, std::string_view today) const;
  // Entries whose expiry date is before `today`.
  std::vector<const IgnoreEntry*> Expired(std::string_view today) const;

  const std::vector<IgnoreEntry>& entries() const { return entries_; }

 private:
  std::vector<IgnoreEntry> entries_;
};

// Today's date in UTC as YYYY-MM-DD.
std::string TodayUtc();

}  // namespace kgate::deps
