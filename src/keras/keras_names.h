// File: keras_names.h
// Keras's own naming rules that the loader must reproduce exactly, plus the
// name policy kgate enforces on layer and model names.
//
//  * ToSnakeCase is keras.src.utils.naming.to_snake_case, which saving_lib
//    uses to name weight groups ("Conv2DTranspose" -> "conv2d_transpose").
//  * SaveKeys reproduces saving_lib's per-container keys: the snake-cased
//    class name, made unique in list order with "_1", "_2", ... suffixes.
//  * IsSafeName is kgate's policy for layer/model names (KG-K011): names
//    become HDF5 group names and, in Keras, directory names during save/load
//    (CVE-2026-12479), so only [A-Za-z0-9_.-]+ is accepted, never "." or "..",
//    and at most kMaxNameBytes bytes.
//
// All functions are pure and thread-safe.
#pragma once

#include <cstddef>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace kgate::keras {

// Longest layer/model name accepted. Keras's auto names are < 64 bytes; user
// names of a few dozen characters are common; 256 leaves ample room.
inline constexpr size_t kMaxNameBytes = 256;

// keras.src.utils.naming.to_snake_case for ASCII class names:
//   re.sub(r"\W+", "", name); re.sub("(.)([A-Z][a-z]+)", r"\1_\2");
//   re.sub("([a-z])([A-Z])", r"\1_\2"); lower().
// Non-ASCII bytes are dropped with the other non-word characters (Keras class
// names that kgate accepts are ASCII).
std::string ToSnakeCase(std::string_view name);

// The group keys saving_lib gives the saveables of one container, in order:
// SaveKeys({"Dense", "Dropout", "Dense"}) == {"dense", "dropout", "dense_1"}.
std::vector<std::string> SaveKeys(std::span<const std::string> class_names);

// keras.ops operations recorded as functional nodes (module
// "keras.src.ops.numpy", class "Add") have class names that collide with
// layers, so their specs are registered as "ops.numpy.Add". Returns that name
// for an ops module, or "" for any other module. With no module (legacy .h5
// configs), a class that is not a layer but is a numpy op maps to its op.
std::string OpSpecName(std::string_view module, std::string_view class_name);
// True for a spec name made by OpSpecName ("ops.numpy.Add").
bool IsOpSpecName(std::string_view class_name);

// kgate's policy for layer and model names (see file comment).
bool IsSafeName(std::string_view name);
// A message explaining why `name` is refused; empty when IsSafeName(name).
std::string UnsafeNameReason(std::string_view name);

}  // namespace kgate::keras
