#include <cstdio>

#include "absl/strings/numbers.h"
#include "cli/args.h"
#include "cli/commands.h"
#include "util/strings.h"

namespace kgate::cli {

int UsageError(std::string_view command, std::string_view message) {
  std::fprintf(stderr, "kgate %.*s: %.*s\n", static_cast<int>(command.size()), command.data(),
               static_cast<int>(message.size()), message.data());
  return kExitUsage;
}

std::optional<int64_t> IntFlag(std::string_view command, const Args& args, std::string_view flag, int64_t lo,
                               int64_t hi, int64_t fallback) {
  std::optional<std::string> v = args.Get(flag);
  if (!v) return fallback;
  int64_t n = 0;
  if (!absl::SimpleAtoi(*v, &n) || n < lo || n > hi) {
    UsageError(command, util::StrCat(flag, " must be an integer in ", lo, "..", hi, ", got '", *v, "'"));
    return std::nullopt;
  }
  return n;
}

}  // namespace kgate::cli
