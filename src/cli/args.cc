#include "cli/args.h"

#include "util/strings.h"

namespace kgate::cli {

absl::StatusOr<Args> Args::Parse(const std::vector<std::string>& argv, const FlagSpec& spec) {
  Args a;
  bool only_positional = false;
  for (size_t i = 0; i < argv.size(); ++i) {
    const std::string& arg = argv[i];
    if (only_positional || arg.size() < 2 || arg[0] != '-') {
      a.positional_.push_back(arg);
      continue;
    }
    if (arg == "--") {
      only_positional = true;
      continue;
    }
    std::string name = arg;
    std::optional<std::string> inline_value;
    if (size_t eq = arg.find('='); eq != std::string::npos) {
      name = arg.substr(0, eq);
      inline_value = arg.substr(eq + 1);
    }
    if (spec.switches.count(name) != 0) {
      if (inline_value) return absl::InvalidArgumentError(util::StrCat(name, " takes no value"));
      a.switches_.insert(name);
    } else if (spec.with_value.count(name) != 0) {
      if (inline_value) {
        a.values_.emplace(name, *inline_value);
      } else if (i + 1 < argv.size()) {
        a.values_.emplace(name, argv[++i]);
      } else {
        return absl::InvalidArgumentError(util::StrCat(name, " needs a value"));
      }
    } else {
      return absl::InvalidArgumentError(util::StrCat("unknown option ", name));
    }
  }
  return a;
}

std::optional<std::string> Args::Get(std::string_view flag) const {
  std::optional<std::string> out;
  auto [lo, hi] = values_.equal_range(flag);
  for (auto it = lo; it != hi; ++it) out = it->second;
  return out;
}

std::vector<std::string> Args::GetAll(std::string_view flag) const {
  std::vector<std::string> out;
  auto [lo, hi] = values_.equal_range(flag);
  for (auto it = lo; it != hi; ++it) out.push_back(it->second);
  return out;
}

bool Args::Has(std::string_view flag) const { return switches_.count(flag) != 0; }

}  // namespace kgate::cli
