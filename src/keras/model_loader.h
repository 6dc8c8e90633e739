// File: model_loader.h
// The one entry point that turns the bytes of a .keras or legacy .h5 file into
// a verdict and, when the file is acceptable, a graph::Graph with bound
// weights. Scanning (`kgate scan`), inspecting, predicting and serving all go
// through AnalyzeModel, so they accept and refuse exactly the same files.
//
// Stages, each of which adds findings rather than stopping at the first:
//   1. container: strict ZIP (.keras) or HDF5 (.h5) structure;
//   2. config audit: the whole JSON tree (config.json, or model_config and
//      training_config) against the allowlist: Lambda, foreign modules,
//      custom objects, gadgets, vocabularies, unknown classes;
//   3. graph: Sequential/Functional topology, nested models, per-layer config
//      parsing and shape inference;
//   4. weights: every HDF5 object visited (links, external storage, virtual
//      datasets, filters, shape bombs), then each variable bound by Keras's
//      own naming and checked for count, shape, dtype and finiteness.
// Nothing from the file is executed, imported, opened or fetched.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "graph/graph.h"
#include "io/hdf5/hdf5.h"
#include "io/json/json.h"
#include "io/zip/zip_reader.h"
#include "util/finding.h"

namespace kgate::keras {

enum class Format { kUnknown, kKerasV3, kLegacyH5 };
std::string_view FormatName(Format f);  // "keras_v3", "legacy_h5", "unknown"

struct LoadOptions {
  io::zip::Limits zip;
  io::json::Limits json;
  io::hdf5::Limits hdf5;
  // When false, weights are checked (presence, shape, dtype, finiteness) but
  // their values are not kept in the graph (scan does not need them).
  bool keep_weight_values = true;
};

struct ModelReport {
  Format format = Format::kUnknown;
  std::string keras_version;  // from metadata.json or the .h5 root attribute; may be empty
  util::FindingList findings;
  // Set when the model could be built, also for rejected files when the
  // structure was intact (so scan can still say what the model is). Callers
  // that execute or serve a model must check `findings.Rejects()` first.
  std::unique_ptr<graph::Graph> graph;
};

// Analyzes a model. `name` is used in messages only. Never fails: every
// problem is a finding.
ModelReport AnalyzeModel(std::span<const uint8_t> bytes, std::string_view name,
                         const LoadOptions& options = {});

// Loads a model for execution: AnalyzeModel and refuse with
// FAILED_PRECONDITION (message listing the findings) if it rejects.
absl::StatusOr<std::unique_ptr<graph::Graph>> LoadModelFile(const std::string& path,
                                                           const LoadOptions& options = {});

}  // namespace kgate::keras
