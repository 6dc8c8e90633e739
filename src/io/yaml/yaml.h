// File: yaml.h
// A strict, bounded YAML reader for kgate's own configuration files
// (kgate.yaml, the server config, `kgate schema infer` output). It returns the
// same io::json::Value tree as the JSON reader, so a config section parser
// never knows which format it read. libyaml (Debian's libyaml 0.2.5) does the
// tokenizing through its event API; this reader builds the tree iteratively
// from the events and refuses what a config never needs and an attacker
// could use: anchors and aliases (billion laughs), tags other than the core
// ones (!!str !!int !!float !!bool !!null !!map !!seq), directives, more than
// one document, duplicate keys, keys that are not strings, non-finite
// numbers, and anything past the caps below. Plain scalars resolve by the
// YAML 1.2 core schema: null/~/empty, true/false (three spellings each),
// decimal, 0o octal and 0x hex integers (exact when they fit int64; a larger
// decimal one is the nearest double, as in the JSON reader; a larger octal
// or hex one is refused), decimal floats;
// everything else, and every quoted or block scalar, is a string. Integer
// keys ("0: ...", used for per-feature maps) become their decimal text.
// Every error names the place as "NAME:LINE:COLUMN: what".
#pragma once

#include <cstdint>
#include <string_view>

#include "absl/status/statusor.h"
#include "io/json/json.h"

namespace kgate::io::yaml {

struct Limits {
  uint64_t max_input_bytes = uint64_t{8} << 20;  // configs are kilobytes; a 10k-feature schema ~2 MiB
  // Collections inside collections; the tree's walkers recurse once per
  // level, so this is also their recursion bound. Capped at 128 like JSON.
  uint32_t max_depth = 64;
  uint64_t max_nodes = uint64_t{1} << 20;         // scalars, keys and collections in the document
  uint64_t max_scalar_bytes = uint64_t{1} << 20;  // one decoded scalar or key
};

// Parses `text` as at most one YAML document; an empty stream is null.
// INVALID_ARGUMENT for malformed or refused input, RESOURCE_EXHAUSTED when a
// cap in `limits` is exceeded; `display_name` starts every message.
absl::StatusOr<json::Value> Parse(std::string_view text, std::string_view display_name,
                                  const Limits& limits = {});

}  // namespace kgate::io::yaml
