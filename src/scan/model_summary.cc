#include "scan/model_summary.h"

#include <algorithm>

#include "io/json/json_writer.h"
#include "util/strings.h"

namespace kgate::scan {
namespace {

using io::json::Writer;

void WriteShape(Writer& w, const graph::Dims& dims) {
  w.BeginArray();
  for (int64_t d : dims) {
    if (d == graph::kUnknownDim) {
      w.Null();
    } else {
      w.Int(d);
    }
  }
  w.EndArray();
}

// A layer's output shape as Keras reports it: one shape, or a list of shapes
// for layers with several outputs; null for a layer that is never called.
void WriteOutputShape(Writer& w, const graph::Node* node) {
  if (node == nullptr) {
    w.Null();
  } else if (node->outputs.size() == 1) {
    WriteShape(w, node->outputs[0].shape);
  } else {
    w.BeginArray();
    for (const graph::TensorSpec& t : node->outputs) WriteShape(w, t.shape);
    w.EndArray();
  }
}

std::string OutputShapeText(const graph::Node* node) {
  if (node == nullptr) return "(not called)";
  std::vector<std::string> shapes;
  for (const graph::TensorSpec& t : node->outputs) shapes.push_back(graph::ShapeString(t.shape));
  return shapes.size() == 1 ? shapes[0] : util::StrCat("(", util::StrJoin(shapes, ", "), ")");
}

void WriteTensors(Writer& w, const graph::Graph& g, const std::vector<graph::TensorRef>& refs,
                  const std::vector<std::string>& names) {
  w.BeginArray();
  for (size_t i = 0; i < refs.size(); ++i) {
    const graph::TensorSpec& spec = g.Spec(refs[i]);
    w.BeginObject();
    w.Key("name").String(i < names.size() ? names[i] : "");
    w.Key("dtype").String(util::DTypeName(spec.dtype));
    w.Key("shape");
    WriteShape(w, spec.shape);
    w.EndObject();
  }
  w.EndArray();
}

std::string Pad(std::string s, size_t width) {
  if (s.size() < width) s.append(width - s.size(), ' ');
  return s;
}

}  // namespace

std::string RenderSummaryJson(const keras::ModelReport& report) {
  Writer w(/*pretty=*/true);
  const graph::Graph& g = *report.graph;
  w.BeginObject();
  w.Key("format").String(keras::FormatName(report.format));
  w.Key("keras_version").String(report.keras_version);
  w.Key("name").String(g.name);
  w.Key("class_name").String(g.class_name);
  w.Key("inputs");
  WriteTensors(w, g, g.inputs, g.input_names);
  w.Key("outputs");
  WriteTensors(w, g, g.outputs, g.output_names);
  w.Key("layers").BeginArray();
  for (size_t i = 0; i < g.layers.size(); ++i) {
    if (!g.InModelLayers(i)) continue;
    const graph::Layer& l = *g.layers[i];
    w.BeginObject();
    w.Key("name").String(l.name);
    w.Key("class_name").String(l.class_name);
    w.Key("output_shape");
    WriteOutputShape(w, g.FirstNodeOf(i));
    w.Key("params").Int(l.ParamCount());
    w.EndObject();
  }
  w.EndArray();
  w.Key("total_params").Int(g.ParamCount());
  w.EndObject();
  return w.Take() + "\n";
}

std::string RenderSummaryText(const keras::ModelReport& report, std::string_view path) {
  const graph::Graph& g = *report.graph;
  std::string out = util::StrCat("Model: \"", g.name, "\" (", g.class_name, ") from ", path, "\n",
                                 "Format: ", keras::FormatName(report.format), ", saved by Keras ",
                                 report.keras_version.empty() ? "(unknown)" : report.keras_version, "\n");
  auto tensors = [&](std::string_view title, const std::vector<graph::TensorRef>& refs,
                     const std::vector<std::string>& names) {
    util::StrAppend(&out, title, ":\n");
    for (size_t i = 0; i < refs.size(); ++i) {
      const graph::TensorSpec& spec = g.Spec(refs[i]);
      util::StrAppend(&out, "  ", i < names.size() ? names[i] : "", "  ", util::DTypeName(spec.dtype), " ",
                      graph::ShapeString(spec.shape), "\n");
    }
  };
  tensors("Inputs", g.inputs, g.input_names);
  tensors("Outputs", g.outputs, g.output_names);
  std::vector<std::vector<std::string>> rows = {{"Layer (type)", "Output Shape", "Param #"}};
  for (size_t i = 0; i < g.layers.size(); ++i) {
    if (!g.InModelLayers(i)) continue;
    const graph::Layer& l = *g.layers[i];
    rows.push_back({util::StrCat(l.name, " (", l.class_name, ")"), OutputShapeText(g.FirstNodeOf(i)),
                    util::StrCat(l.ParamCount())});
  }
  size_t w0 = 0, w1 = 0;
  for (const auto& r : rows) {
    w0 = std::max(w0, r[0].size());
    w1 = std::max(w1, r[1].size());
  }
  for (size_t i = 0; i < rows.size(); ++i) {
    util::StrAppend(&out, Pad(rows[i][0], w0 + 2), Pad(rows[i][1], w1 + 2), rows[i][2], "\n");
    if (i == 0) util::StrAppend(&out, std::string(w0 + w1 + 12, '-'), "\n");
  }
  util::StrAppend(&out, "Total params: ", g.ParamCount(), "\n");
  return out;
}

}  // namespace kgate::scan
