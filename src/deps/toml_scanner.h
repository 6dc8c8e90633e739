// File: toml_scanner.h
// The lexical layer of the TOML reader (internal to src/deps): a cursor over
// the text with line:column errors, comments and newlines, and the scalar
// values — the four string kinds with escapes, integers, floats and
// date-times. toml.cc builds tables and arrays on top of it.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "io/json/json.h"

namespace kgate::deps::toml_internal {

bool ValidUtf8(std::string_view s, size_t* bad);
bool IsDigit(char c);
bool IsBareKeyChar(char c);

class Scanner {
 public:
  Scanner(std::string_view text, std::string_view name) : s_(text), name_(name) {}

 protected:
  bool AtEnd() const { return pos_ >= s_.size(); }
  char Peek(size_t ahead = 0) const { return pos_ + ahead < s_.size() ? s_[pos_ + ahead] : '\0'; }
  bool Eat(char c) {
    if (Peek() != c) return false;
    ++pos_;
    return true;
  }
  bool EatWord(std::string_view w) {
    if (s_.substr(pos_, w.size()) != w) return false;
    pos_ += w.size();
    return true;
  }
  void SkipBlanks() {
    while (Peek() == ' ' || Peek() == '\t') ++pos_;
  }

  // "NAME:LINE:COLUMN: what", at the current position.
  absl::Status Error(std::string_view what) const;
  absl::Status EatNewline();
  absl::Status SkipComment();

  // A basic or literal string, single- or multi-line, at the cursor.
  absl::StatusOr<std::string> ParseString();
  bool IsDateTimeStart() const;
  // Date, time or date-time, kept as its text after a shape check.
  absl::StatusOr<std::string> ParseDateTime();
  // Integer (decimal, 0x, 0o, 0b, with "_") or float, inf, nan.
  absl::StatusOr<io::json::Value> ParseNumber();

  std::string_view s_;
  std::string_view name_;
  size_t pos_ = 0;

 private:
  absl::Status ParseEscape(bool multiline, std::string* out);
};

}  // namespace kgate::deps::toml_internal
