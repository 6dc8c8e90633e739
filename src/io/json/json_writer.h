// File: json_writer.h
// A streaming JSON writer for reports and responses (scan/inspect output,
// server replies). It emits compact or two-space-indented JSON, escapes every
// string, writes doubles in shortest round-trip form and non-finite doubles as
// null. Misuse (a value where a key is due, unbalanced End*) is a programming
// error caught by assertions in debug builds. Not thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace kgate::io::json {

class Writer {
 public:
  explicit Writer(bool pretty = false) : pretty_(pretty) {}

  Writer& BeginObject();
  Writer& EndObject();
  Writer& BeginArray();
  Writer& EndArray();
  Writer& Key(std::string_view key);
  Writer& String(std::string_view s);
  Writer& Int(int64_t v);
  Writer& UInt(uint64_t v);
  Writer& Double(double v);
  Writer& Bool(bool v);
  Writer& Null();
  // Inserts already-serialized JSON as one value.
  Writer& Raw(std::string_view json);

  const std::string& str() const { return out_; }
  std::string Take() { return std::move(out_); }

 private:
  void BeforeValue();
  void Newline();

  struct Frame {
    bool is_object;
    bool empty = true;
    bool expect_value = false;  // a key was written, its value is next
  };
  bool pretty_;
  std::string out_;
  std::vector<Frame> stack_;
};

}  // namespace kgate::io::json
