// File: model_summary.h
// What `kgate inspect` prints about a loaded model: its inputs and outputs,
// each layer of `model.layers` with its output shape and parameter count, and
// the total (equal to Keras's model.count_params()). Text for people, JSON in
// the shape DESIGN.md fixes for scripts.
#pragma once

#include <string>

#include "graph/graph.h"
#include "keras/model_loader.h"

namespace kgate::scan {

std::string RenderSummaryText(const keras::ModelReport& report, std::string_view path);
std::string RenderSummaryJson(const keras::ModelReport& report);

}  // namespace kgate::scan
