// Helpers shared by the JSON reader tests.
#pragma once

#include <gtest/gtest.h>

#include <cctype>
#include <regex>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "io/json/json.h"
#include "util/rules.h"
#include "util/strings.h"

namespace kgate::io::json::testing {

// Every reader error reads "JSON: <what> at byte N (line L, column C): expected <x>".
inline bool HasErrorShape(std::string_view message) {
  static const std::regex kShape(R"(^JSON: .+ at byte [0-9]+ \(line [0-9]+, column [0-9]+\): expected .+$)");
  return std::regex_match(std::string(message), kShape);
}

// Status carries `rule`, the code that goes with it (KG-J004 is a cap, so
// RESOURCE_EXHAUSTED), the standard message shape, and `fragment`.
inline ::testing::AssertionResult IsJsonError(const absl::Status& status, std::string_view rule,
                                              std::string_view fragment) {
  if (status.ok()) return ::testing::AssertionFailure() << "parsed OK, expected " << rule;
  std::string message(util::ToStd(status.message()));
  auto got_rule = util::RuleOf(status);
  if (!got_rule || *got_rule != rule) {
    return ::testing::AssertionFailure() << "rule " << got_rule.value_or("(none)") << ", expected " << rule << ": "
                                         << message;
  }
  absl::StatusCode want = rule == util::rules::kJsonLimit ? absl::StatusCode::kResourceExhausted
                                                          : absl::StatusCode::kInvalidArgument;
  if (status.code() != want) return ::testing::AssertionFailure() << "code " << status.code() << ": " << message;
  if (!HasErrorShape(message)) return ::testing::AssertionFailure() << "message shape: " << message;
  if (message.find(fragment) == std::string::npos) {
    return ::testing::AssertionFailure() << "message lacks \"" << fragment << "\": " << message;
  }
  return ::testing::AssertionSuccess();
}

// Parses `text` and serializes it again, or returns the error message.
inline std::string Reserialize(std::string_view text, const Limits& limits = {}) {
  auto v = Parse(text, limits);
  if (!v.ok()) return util::StrCat("error: ", util::ToStd(v.status().message()));
  return Serialize(*v);
}

// A gtest-safe name for a JSONTestSuite case name ("n_number_+1").
inline std::string CaseName(std::string_view name) {
  std::string out;
  for (char ch : name) {
    if (std::isalnum(static_cast<unsigned char>(ch))) {
      out.push_back(ch);
    } else if (ch == '+') {
      out.append("plus");
    } else if (ch == '-') {
      out.append("minus");
    } else if (ch == '.') {
      out.append("dot");
    } else {
      out.push_back('_');
    }
  }
  return out;
}

}  // namespace kgate::io::json::testing
