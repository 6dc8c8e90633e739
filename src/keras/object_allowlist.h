// File: object_allowlist.h
// The exact (module, class_name) pairs of non-layer Keras objects that may
// appear in a config kgate loads: initializers, regularizers, constraints,
// dtype policies, optimizers, learning-rate schedules, losses and metrics,
// plus the names of the public Keras functions (activations, losses,
// metrics) a config may reference as {"class_name": "function", ...}.
//
// The tables were derived from Keras 3.15.1 by enumerating the public classes
// of keras.initializers, keras.regularizers, keras.constraints,
// keras.optimizers, keras.optimizers.schedules, keras.losses, keras.metrics
// and keras.dtype_policies and recording the "module" string that
// serialize_keras_object writes for each (tools/fixtures/enumerate_keras_objects.py
// in the loader's notes). Abstract base classes (Initializer, Loss, Metric,
// Regularizer, Constraint, LearningRateSchedule) are excluded: Keras cannot
// build them either. Layers are not here: their allowlist is the layer
// registry (FindLayerSpec).
//
// Lookups are pure functions over static tables: thread-safe.
#pragma once

#include <string_view>

namespace kgate::keras {

enum class ObjectCategory {
  kInitializer,
  kRegularizer,
  kConstraint,
  kDTypePolicy,
  kOptimizer,
  kSchedule,
  kLoss,
  kMetric,
};

std::string_view CategoryName(ObjectCategory c);  // "initializer", ...

struct AllowedObject {
  std::string_view module;      // as serialize_keras_object writes it
  std::string_view class_name;
  ObjectCategory category;
};

// The entry for (module, class_name), or nullptr. A config written by the
// legacy (.h5) serializer has no "module"; pass an empty module to match on
// class_name alone.
const AllowedObject* FindAllowedObject(std::string_view module, std::string_view class_name);

// dtype policy classes that mean quantization or per-layer policy maps,
// which kgate refuses with KG-K010 rather than KG-K007.
bool IsQuantizedPolicyClass(std::string_view class_name);

// Whether a serialized function reference {"module": module, "class_name":
// "function", "config": name} names a public Keras activation, loss or
// metric function. Keras 3.15 writes module "builtins" for these; earlier
// Keras 3 releases wrote "keras.activations" / "keras.losses" /
// "keras.metrics", which are accepted for the matching table only.
bool IsAllowedFunction(std::string_view module, std::string_view name);

// True for "keras" and "keras.<anything>": the only modules kgate accepts.
bool IsKerasModule(std::string_view module);

}  // namespace kgate::keras
