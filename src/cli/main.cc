// kgate: hardened inference server and security toolkit for Keras models.
#include <cstdio>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "cli/commands.h"
#include "util/version.h"

namespace {

constexpr char kUsage[] =
    "usage: kgate <command> [args]\n"
    "\n"
    "commands:\n"
    "  inspect MODEL [--format text|json]     load a model safely and describe it\n"
    "  scan PATH... [--format text|json|sarif] check model files for unsafe content\n"
    "  rules [--format text|json]             list the scan rules\n"
    "  version                                print kgate's version\n"
    "\n"
    "exit codes: 0 clean, 1 the check found something, 2 could not run\n"
    "docs: docs/commands.md, docs/scan-rules.md\n";

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fputs(kUsage, stderr);
    return kgate::cli::kExitUsage;
  }
  const std::string_view command = argv[1];
  const std::vector<std::string> args(argv + 2, argv + argc);
  if (command == "inspect") return kgate::cli::RunInspect(args);
  if (command == "scan") return kgate::cli::RunScan(args);
  if (command == "rules") return kgate::cli::RunRules(args);
  if (command == "version" || command == "--version") {
    std::printf("kgate %s\n", kgate::util::kKgateVersion);
    return kgate::cli::kExitClean;
  }
  if (command == "help" || command == "--help" || command == "-h") {
    std::fputs(kUsage, stdout);
    return kgate::cli::kExitClean;
  }
  std::fprintf(stderr, "kgate: unknown command '%.*s'\n\n%s", static_cast<int>(command.size()), command.data(),
               kUsage);
  return kgate::cli::kExitUsage;
}
