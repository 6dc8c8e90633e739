#include "keras/legacy_weights.h"

#include <algorithm>
#include <string>
#include <utility>
#include <variant>

#include "keras/model_builder.h"
#include "util/rules.h"
#include "util/strings.h"

namespace kgate::keras {
namespace {

namespace rules = util::rules;

// Layer.weights order with each variable's effective trainable flag: own
// variables (the layer's "" group first, then its other groups, which stand
// for Keras sublayers such as an RNN cell), then wrapped sublayers, then a
// nested model's layers. A variable is trainable when it was created
// trainable and no layer on its way up is frozen.
void Collect(graph::Layer& layer, bool parent_trainable, std::vector<std::pair<graph::Weight*, bool>>* out) {
  bool t = parent_trainable && layer.trainable;
  for (graph::Weight& w : layer.weights) {
    if (w.group.empty()) out->emplace_back(&w, t && w.trainable);
  }
  std::vector<std::string> groups;
  for (graph::Weight& w : layer.weights) {
    if (!w.group.empty() && std::find(groups.begin(), groups.end(), w.group) == groups.end()) {
      groups.push_back(w.group);
    }
  }
  for (const std::string& g : groups) {
    for (graph::Weight& w : layer.weights) {
      if (w.group == g) out->emplace_back(&w, t && w.trainable);
    }
  }
  for (auto& sub : layer.sublayers) Collect(*sub, t, out);
  if (layer.model != nullptr) {
    for (auto& l : layer.model->layers) Collect(*l, t, out);
  }
}

// Keras splits long name lists into name0, name1, ... (HDF5 header limit).
absl::StatusOr<std::optional<std::vector<std::string>>> ReadSplitList(const std::vector<io::hdf5::Attribute>& attrs,
                                                                      const std::string& name) {
  auto whole = ReadStringList(attrs, name);
  if (!whole.ok() || whole->has_value()) return whole;
  std::vector<std::string> all;
  bool any = false;
  for (size_t k = 0;; ++k) {
    auto part = ReadStringList(attrs, util::StrCat(name, k));
    if (!part.ok()) return part.status();
    if (!part->has_value()) break;
    any = true;
    for (std::string& s : **part) all.push_back(std::move(s));
  }
  if (!any) return std::optional<std::vector<std::string>>();
  return std::optional<std::vector<std::string>>(std::move(all));
}

// A weight name is a relative dataset path: non-empty components, no "." or "..".
bool IsRelativePath(std::string_view name) {
  if (name.empty() || name.size() > 4096) return false;
  size_t start = 0;
  while (start <= name.size()) {
    size_t end = name.find('/', start);
    if (end == std::string_view::npos) end = name.size();
    std::string_view part = name.substr(start, end - start);
    if (part.empty() || part == "." || part == "..") return false;
    for (char c : part) {
      if (static_cast<unsigned char>(c) < 0x20) return false;
    }
    start = end + 1;
  }
  return true;
}

}  // namespace

std::vector<graph::Weight*> LegacyWeightOrder(graph::Layer& layer) {
  std::vector<std::pair<graph::Weight*, bool>> all;
  Collect(layer, true, &all);
  std::vector<graph::Weight*> out;
  for (auto& [w, trainable] : all) {
    if (trainable) out.push_back(w);
  }
  for (auto& [w, trainable] : all) {
    if (!trainable) out.push_back(w);
  }
  return out;
}

void BindLegacyWeights(const io::hdf5::File& file, const Hdf5Inventory& inventory, graph::Graph& graph,
                       const BindOptions& options, util::FindingList* findings) {
  auto where = [&](std::string_view path) { return util::StrCat(options.file_label, ":", path); };
  absl::StatusOr<io::hdf5::Object> root = file.OpenPath("/model_weights");
  if (!root.ok() || !std::holds_alternative<io::hdf5::Group>(*root)) {
    findings->Add(rules::kMissingMember,
                  util::StrCat("the file has no model_weights group",
                               root.ok() ? "" : util::StrCat(" (", util::ToStd(root.status().message()), ")")),
                  where("/model_weights"));
    return;
  }
  const io::hdf5::Group& mw = std::get<io::hdf5::Group>(*root);
  auto names = ReadSplitList(mw.attributes, "layer_names");
  if (!names.ok() || !names->has_value()) {
    findings->Add(rules::kWeightMissing, "model_weights has no layer_names list", where("/model_weights"));
    return;
  }
  // The model's layers that have weights, and the file's layers that list weight names.
  std::vector<graph::Layer*> model_layers;
  for (size_t i = 0; i < graph.layers.size(); ++i) {
    if (graph.InModelLayers(i) && !LegacyWeightOrder(*graph.layers[i]).empty()) {
      model_layers.push_back(graph.layers[i].get());
    }
  }
  struct FileLayer {
    std::string name;
    std::vector<std::string> weight_names;
  };
  std::vector<FileLayer> file_layers;
  for (const std::string& name : **names) {
    std::string path = util::StrCat("/model_weights/", name);
    absl::StatusOr<io::hdf5::Object> g = name.empty() || name.find('/') != std::string::npos
                                             ? absl::StatusOr<io::hdf5::Object>(absl::NotFoundError("bad name"))
                                             : file.OpenPath(path);
    if (!g.ok() || !std::holds_alternative<io::hdf5::Group>(*g)) {
      findings->Add(rules::kWeightMissing, util::StrCat("layer_names lists '", name, "' but there is no such group"),
                    where(path));
      continue;
    }
    auto wn = ReadSplitList(std::get<io::hdf5::Group>(*g).attributes, "weight_names");
    if (!wn.ok()) {
      findings->AddStatus(wn.status(), rules::kWeightMissing, where(path));
      continue;
    }
    if (wn->has_value() && !(*wn)->empty()) file_layers.push_back(FileLayer{name, std::move(**wn)});
  }
  std::vector<std::string> bound;
  size_t n = std::max(model_layers.size(), file_layers.size());
  for (size_t k = 0; k < n; ++k) {
    if (k >= model_layers.size() || k >= file_layers.size() || model_layers[k]->name != file_layers[k].name) {
      findings->Add(rules::kWeightMissing,
                    util::StrCat("layer #", k, " with weights is '",
                                 k < model_layers.size() ? model_layers[k]->name : std::string("(none)"),
                                 "' in the model but '",
                                 k < file_layers.size() ? file_layers[k].name : std::string("(none)"),
                                 "' in the file; Keras binds legacy weights by position"),
                    where("/model_weights"));
      break;
    }
    graph::Layer& layer = *model_layers[k];
    const FileLayer& fl = file_layers[k];
    std::vector<graph::Weight*> order = LegacyWeightOrder(layer);
    std::string group = util::StrCat("/model_weights/", fl.name);
    if (order.size() != fl.weight_names.size()) {
      findings->Add(rules::kWeightMissing,
                    util::StrCat("layer '", layer.name, "' has ", order.size(), " variable(s) but the file lists ",
                                 fl.weight_names.size(), " weight name(s)"),
                    where(group));
      continue;
    }
    for (size_t i = 0; i < order.size(); ++i) {
      const std::string& wn = fl.weight_names[i];
      std::string what = util::StrCat("layer '", layer.name, "' variable '", order[i]->name, "' (legacy #", i, ")");
      if (!IsRelativePath(wn)) {
        findings->Add(rules::kWeightMissing, util::StrCat(what, ": weight name is not a relative dataset path"),
                      where(group));
        continue;
      }
      std::string path = util::StrCat(group, "/", wn);
      absl::StatusOr<io::hdf5::Object> obj = file.OpenPath(path);
      if (!obj.ok() && util::RuleOf(obj.status()) == std::string(rules::kHdf5Unsupported)) {
        findings->Add(rules::kWeightDtype,
                      util::StrCat(what, ": the dataset cannot be read as a float array: ",
                                   util::ToStd(obj.status().message())),
                      where(path));
        continue;
      }
      if (!obj.ok() || !std::holds_alternative<io::hdf5::Dataset>(*obj)) {
        findings->Add(rules::kWeightMissing,
                      util::StrCat(what, " is missing: no dataset at ", path,
                                   obj.ok() ? "" : util::StrCat(" (", util::ToStd(obj.status().message()), ")")),
                      where(path));
        continue;
      }
      bound.push_back(path);
      LoadWeight(file, std::get<io::hdf5::Dataset>(*obj), *order[i], options.keep_values, what, where(path),
                 findings);
    }
  }
  if (auto top = file.OpenPath("/model_weights/top_level_model_weights");
      top.ok() && std::holds_alternative<io::hdf5::Group>(*top)) {
    auto wn = ReadSplitList(std::get<io::hdf5::Group>(*top).attributes, "weight_names");
    if (!wn.ok() || (wn->has_value() && !(*wn)->empty())) {
      findings->Add(rules::kWeightMissing, "top_level_model_weights lists weights, but the model owns no variables",
                    where("/model_weights/top_level_model_weights"));
    }
  }
  if (inventory.complete) {
    std::sort(bound.begin(), bound.end());
    ReportUnclaimedDatasets(inventory, bound, {"/optimizer_weights/"}, options.file_label, findings);
  }
}

}  // namespace kgate::keras
