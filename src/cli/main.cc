// kgate: hardened inference server and security toolkit for Keras models.
#include <cstdio>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "cli/commands.h"
#include "util/version.h"

namespace {

struct Command {
  std::string_view name;
  int (*run)(const std::vector<std::string>& args);
  std::string_view synopsis;  // one usage line, "NAME ARGS    what it does"
};

// One row per subcommand, in the order `kgate help` lists them.
constexpr Command kCommands[] = {
    {"inspect", kgate::cli::RunInspect, "inspect MODEL [--format text|json]     load a model safely and describe it"},
    {"scan", kgate::cli::RunScan, "scan PATH... [--format text|json|sarif] check model files for unsafe content"},
    {"predict", kgate::cli::RunPredict,
     "predict MODEL INPUT.npy... [--output-dir DIR] [--threads T]  run the model; writes output0.npy, ..."},
    {"bench", kgate::cli::RunBench,
     "bench MODEL [--batch N]... [--threads T] [--format text|json]  latency and throughput per batch size"},
    {"rules", kgate::cli::RunRules, "rules [--format text|json]             list the scan rules"},
    {"audit", kgate::cli::RunAudit, "audit (-r FILE|--path DIR|--lock FILE)... [--format F] [--fail-on SEV]  vulnerable dependencies (offline OSV)"},
    {"outdated", kgate::cli::RunOutdated, "outdated (-r FILE|--path DIR|--lock FILE)... (--index FILE|DIR | --online)  installed vs latest versions"},
    {"sign", kgate::cli::RunSign, "sign MODEL --private-key KEY.pem [--signature FILE]  sign a model (OpenSSF model signing)"},
    {"verify", kgate::cli::RunVerify, "verify MODEL --public-key PUB.pem [--signature FILE]  verify a model's signature and files"},
    {"serve", kgate::cli::RunServe,
     "serve (--model-repository DIR | --model NAME=PATH...) [--host H] [--port P] [--threads N]  REST server (TF Serving v1, KServe v2)"},
    {"digest", kgate::cli::RunDigest, "digest MODEL [--format text|json]      per-file SHA-256 and the model digest, for pinning"},
};

void PrintUsage(std::FILE* out) {
  std::fputs("usage: kgate <command> [args]\n\ncommands:\n", out);
  for (const Command& c : kCommands) {
    std::fprintf(out, "  %.*s\n", static_cast<int>(c.synopsis.size()), c.synopsis.data());
  }
  std::fputs("  version                                print kgate's version\n"
             "\n"
             "exit codes: 0 clean, 1 the check found something, 2 could not run\n"
             "docs: docs/commands.md, docs/scan-rules.md\n",
             out);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    PrintUsage(stderr);
    return kgate::cli::kExitUsage;
  }
  const std::string_view command = argv[1];
  const std::vector<std::string> args(argv + 2, argv + argc);
  for (const Command& c : kCommands) {
    if (command == c.name) return c.run(args);
  }
  if (command == "version" || command == "--version") {
    std::printf("kgate %s\n", kgate::util::kKgateVersion);
    return kgate::cli::kExitClean;
  }
  if (command == "help" || command == "--help" || command == "-h") {
    PrintUsage(stdout);
    return kgate::cli::kExitClean;
  }
  std::fprintf(stderr, "kgate: unknown command '%.*s'\n\n", static_cast<int>(command.size()), command.data());
  PrintUsage(stderr);
  return kgate::cli::kExitUsage;
}
