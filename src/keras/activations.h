// File: activations.h
// Keras activation names kgate accepts in a config ("relu", "gelu", ...):
// exactly the functions keras.activations exports, never a callable. An
// activation may also appear as a serialized function envelope
// {"module": "keras.activations", "class_name": "function", "config": "relu"}
// (Keras writes that for some saved objects); both forms are normalised to
// the canonical name Keras's `activations.get` resolves to.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "keras/config_view.h"

namespace kgate::keras {

// The canonical name for `name` (aliases like "swish" -> "silu",
// "hard_swish" -> "hard_silu", null/None -> "linear"), or nullopt-style error.
bool IsKerasActivation(std::string_view name);
std::string_view CanonicalActivation(std::string_view name);

// Reads config[key] as an activation; absent or null means "linear".
// Refuses unknown names (KG-K010), function envelopes from other modules
// (KG-K008) and __lambda__ (KG-K001).
absl::StatusOr<std::string> ReadActivation(const ConfigView& config, std::string_view key);

// All accepted names, sorted (docs and tests).
std::vector<std::string_view> KerasActivationNames();

}  // namespace kgate::keras
