// Fuzzes the strict JSON reader, with differential checks:
//  - an accepted document serializes, re-parses and serializes identically
//    (Serialize is a fixed point after one round);
//  - Writer, compact and pretty, holds the same document as Serialize;
//  - tighter Limits never accept what the defaults refuse, nor change the
//    result;
//  - every refusal carries a JSON rule, the code that goes with it and the
//    "JSON: <what> at byte N (line L, column C): expected <x>" message, in
//    valid UTF-8.
// Any disagreement aborts, so libFuzzer reports it as a crash.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "io/json/json.h"
#include "io/json/json_writer.h"
#include "util/rules.h"
#include "util/strings.h"

namespace {

using kgate::io::json::Limits;
using kgate::io::json::Parse;
using kgate::io::json::Serialize;
using kgate::io::json::Value;
using kgate::io::json::Writer;

[[noreturn]] void Fail(const char* what, std::string_view detail) {
  std::fprintf(stderr, "json_fuzzer: %s: %.*s\n", what, static_cast<int>(detail.size()), detail.data());
  std::abort();
}

// Depth is capped at 128 by Parse, so this recursion is bounded.
void Write(const Value& v, Writer& w) {
  switch (v.kind()) {
    case Value::Kind::kNull:
      w.Null();
      break;
    case Value::Kind::kBool:
      w.Bool(v.bool_value());
      break;
    case Value::Kind::kNumber:
      if (v.number().integer) {
        w.Int(*v.number().integer);
      } else {
        w.Double(v.number().value);
      }
      break;
    case Value::Kind::kString:
      w.String(v.string());
      break;
    case Value::Kind::kArray:
      w.BeginArray();
      for (const Value& e : v.array()) Write(e, w);
      w.EndArray();
      break;
    case Value::Kind::kObject:
      w.BeginObject();
      for (const auto& [key, e] : v.object()) {
        w.Key(key);
        Write(e, w);
      }
      w.EndObject();
      break;
  }
}

void CheckError(const absl::Status& status) {
  namespace rules = kgate::util::rules;
  std::string_view message = kgate::util::ToStd(status.message());
  auto rule = kgate::util::RuleOf(status);
  if (!rule) Fail("error without a rule", message);
  const bool limit = *rule == rules::kJsonLimit;
  if (!limit && *rule != rules::kJsonMalformed && *rule != rules::kJsonDuplicateKey &&
      *rule != rules::kJsonNonFinite) {
    Fail("error with a non-JSON rule", message);
  }
  if (status.code() != (limit ? absl::StatusCode::kResourceExhausted : absl::StatusCode::kInvalidArgument)) {
    Fail("error code does not match the rule", message);
  }
  if (message.substr(0, 6) != "JSON: " || message.find(" at byte ") == std::string_view::npos ||
      message.find(" (line ") == std::string_view::npos || message.find("): expected ") == std::string_view::npos) {
    Fail("error message shape", message);
  }
  // Messages quote input bytes; they must still be valid UTF-8 (AppendQuoted
  // would replace anything else, so the round trip would change them).
  std::string quoted;
  kgate::io::json::AppendQuoted(message, &quoted);
  auto back = Parse(quoted);
  if (!back.ok() || back->string() != message) Fail("error message is not valid UTF-8", message);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto parsed = Parse(text);
  if (!parsed.ok()) CheckError(parsed.status());

  // Tight caps: a subset of what the defaults accept, with the same result.
  Limits tight;
  tight.max_depth = 6;
  tight.max_string_bytes = 24;
  tight.max_elements = 64;
  auto small = Parse(text, tight);
  if (!small.ok()) {
    CheckError(small.status());
  } else if (!parsed.ok()) {
    Fail("tight limits accepted what the defaults refused", kgate::util::ToStd(parsed.status().message()));
  }
  if (!parsed.ok()) return 0;

  const std::string once = Serialize(*parsed);
  if (small.ok() && Serialize(*small) != once) Fail("tight limits changed the result", once);

  auto again = Parse(once);
  if (!again.ok()) Fail("serialization does not re-parse", kgate::util::ToStd(again.status().message()));
  if (Serialize(*again) != once) Fail("serialization is not a fixed point", once);

  Writer compact;
  Write(*parsed, compact);
  if (compact.str() != once) Fail("compact Writer differs from Serialize", compact.str());

  Writer pretty(/*pretty=*/true);
  Write(*parsed, pretty);
  auto from_pretty = Parse(pretty.str());
  if (!from_pretty.ok()) Fail("pretty Writer output does not parse", kgate::util::ToStd(from_pretty.status().message()));
  if (Serialize(*from_pretty) != once) Fail("pretty Writer holds a different document", pretty.str());
  return 0;
}
