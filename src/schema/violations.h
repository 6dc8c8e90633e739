// File: violations.h
// What a refused request is told: every rule its inputs break (input name,
// element index, rule, expected, actual), collected before anything reaches
// the model and capped in count so a huge bad tensor cannot make a huge
// reply. The list travels inside an INVALID_ARGUMENT absl::Status as a
// payload, so the one error mapping (error_response.h) renders it the same
// way for every protocol.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"

namespace kgate::schema {

struct Violation {
  std::string input;           // the model input's name ("" for the request as a whole)
  std::vector<int64_t> index;  // element index inside the tensor; empty for the whole input
  std::string rule;            // "missing_input", "unknown_input", "dtype", "shape", "ragged", "finite", ...
  std::string expected;
  std::string actual;
};

class Violations {
 public:
  explicit Violations(size_t cap = 64) : cap_(cap) {}

  void Add(Violation v);
  bool empty() const { return total_ == 0; }
  size_t total() const { return total_; }
  // True once one violation beyond the cap was seen: callers stop checking
  // elements then, and the reply says the list is truncated.
  bool full() const { return total_ > cap_; }
  const std::vector<Violation>& list() const { return list_; }

  // OK when empty; otherwise INVALID_ARGUMENT whose message summarizes the
  // first violation and whose payload holds the list as JSON.
  absl::Status ToStatus() const;

 private:
  size_t cap_;
  size_t total_ = 0;
  std::vector<Violation> list_;
};

// The payload URL under which ToStatus stores the violation list, as a JSON
// object {"violations": [...], "violation_count": N}.
inline constexpr char kViolationsPayloadUrl[] = "kgate.dev/serve/violations";

}  // namespace kgate::schema
