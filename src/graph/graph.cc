#include "graph/graph.h"

#include "util/strings.h"
#include "absl/strings/str_join.h"

namespace kgate::graph {

std::string ShapeString(const Dims& dims) {
  return util::StrCat("[", absl::StrJoin(dims, ", ", [](std::string* out, int64_t d) {
    util::StrAppend(out, d == kUnknownDim ? std::string("None") : util::StrCat(d));
  }), "]");
}

int64_t NumElements(const Dims& dims) {
  int64_t n = 1;
  for (int64_t d : dims) {
    if (d < 0 || __builtin_mul_overflow(n, d, &n)) return -1;
  }
  return n;
}

int64_t Layer::ParamCount() const {
  int64_t n = 0;
  for (const Weight& w : weights) n += NumElements(w.shape);
  for (const auto& s : sublayers) n += s->ParamCount();
  if (model) n += model->ParamCount();
  return n;
}

bool Graph::InModelLayers(size_t i) const {
  const std::string& cls = layers[i]->class_name;
  if (cls.starts_with("ops.")) return false;  // keras.ops nodes are operations, not layers
  return !(class_name == "Sequential" && cls == "InputLayer");
}

const Node* Graph::FirstNodeOf(size_t i) const {
  for (const Node& n : nodes) {
    if (n.layer == static_cast<int32_t>(i)) return &n;
  }
  return nullptr;
}

int64_t Graph::ParamCount() const {
  int64_t n = 0;
  for (const auto& l : layers) n += l->ParamCount();
  return n;
}

}  // namespace kgate::graph
