// Writer (json_writer.h): streaming compact or two-space-indented JSON.
// Misuse is asserted in debug builds; release builds still produce output
// without undefined behaviour (an unbalanced End* is ignored).

#include "io/json/json_writer.h"

#include <cassert>

#include "io/json/internal/format.h"
#include "io/json/json.h"

namespace kgate::io::json {

void Writer::Newline() {
  if (!pretty_) return;
  out_.push_back('\n');
  out_.append(2 * stack_.size(), ' ');
}

void Writer::BeforeValue() {
  if (stack_.empty()) {
    assert(out_.empty() && "Writer: a second top-level value");
    return;
  }
  Frame& f = stack_.back();
  if (f.is_object) {
    assert(f.expect_value && "Writer: a value where an object key is due");
    f.expect_value = false;
    return;
  }
  if (!f.empty) out_.push_back(',');
  f.empty = false;
  Newline();
}

Writer& Writer::BeginObject() {
  BeforeValue();
  out_.push_back('{');
  stack_.push_back(Frame{/*is_object=*/true});
  return *this;
}

Writer& Writer::EndObject() {
  assert(!stack_.empty() && stack_.back().is_object && !stack_.back().expect_value &&
         "Writer: EndObject without a matching BeginObject, or after a key");
  if (stack_.empty()) return *this;
  const bool empty = stack_.back().empty;
  stack_.pop_back();
  if (!empty) Newline();
  out_.push_back('}');
  return *this;
}

Writer& Writer::BeginArray() {
  BeforeValue();
  out_.push_back('[');
  stack_.push_back(Frame{/*is_object=*/false});
  return *this;
}

Writer& Writer::EndArray() {
  assert(!stack_.empty() && !stack_.back().is_object && "Writer: EndArray without a matching BeginArray");
  if (stack_.empty()) return *this;
  const bool empty = stack_.back().empty;
  stack_.pop_back();
  if (!empty) Newline();
  out_.push_back(']');
  return *this;
}

Writer& Writer::Key(std::string_view key) {
  assert(!stack_.empty() && stack_.back().is_object && !stack_.back().expect_value &&
         "Writer: a key outside an object or where a value is due");
  if (!stack_.empty()) {
    Frame& f = stack_.back();
    if (!f.empty) out_.push_back(',');
    f.empty = false;
    f.expect_value = true;
  }
  Newline();
  AppendQuoted(key, &out_);
  out_.append(pretty_ ? ": " : ":");
  return *this;
}

Writer& Writer::String(std::string_view s) {
  BeforeValue();
  AppendQuoted(s, &out_);
  return *this;
}

Writer& Writer::Int(int64_t v) {
  BeforeValue();
  internal::AppendInt(v, &out_);
  return *this;
}

Writer& Writer::UInt(uint64_t v) {
  BeforeValue();
  internal::AppendUInt(v, &out_);
  return *this;
}

Writer& Writer::Double(double v) {
  BeforeValue();
  internal::AppendDouble(v, &out_);
  return *this;
}

Writer& Writer::Bool(bool v) {
  BeforeValue();
  out_.append(v ? "true" : "false");
  return *this;
}

Writer& Writer::Null() {
  BeforeValue();
  out_.append("null");
  return *this;
}

Writer& Writer::Raw(std::string_view json) {
  BeforeValue();
  out_.append(json);
  return *this;
}

}  // namespace kgate::io::json
