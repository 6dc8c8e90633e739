// File: finding.h
// A Finding is one thing kgate noticed about a model file: a rule from
// rules.h, a severity, a message that says what was wrong and what was
// expected, and a location ("config.json:/config/layers/3",
// "model.weights.h5:/layers/dense/vars/0"). A file is rejected when any of
// its findings is medium or worse.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "util/rules.h"

namespace kgate::util {

struct Finding {
  std::string rule;
  Severity severity = Severity::kHigh;
  std::string message;
  std::string location;
};

// Findings at or above this severity make a file unacceptable.
inline constexpr Severity kRejectAtOrAbove = Severity::kMedium;

// Collects findings in the order they are found; never drops one (a cap on
// the count keeps a hostile file from producing unbounded output, and the
// last slot then says how many more there were).
class FindingList {
 public:
  static constexpr size_t kMaxFindings = 1000;

  // Adds a finding with the rule's default severity.
  void Add(std::string_view rule, std::string message, std::string location);
  void Add(Finding f);
  // Adds a finding from a failed status; the rule is the status's rule, or
  // `fallback_rule` when it carries none.
  void AddStatus(const absl::Status& status, std::string_view fallback_rule, std::string location);

  const std::vector<Finding>& findings() const { return findings_; }
  bool Rejects() const;  // any finding >= kRejectAtOrAbove
  size_t dropped() const { return dropped_; }

 private:
  std::vector<Finding> findings_;
  size_t dropped_ = 0;
};

}  // namespace kgate::util
