// kgate: hardened inference server and security toolkit for Keras models.
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
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
     "serve (--model-repository DIR | --model NAME=PATH...) [--host H] [--port P] [--threads N] [--audit-log PATH]  REST server (TF Serving v1, KServe v2, /metrics)"},
    {"schema", kgate::cli::RunSchema,
     "schema infer MODEL --data NAME=FILE.npy... [--output FILE] [--quantiles LO,HI] [--margin M]  inputs: section from training data"},
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

// OpenMP threads that finish a parallel region spin, waiting for the next
// one. On a busy host (a server running several requests, CI, a laptop) the
// spinning threads steal the cores the working ones need: ResNet50 on two
// threads ran 5x slower with the default policy than with "passive". libgomp
// reads the policy once, when it loads, so kgate sets it and re-executes
// itself once; a policy the user set is left alone.
void PreferPassiveOpenMpWaits(char** argv) {
  if (std::getenv("OMP_WAIT_POLICY") != nullptr) return;
  setenv("OMP_WAIT_POLICY", "passive", 1);
  execv("/proc/self/exe", argv);
  // exec failed (no /proc): run on with the default policy.
}

}  // namespace

int main(int argc, char** argv) {
  PreferPassiveOpenMpWaits(argv);
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
