// File: dependency_paths.h
// Shortest dependency paths from the ML frameworks (keras, tf-keras,
// tensorflow and its variants, jax, torch) to every package of an
// inventory that records dependencies, e.g. "keras 3.10.0 → h5py 3.9.0".
// Multi-source breadth-first search, so each package gets one of its
// shortest paths, from the first root in kFrameworkRoots order on ties.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "deps/inventory.h"

namespace kgate::deps {

// PEP 503 names of the packages paths start from, in priority order.
inline constexpr const char* kFrameworkRoots[] = {
    "keras",          "tf-keras",         "keras-nightly",    "tensorflow", "tensorflow-cpu", "tensorflow-gpu",
    "tensorflow-intel", "tensorflow-macos", "tensorflow-aarch64", "tf-nightly", "jax", "torch"};

// normalized name -> path of "name version" steps (root first, the package
// last). Packages no root reaches are absent.
std::map<std::string, std::vector<std::string>> FrameworkPaths(const Inventory& inventory);

}  // namespace kgate::deps
