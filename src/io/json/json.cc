// Value: construction, lookup and kind names; the UTF-8 check (json.h).

#include "io/json/json.h"

#include <utility>

#include "io/json/internal/utf8.h"

namespace kgate::io::json {

Value Value::Bool(bool b) {
  Value v;
  v.data_ = b;
  return v;
}

Value Value::Int(int64_t i) {
  Value v;
  // int64 -> double rounds to nearest: the double a parser gives the literal.
  v.data_ = Number{static_cast<double>(i), i};
  return v;
}

Value Value::Double(double d) {
  Value v;
  v.data_ = Number{d, std::nullopt};
  return v;
}

Value Value::String(std::string s) {
  Value v;
  v.data_ = std::move(s);
  return v;
}

Value Value::MakeArray(Array a) {
  Value v;
  v.data_ = std::move(a);
  return v;
}

Value Value::MakeObject(Object o) {
  Value v;
  v.data_ = std::move(o);
  return v;
}

const Value* Value::Find(std::string_view key) const {
  const Object* members = std::get_if<Object>(&data_);
  if (members == nullptr) return nullptr;
  for (const Member& m : *members) {
    if (m.first == key) return &m.second;
  }
  return nullptr;
}

std::string_view Value::KindName(Kind k) {
  switch (k) {
    case Kind::kNull: return "null";
    case Kind::kBool: return "boolean";
    case Kind::kNumber: return "number";
    case Kind::kString: return "string";
    case Kind::kArray: return "array";
    case Kind::kObject: return "object";
  }
  return "unknown";
}

bool IsValidUtf8(std::string_view s) {
  internal::Utf8Error error;
  return internal::FindInvalidUtf8(s, &error) == std::string_view::npos;
}

}  // namespace kgate::io::json
