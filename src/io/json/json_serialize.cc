// Compact serialization of a Value, string quoting and JSON pointer tokens.

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "io/json/internal/format.h"
#include "io/json/internal/utf8.h"
#include "io/json/json.h"

namespace kgate::io::json {
namespace {

// U+FFFD REPLACEMENT CHARACTER, written for each byte of invalid UTF-8.
constexpr std::string_view kReplacement = "\xEF\xBF\xBD";

// Bytes written as themselves: the reader's plain set minus DEL.
constexpr std::array<bool, 256> kWrittenPlain = [] {
  std::array<bool, 256> t = internal::kStringPlain;
  t[0x7F] = false;
  return t;
}();

void AppendEscapedCodePoint(uint32_t cp, std::string* out) {
  static constexpr char kHex[] = "0123456789abcdef";
  const char escape[] = {'\\', 'u', kHex[(cp >> 12) & 0xF], kHex[(cp >> 8) & 0xF], kHex[(cp >> 4) & 0xF], kHex[cp & 0xF]};
  out->append(escape, sizeof(escape));
}

void AppendScalar(const Value& v, std::string* out) {
  switch (v.kind()) {
    case Value::Kind::kNull:
      out->append("null");
      break;
    case Value::Kind::kBool:
      out->append(v.bool_value() ? "true" : "false");
      break;
    case Value::Kind::kNumber:
      if (v.number().integer) {
        internal::AppendInt(*v.number().integer, out);
      } else {
        internal::AppendDouble(v.number().value, out);
      }
      break;
    case Value::Kind::kString:
      AppendQuoted(v.string(), out);
      break;
    case Value::Kind::kArray:
    case Value::Kind::kObject:
      break;  // containers are handled by Serialize
  }
}

size_t ContainerSize(const Value& v) { return v.is_array() ? v.array().size() : v.object().size(); }

}  // namespace

void AppendQuoted(std::string_view s, std::string* out) {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  const auto* end = p + s.size();
  out->push_back('"');
  while (p < end) {
    const unsigned char* run = p;
    while (p < end && kWrittenPlain[*p]) ++p;
    out->append(reinterpret_cast<const char*>(run), static_cast<size_t>(p - run));
    if (p == end) break;
    const unsigned char c = *p;
    if (c >= 0x80) {
      internal::Utf8Error error;
      size_t n = internal::CheckUtf8Sequence(p, end, &error);
      if (n == 0) {
        out->append(kReplacement);
        ++p;
      } else if (const uint32_t cp = internal::DecodeUtf8(p, n); internal::EscapedOnOutput(cp)) {
        AppendEscapedCodePoint(cp, out);
        p += n;
      } else {
        out->append(reinterpret_cast<const char*>(p), n);
        p += n;
      }
      continue;
    }
    ++p;
    switch (c) {
      case '"': out->append("\\\""); break;
      case '\\': out->append("\\\\"); break;
      case '\b': out->append("\\b"); break;
      case '\f': out->append("\\f"); break;
      case '\n': out->append("\\n"); break;
      case '\r': out->append("\\r"); break;
      case '\t': out->append("\\t"); break;
      default:
        AppendEscapedCodePoint(c, out);
    }
  }
  out->push_back('"');
}

std::string PointerToken(std::string_view key) {
  std::string out;
  out.reserve(key.size());
  for (char c : key) {
    if (c == '~') {
      out.append("~0");
    } else if (c == '/') {
      out.append("~1");
    } else {
      out.push_back(c);
    }
  }
  return out;
}

std::string Serialize(const Value& value) {
  std::string out;
  if (!value.is_array() && !value.is_object()) {
    AppendScalar(value, &out);
    return out;
  }
  // An explicit stack, so even a Value built by code deeper than any parse
  // limit serializes without recursion.
  struct Open {
    const Value* container;
    size_t next;  // index of the next element or member to write
  };
  std::vector<Open> stack;
  out.push_back(value.is_array() ? '[' : '{');
  stack.push_back({&value, 0});
  while (!stack.empty()) {
    Open& top = stack.back();
    const Value& c = *top.container;
    if (top.next == ContainerSize(c)) {
      out.push_back(c.is_array() ? ']' : '}');
      stack.pop_back();
      continue;
    }
    if (top.next > 0) out.push_back(',');
    const Value* child;
    if (c.is_array()) {
      child = &c.array()[top.next];
    } else {
      const Member& m = c.object()[top.next];
      AppendQuoted(m.first, &out);
      out.push_back(':');
      child = &m.second;
    }
    ++top.next;
    if (child->is_array() || child->is_object()) {
      out.push_back(child->is_array() ? '[' : '{');
      stack.push_back({child, 0});  // may invalidate `top`; not used after this
    } else {
      AppendScalar(*child, &out);
    }
  }
  return out;
}

}  // namespace kgate::io::json
