// File: keras_case.h
// Focused engine cases made by real Keras (tools/fixtures/make_engine_cases_*.py):
// tests/fixtures/engine/<family>/<name>.keras with its inputs and Keras's
// predictions as .npy files listed in <name>.json. Loads a case, runs it
// through the engine (optionally on its first rows only) and compares every
// output with Keras's within atol 1e-5 + rtol 1e-4, as fixture_parity_test does.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "engine/model.h"
#include "io/npy/npy.h"

namespace kgate::engine::testing_support {

struct KerasCase {
  std::string label;  // "<family>/<name>"
  std::unique_ptr<Model> model;
  std::vector<io::npy::Array> inputs;
  std::vector<io::npy::Array> outputs;  // Keras's predictions
};

// Loads the case; ADD_FAILUREs and returns a case without a model on error.
KerasCase LoadKerasCase(const std::string& family, const std::string& name, const EngineOptions& options = {});

// The case's inputs, restricted to the first `rows` batch rows (-1 = all).
std::vector<Tensor> CaseInputs(const KerasCase& c, int64_t rows = -1);

// Predicts `inputs` and expects every output to match Keras's (its first
// `rows` batch rows when rows >= 0). Returns the number of values compared.
int64_t ExpectMatchesKeras(const KerasCase& c, const std::vector<Tensor>& inputs, int64_t rows = -1);

// Runs the whole case `runs` times on each of `threads` threads at once (ops
// and plans are shared by concurrent runs) and checks every result.
void ExpectConcurrentRunsMatchKeras(const KerasCase& c, int threads, int runs);

}  // namespace kgate::engine::testing_support
