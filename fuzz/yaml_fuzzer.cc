// Fuzzes the strict YAML reader (libyaml events -> io::json::Value), with
// differential checks:
//  - an accepted document serializes to JSON that the JSON reader accepts
//    and that serializes identically (the tree is a valid JSON tree);
//  - that JSON text, read back as YAML (JSON is YAML), gives the same tree,
//    except where YAML's 1024-character limit on implicit keys applies;
//  - tighter Limits never accept what the defaults refuse, nor change the
//    result;
//  - every refusal is INVALID_ARGUMENT or RESOURCE_EXHAUSTED with a message
//    that starts "fuzz.yaml" and is valid UTF-8.
// Any disagreement aborts, so libFuzzer reports it as a crash.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "io/json/json.h"
#include "io/yaml/yaml.h"
#include "util/strings.h"

namespace {

using kgate::io::json::Serialize;
using kgate::io::json::Value;
using kgate::io::yaml::Limits;
using kgate::io::yaml::Parse;

[[noreturn]] void Fail(const char* what, std::string_view detail) {
  std::fprintf(stderr, "yaml_fuzzer: %s: %.*s\n", what, static_cast<int>(detail.size()), detail.data());
  std::abort();
}

void CheckError(const absl::Status& status) {
  std::string_view message = kgate::util::ToStd(status.message());
  if (status.code() != absl::StatusCode::kInvalidArgument && status.code() != absl::StatusCode::kResourceExhausted) {
    Fail("unexpected error code", message);
  }
  if (message.substr(0, 9) != "fuzz.yaml") Fail("error message does not name the file", message);
  std::string quoted;
  kgate::io::json::AppendQuoted(message, &quoted);
  auto back = kgate::io::json::Parse(quoted);
  if (!back.ok() || back->string() != message) Fail("error message is not valid UTF-8", message);
}

// Depth is capped at 128 by Parse, so this recursion is bounded.
bool HasLongKey(const Value& v) {
  if (v.is_array()) {
    for (const Value& e : v.array()) {
      if (HasLongKey(e)) return true;
    }
  } else if (v.is_object()) {
    for (const auto& [key, e] : v.object()) {
      if (key.size() > 1000 || HasLongKey(e)) return true;
    }
  }
  return false;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto parsed = Parse(text, "fuzz.yaml");
  if (!parsed.ok()) CheckError(parsed.status());

  Limits tight;
  tight.max_depth = 6;
  tight.max_nodes = 64;
  tight.max_scalar_bytes = 24;
  auto small = Parse(text, "fuzz.yaml", tight);
  if (!small.ok()) {
    CheckError(small.status());
  } else if (!parsed.ok()) {
    Fail("tight limits accepted what the defaults refused", kgate::util::ToStd(parsed.status().message()));
  }
  if (!parsed.ok()) return 0;

  const std::string once = Serialize(*parsed);
  if (small.ok() && Serialize(*small) != once) Fail("tight limits changed the result", once);

  auto as_json = kgate::io::json::Parse(once);
  if (!as_json.ok()) Fail("the tree is not valid JSON", kgate::util::ToStd(as_json.status().message()));
  if (Serialize(*as_json) != once) Fail("JSON round trip changed the tree", once);

  if (!HasLongKey(*parsed)) {
    auto again = Parse(once, "fuzz.yaml");
    if (!again.ok()) {
      Fail("JSON text of the tree does not read back as YAML", kgate::util::ToStd(again.status().message()));
    }
    if (Serialize(*again) != once) Fail("YAML reading of the JSON text differs", once);
  }
  return 0;
}
