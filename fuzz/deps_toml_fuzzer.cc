// Fuzzes the strict TOML reader and everything built on it: poetry.lock,
// uv.lock and pylock.toml readers, the audit ignore file, and Pipfile.lock
// (JSON). The first byte picks the reader. An accepted TOML document must
// serialize to JSON that the strict JSON reader accepts (the tree is valid:
// valid UTF-8 strings, no duplicate keys); a violation aborts.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "deps/ignore_policy.h"
#include "deps/lockfile.h"
#include "deps/toml.h"
#include "io/json/json.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);
  switch (data[0] % 6) {
    case 0: {
      absl::StatusOr<kgate::io::json::Value> doc = kgate::deps::ParseToml(text, "fuzz.toml");
      if (doc.ok()) {
        std::string json = kgate::io::json::Serialize(*doc);
        if (!kgate::io::json::Parse(json).ok()) std::abort();
      }
      break;
    }
    case 1:
      (void)kgate::deps::ParseLockfile(text, kgate::deps::LockKind::kPoetry, "poetry.lock");
      break;
    case 2:
      (void)kgate::deps::ParseLockfile(text, kgate::deps::LockKind::kUv, "uv.lock");
      break;
    case 3:
      (void)kgate::deps::ParseLockfile(text, kgate::deps::LockKind::kPylock, "pylock.toml");
      break;
    case 4:
      (void)kgate::deps::ParseLockfile(text, kgate::deps::LockKind::kPipfile, "Pipfile.lock");
      break;
    case 5:
      (void)kgate::deps::IgnorePolicy::Parse(text, "ignore.toml");
      break;
  }
  return 0;
}
