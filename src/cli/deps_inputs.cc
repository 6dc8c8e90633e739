#include "cli/deps_inputs.h"

namespace kgate::cli {

FlagSpec WithDepsInputFlags(FlagSpec spec) {
  spec.with_value.insert({"-r", "--requirement", "--path", "--lock"});
  return spec;
}

deps::InputSpec DepsInputsFromArgs(const Args& args) {
  deps::InputSpec spec;
  spec.requirements = args.GetAll("-r");
  for (std::string& r : args.GetAll("--requirement")) spec.requirements.push_back(std::move(r));
  spec.environments = args.GetAll("--path");
  spec.lockfiles = args.GetAll("--lock");
  return spec;
}

}  // namespace kgate::cli
