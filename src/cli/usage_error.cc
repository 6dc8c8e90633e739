#include <cstdio>

#include "cli/commands.h"

namespace kgate::cli {

int UsageError(std::string_view command, std::string_view message) {
  std::fprintf(stderr, "kgate %.*s: %.*s\n", static_cast<int>(command.size()), command.data(),
               static_cast<int>(message.size()), message.data());
  return kExitUsage;
}

}  // namespace kgate::cli
