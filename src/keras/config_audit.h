// File: config_audit.h
// The allowlist audit of a Keras config tree: config.json of a .keras file,
// or the model_config / training_config attributes of a legacy .h5. It walks
// the ENTIRE JSON tree (iteratively, so no input drives recursion) and
// reports every object that kgate refuses, one finding per problem, each
// located by a file-qualified JSON Pointer ("config.json:/config/layers/3").
//
// What is refused, and under which rule:
//   KG-K001  "__lambda__" objects, Lambda layers, legacy Keras-2 lambdas
//            ({"function": ..., "function_type": ...});
//   KG-K002  a "module" outside Keras ("os", "builtins" classes, keras_hub...);
//   KG-K003  a registered_name (custom object) other than the ones Keras
//            writes for its own classes ("Functional", or the class name);
//   KG-K004  TFSMLayer;  KG-K005 TorchModuleWrapper;
//   KG-K006  lookup/vectorization layers with a string (path) vocabulary or
//            a callable standardize/split;
//   KG-K007  any class that is neither a registered layer (FindLayerSpec)
//            nor an allowlisted object (object_allowlist.h), "__typespec__";
//   KG-K008  function references other than public Keras activations,
//            losses and metrics, and known gadget names (get_file, ...);
//   KG-K010  quantized dtype policies, malformed special encodings
//            (__tensor__/__numpy__ with a non-numeric dtype or too large);
//   KG-K011  layer/model names outside [A-Za-z0-9_.-]+ (keras_names.h);
//   KG-I001  a non-empty compile_config (ignored at inference, still audited).
//
// The audit never builds anything; model_builder runs afterwards (only when
// the audit found nothing rejecting). Thread-safe: no shared state.
#pragma once

#include <cstdint>
#include <string_view>

#include "io/json/json.h"
#include "util/finding.h"

namespace kgate::keras {

// Largest inline tensor (__tensor__ / __numpy__) accepted in a config, in
// elements. Keras writes such values only for small constants (e.g. a
// Normalization mean given at construction); the JSON element cap bounds the
// document anyway, this keeps one constant from dominating it.
inline constexpr uint64_t kMaxInlineTensorElements = uint64_t{1} << 20;

// Audits `root`; findings are located as `location_prefix` + JSON Pointer,
// e.g. prefix "config.json:" gives "config.json:/config/layers/0".
void AuditConfig(const io::json::Value& root, std::string_view location_prefix, util::FindingList* findings);

}  // namespace kgate::keras
