// File: deps_inputs.h
// The input flags `kgate audit` and `kgate outdated` share (-r/--requirement,
// --path, --lock, each repeatable), read into a deps::InputSpec.
#pragma once

#include "cli/args.h"
#include "deps/inputs.h"

namespace kgate::cli {

// Adds the shared input flags to `spec`.
FlagSpec WithDepsInputFlags(FlagSpec spec);

deps::InputSpec DepsInputsFromArgs(const Args& args);

}  // namespace kgate::cli
