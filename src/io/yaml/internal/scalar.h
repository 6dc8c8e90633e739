// File: internal/scalar.h
// YAML 1.2 core schema for the YAML reader: which text is null, a boolean,
// an integer or a float, and what an explicit core tag asks a scalar to be.
// Messages here say only what is wrong; the caller adds the place.
#pragma once

#include <optional>
#include <string_view>

#include "absl/status/statusor.h"
#include "io/json/json.h"

namespace kgate::io::yaml::internal {

enum class CoreTag { kStr, kInt, kFloat, kBool, kNull, kMap, kSeq };

// The core tag `tag` names in libyaml's resolved form
// ("tag:yaml.org,2002:int"), or nullopt for any other tag.
std::optional<CoreTag> ParseCoreTag(std::string_view tag);

// An untagged plain scalar by the core schema; strings for everything the
// schema does not claim. INVALID_ARGUMENT for octal/hex integers beyond
// int64 and non-finite or out-of-range numbers.
absl::StatusOr<json::Value> ResolvePlain(std::string_view text);

// A scalar tagged with `tag` (a scalar tag, not !!map/!!seq): its text must
// have that type's core form; !!str keeps any text as it is.
absl::StatusOr<json::Value> ResolveTagged(CoreTag tag, std::string_view text);

}  // namespace kgate::io::yaml::internal
