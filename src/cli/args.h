// File: args.h
// A small command-line parser for subcommands: positional arguments, flags
// with values (`--format json` or `--format=json`), repeatable flags and
// boolean switches. Unknown flags are usage errors (exit code 2), never
// silently ignored.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace kgate::cli {

struct FlagSpec {
  std::set<std::string, std::less<>> with_value;  // "--format"
  std::set<std::string, std::less<>> switches;    // "--quiet"
};

class Args {
 public:
  static absl::StatusOr<Args> Parse(const std::vector<std::string>& argv, const FlagSpec& spec);

  const std::vector<std::string>& positional() const { return positional_; }
  // The last value given for `flag`, if any.
  std::optional<std::string> Get(std::string_view flag) const;
  // Every value given for a repeatable flag, in order.
  std::vector<std::string> GetAll(std::string_view flag) const;
  bool Has(std::string_view flag) const;

 private:
  std::vector<std::string> positional_;
  std::multimap<std::string, std::string, std::less<>> values_;
  std::set<std::string, std::less<>> switches_;
};

}  // namespace kgate::cli
