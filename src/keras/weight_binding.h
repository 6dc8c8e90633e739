// File: weight_binding.h
// Binds the variables of a built graph::Graph to the datasets of a .keras
// file's model.weights.h5, recomputing every dataset path exactly as Keras's
// saving_lib writes it (keras-format.md section c):
//   <model>/vars                      the model's own (always empty) variables
//   layers/<key>/vars/<i>             key = to_snake_case(class) made unique
//                                     per container in model.layers order
//                                     (Functional includes InputLayers,
//                                     Sequential does not); i per vars group
//   layers/<key>/<group>/vars/<i>     Weight::group ("cell", "query_dense", ...)
//   layers/<key>/<attr_key>/...       wrapped sublayers (TimeDistributed
//                                     "layer", Bidirectional "forward_layer")
//   layers/<key>/layers/<key2>/...    nested models, recursively
// Each vars group's @name must equal the layer's name. A variable's dataset
// must exist (KG-W001), have exactly the declared shape (KG-W002, checked
// before any data is read), a float16/bfloat16/float32/float64 type (integers
// only for Keras's integer variables such as Normalization's count; others
// KG-W004), and only finite values (KG-W003, one finding per variable with
// the count of bad values and the first index). Datasets no variable claims
// are extra variables (KG-W001); optimizer and metric state (top-level
// optimizer/ and metrics/ groups) is ignored (KG-I001).
//
// Values are converted to float32 into Weight::values once, straight from
// the file's bytes (contiguous datasets are views into the mapped file).
// Thread-safe: no shared state.
#pragma once

#include <initializer_list>
#include <optional>
#include <string>
#include <vector>
#include <string_view>

#include "absl/status/statusor.h"
#include "graph/graph.h"
#include "io/hdf5/hdf5.h"
#include "keras/h5_audit.h"
#include "util/finding.h"

namespace kgate::keras {

struct BindOptions {
  bool keep_values = true;  // false: check everything, keep no values
  std::string file_label;   // "model.weights.h5", "model.h5": the location prefix
};

void BindKerasWeights(const io::hdf5::File& file, const Hdf5Inventory& inventory, graph::Graph& graph,
                      const BindOptions& options, util::FindingList* findings);

// Checks `dataset` against `weight` (dtype, shape, finiteness) and, when
// keep_values, stores the float32 values. `what` names the variable in
// messages ("layer 'dense' variable 'kernel'"); findings are located at
// `location`. Returns true when the weight was bound.
bool LoadWeight(const io::hdf5::File& file, const io::hdf5::Dataset& dataset, graph::Weight& weight,
                bool keep_values, std::string_view what, const std::string& location, util::FindingList* findings);

// Reads a string attribute list (scalar or 1-D; an empty numeric array is an
// empty list, as Keras writes for no weights). nullopt when absent.
absl::StatusOr<std::optional<std::vector<std::string>>> ReadStringList(const std::vector<io::hdf5::Attribute>& attrs,
                                                                       std::string_view name);

// Reports datasets of `inventory` that are not in `bound` (sorted absolute
// paths) and not under one of `ignored_prefixes` ("/optimizer/"); one
// KG-I001 finding when ignored state is present.
void ReportUnclaimedDatasets(const Hdf5Inventory& inventory, const std::vector<std::string>& bound,
                             std::initializer_list<std::string_view> ignored_prefixes, std::string_view file_label,
                             util::FindingList* findings);

}  // namespace kgate::keras
