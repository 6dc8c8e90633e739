// File: commands.h
// One function per subcommand. Each takes the arguments after the subcommand
// name, writes its report to stdout and diagnostics to stderr, and returns
// the process exit code: 0 clean, 1 the check found something, 2 could not run.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace kgate::cli {

class Args;

inline constexpr int kExitClean = 0;
inline constexpr int kExitFound = 1;
inline constexpr int kExitUsage = 2;

int RunInspect(const std::vector<std::string>& args);
int RunScan(const std::vector<std::string>& args);
int RunRules(const std::vector<std::string>& args);
int RunPredict(const std::vector<std::string>& args);
int RunBench(const std::vector<std::string>& args);
int RunAudit(const std::vector<std::string>& args);
int RunOutdated(const std::vector<std::string>& args);
int RunSign(const std::vector<std::string>& args);
int RunVerify(const std::vector<std::string>& args);
int RunDigest(const std::vector<std::string>& args);
int RunServe(const std::vector<std::string>& args);
int RunSchema(const std::vector<std::string>& args);

// Prints "kgate <command>: <message>" to stderr and returns kExitUsage.
int UsageError(std::string_view command, std::string_view message);

// The integer value of `flag`, in [lo, hi]; `fallback` when the flag is
// absent; nullopt after printing a usage error for `command`.
std::optional<int64_t> IntFlag(std::string_view command, const Args& args, std::string_view flag, int64_t lo,
                               int64_t hi, int64_t fallback);

}  // namespace kgate::cli
