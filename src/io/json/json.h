// File: json.h
// A strict RFC 8259 JSON reader for untrusted text (config.json, model_config,
// request bodies). It accepts only valid UTF-8, refuses NaN/Infinity, duplicate
// object keys, lone surrogates, leading zeros, trailing data and control
// characters in strings, and enforces caps on nesting depth, string length,
// element count and input size. Parsing is iterative, so no input can drive
// recursion; the depth cap also bounds recursion in code that walks a Value.
// Errors carry a rule from util/rules.h (KG-J001..KG-J004) and name the byte
// offset, line and column and what was expected there.
//
// A Value is an immutable tree once parsed and is safe to read from many
// threads. Objects keep their members in document order.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "absl/status/statusor.h"

namespace kgate::io::json {

struct Limits {
  // Keras configs nest about 12 levels deep; 128 leaves room for deep
  // nested models while keeping every walker's recursion shallow. It is
  // also a ceiling: larger values act as 128. Empty containers count.
  uint32_t max_depth = 128;
  uint64_t max_input_bytes = uint64_t{64} << 20;   // 64 MiB: a large application config is ~2 MiB
  uint64_t max_string_bytes = uint64_t{16} << 20;  // 16 MiB, decoded; keys too
  uint64_t max_elements = uint64_t{8} << 20;       // values in the whole document (not keys)
};

class Value;
using Array = std::vector<Value>;
using Member = std::pair<std::string, Value>;
using Object = std::vector<Member>;

class Value {
 public:
  enum class Kind : uint8_t { kNull, kBool, kNumber, kString, kArray, kObject };

  // A JSON number: the double value, and its exact integer value when the
  // literal had no fraction or exponent and fits in int64_t.
  struct Number {
    double value = 0;
    std::optional<int64_t> integer;
  };

  Value() = default;  // null
  static Value Null() { return Value(); }
  static Value Bool(bool b);
  static Value Int(int64_t i);
  static Value Double(double d);
  static Value String(std::string s);
  static Value MakeArray(Array a);
  static Value MakeObject(Object o);

  Kind kind() const { return static_cast<Kind>(data_.index()); }
  bool is_null() const { return kind() == Kind::kNull; }
  bool is_bool() const { return kind() == Kind::kBool; }
  bool is_number() const { return kind() == Kind::kNumber; }
  bool is_string() const { return kind() == Kind::kString; }
  bool is_array() const { return kind() == Kind::kArray; }
  bool is_object() const { return kind() == Kind::kObject; }

  // Accessors; each requires the matching kind (checked with a DCHECK-style
  // abort in debug builds; callers test kind() first).
  bool bool_value() const { return std::get<bool>(data_); }
  const Number& number() const { return std::get<Number>(data_); }
  const std::string& string() const { return std::get<std::string>(data_); }
  const Array& array() const { return std::get<Array>(data_); }
  const Object& object() const { return std::get<Object>(data_); }

  // The member named `key` of an object, or nullptr (also when not an object).
  const Value* Find(std::string_view key) const;

  // Human name of the kind, for error messages: "null", "boolean", "number", ...
  static std::string_view KindName(Kind k);

 private:
  std::variant<std::monostate, bool, Number, std::string, Array, Object> data_;
};

// Parses `text` as one JSON document. Integer literals that fit int64 are
// exact ("-0" is the integer 0); other numbers are the nearest double, tiny
// ones rounding to zero, but a magnitude beyond the double range is refused
// (KG-J003) rather than read as infinity. Duplicate keys (KG-J002) are
// reported when their object closes, naming the key and the object's JSON
// pointer. Time is O(n log n) in the input size; memory is bounded by the
// caps in `limits`, each checked before the allocation it guards.
absl::StatusOr<Value> Parse(std::string_view text, const Limits& limits = {});

// Compact serialization (no spaces), keys in stored order; strings escaped per
// RFC 8259 with non-ASCII kept as UTF-8; doubles in shortest round-trip form
// (non-finite ones as null, -0.0 as "-0.0"), integers exactly. Iterative, so
// any depth is fine. Parse(Serialize(v)) serializes to the same text.
std::string Serialize(const Value& value);

// Escapes one JSON Pointer reference token (RFC 6901: "~" -> "~0", "/" -> "~1").
std::string PointerToken(std::string_view key);

// True when `s` is valid UTF-8 by RFC 3629 (no overlong forms, surrogates or
// code points above U+10FFFF): what the reader accepts inside strings.
bool IsValidUtf8(std::string_view s);

// Appends `s` as a quoted, escaped JSON string to `out`. Each byte of
// invalid UTF-8 in `s` is written as U+FFFD, so the output is always valid.
// Control characters (C0, DEL, C1) and U+FFFE/U+FFFF are written as \u
// escapes, so the text is also valid YAML and safe to print to a terminal.
void AppendQuoted(std::string_view s, std::string* out);

}  // namespace kgate::io::json
