#include "keras/weight_binding.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <map>
#include <variant>

#include "keras/keras_names.h"
#include "keras/model_builder.h"
#include "util/checked_math.h"
#include "util/rules.h"
#include "util/strings.h"

namespace kgate::keras {
namespace {

namespace rules = util::rules;
using io::hdf5::Dataset;

float HalfToFloat(uint16_t h) {
  uint32_t sign = static_cast<uint32_t>(h & 0x8000u) << 16;
  uint32_t exp = (h >> 10) & 0x1fu;
  uint32_t mant = h & 0x3ffu;
  if (exp == 0) {
    float f = std::ldexp(static_cast<float>(mant), -24);  // zero or subnormal
    return sign ? -f : f;
  }
  uint32_t bits = exp == 31 ? (sign | 0x7f800000u | (mant << 13)) : (sign | ((exp + 112) << 23) | (mant << 13));
  float f;
  std::memcpy(&f, &bits, 4);
  return f;
}

enum class Source { kF16, kBF16, kF32, kF64, kInt };

std::string DimsText(const std::vector<uint64_t>& dims) {
  return util::StrCat("(", util::StrJoin(dims, ", "), dims.size() == 1 ? ",)" : ")");
}
std::string DimsText(const graph::Dims& dims) {
  return util::StrCat("(", util::StrJoin(dims, ", "), dims.size() == 1 ? ",)" : ")");
}

bool IsBFloat16Marked(const Dataset& ds) {
  const io::hdf5::Attribute* a = ds.FindAttribute("dtype");
  return a != nullptr && a->strings.size() == 1 && a->strings[0] == "bfloat16";
}

// Non-finite float32 values in `data` (n elements, any alignment): their
// count and the first index. Branch-free so the compiler vectorizes it; the
// check runs over every weight of every model, so it must stay near memory
// bandwidth.
std::pair<uint64_t, uint64_t> CountNonFinite(const uint8_t* data, uint64_t n) {
  uint64_t bad = 0;
  for (uint64_t i = 0; i < n; ++i) {
    uint32_t bits;
    std::memcpy(&bits, data + i * 4, 4);
    bad += (bits & 0x7f800000u) == 0x7f800000u;
  }
  uint64_t first = 0;
  if (bad > 0) {
    for (uint64_t i = 0; i < n; ++i) {
      uint32_t bits;
      std::memcpy(&bits, data + i * 4, 4);
      if ((bits & 0x7f800000u) == 0x7f800000u) {
        first = i;
        break;
      }
    }
  }
  return {bad, first};
}

// Converts n elements from `bytes` (little-endian) to float32 into `out`, or
// into a scratch buffer when `out` is null (check only). Returns the number
// of non-finite values (after conversion) and the first index.
std::pair<uint64_t, uint64_t> Convert(std::span<const uint8_t> bytes, Source src, const io::hdf5::Datatype& type,
                                      uint64_t n, float* out) {
  const uint8_t* p = bytes.data();
  if (src == Source::kF32) {
    if (out != nullptr) std::memcpy(out, p, n * 4);
    return CountNonFinite(out != nullptr ? reinterpret_cast<const uint8_t*>(out) : p, n);
  }
  // Other types convert in blocks so a check-only pass needs no big buffer.
  constexpr uint64_t kBlock = 4096;
  float scratch[kBlock];
  uint64_t bad = 0, first = 0;
  for (uint64_t base = 0; base < n; base += kBlock) {
    uint64_t m = std::min(kBlock, n - base);
    float* dst = out != nullptr ? out + base : scratch;
    for (uint64_t j = 0; j < m; ++j) {
      uint64_t i = base + j;
      float v;
      switch (src) {
        case Source::kF16: {
          uint16_t h;
          std::memcpy(&h, p + i * 2, 2);
          v = HalfToFloat(h);
          break;
        }
        case Source::kBF16: {
          uint16_t h;
          std::memcpy(&h, p + i * 2, 2);
          uint32_t bits = static_cast<uint32_t>(h) << 16;
          std::memcpy(&v, &bits, 4);
          break;
        }
        case Source::kF64: {
          double d;
          std::memcpy(&d, p + i * 8, 8);
          v = static_cast<float>(d);  // out-of-range doubles become inf: reported
          break;
        }
        default: {  // kInt
          uint64_t raw = 0;
          std::memcpy(&raw, p + i * type.size, type.size);
          if (type.is_signed) {
            unsigned shift = 64 - 8 * type.size;
            v = static_cast<float>(static_cast<int64_t>(raw << shift) >> shift);
          } else {
            v = static_cast<float>(raw);
          }
          break;
        }
      }
      dst[j] = v;
    }
    auto [b, f] = CountNonFinite(reinterpret_cast<const uint8_t*>(dst), m);
    if (b > 0 && bad == 0) first = base + f;
    bad += b;
  }
  return {bad, first};
}


// The saving_lib walk over one model (section c.1 of keras-format.md).
class KerasWalker {
 public:
  KerasWalker(const io::hdf5::File& file, const BindOptions& options, util::FindingList* findings)
      : file_(file), options_(options), findings_(findings) {}

  void Model(graph::Graph& g, const std::string& base, bool check_own_vars) {
    if (check_own_vars) CheckVarsName(Join(base, "vars"), g.name);
    std::vector<std::string> classes;
    std::vector<graph::Layer*> members;
    for (size_t i = 0; i < g.layers.size(); ++i) {
      if (!g.InModelLayers(i)) continue;
      classes.push_back(g.layers[i]->class_name);
      members.push_back(g.layers[i].get());
    }
    std::vector<std::string> keys = SaveKeys(classes);
    for (size_t i = 0; i < members.size(); ++i) Layer(*members[i], Join(base, "layers/" + keys[i]));
  }

  void Layer(graph::Layer& layer, const std::string& path) {
    CheckVarsName(Join(path, "vars"), layer.name);
    std::map<std::string, int64_t, std::less<>> next_index;
    for (graph::Weight& w : layer.weights) {
      std::string group_path = w.group.empty() ? path : Join(path, w.group);
      int64_t index = next_index[w.group]++;
      std::string dataset = util::StrCat("/", group_path, "/vars/", index);
      Bind(layer, w, dataset);
    }
    for (auto& sub : layer.sublayers) {
      std::string key = sub->attr_key.empty() ? ToSnakeCase(sub->class_name) : sub->attr_key;
      Layer(*sub, Join(path, key));
    }
    if (layer.model != nullptr) Model(*layer.model, path, /*check_own_vars=*/false);
  }

  std::vector<std::string> TakeBound() {
    std::sort(bound_.begin(), bound_.end());
    return std::move(bound_);
  }

 private:
  static std::string Join(const std::string& a, const std::string& b) { return a.empty() ? b : a + "/" + b; }

  std::string Where(std::string_view path) const { return util::StrCat(options_.file_label, ":", path); }

  void Bind(const graph::Layer& layer, graph::Weight& w, const std::string& dataset) {
    std::string what = util::StrCat("layer '", layer.name, "' variable '", w.name, "'");
    absl::StatusOr<io::hdf5::Object> obj = file_.OpenPath(dataset);
    if (!obj.ok() && util::RuleOf(obj.status()) == std::string(rules::kHdf5Unsupported)) {
      // The dataset exists but its type (or storage) is outside the subset.
      findings_->Add(rules::kWeightDtype,
                     util::StrCat(what, ": the dataset cannot be read as a float array: ",
                                  util::ToStd(obj.status().message())),
                     Where(dataset));
      return;
    }
    if (!obj.ok() || !std::holds_alternative<Dataset>(*obj)) {
      findings_->Add(rules::kWeightMissing,
                     util::StrCat(what, " ", DimsText(w.shape), " is missing: no dataset at ", dataset,
                                  obj.ok() ? " (a group is there)"
                                           : util::StrCat(" (", util::ToStd(obj.status().message()), ")")),
                     Where(dataset));
      return;
    }
    bound_.push_back(dataset);
    LoadWeight(file_, std::get<Dataset>(*obj), w, options_.keep_values, what, Where(dataset), findings_);
  }

  // The vars group's @name must be the object's name (a cheap, strict check
  // that the file belongs to this config). Absent groups are tolerated; the
  // variables they should hold are reported one by one.
  void CheckVarsName(const std::string& vars_path, const std::string& name) {
    std::string path = "/" + vars_path;
    absl::StatusOr<io::hdf5::Object> obj = file_.OpenPath(path);
    if (!obj.ok() || !std::holds_alternative<io::hdf5::Group>(*obj)) return;
    const io::hdf5::Attribute* a = std::get<io::hdf5::Group>(*obj).FindAttribute("name");
    if (a == nullptr || a->strings.size() != 1) return;
    if (a->strings[0] != name) {
      findings_->Add(rules::kWeightMissing,
                     util::StrCat("vars group is named '", a->strings[0], "' but the config's layer here is '", name,
                                  "': the weights belong to another model"),
                     Where(path));
    }
  }

  const io::hdf5::File& file_;
  const BindOptions& options_;
  util::FindingList* findings_;
  std::vector<std::string> bound_;
};

}  // namespace

bool LoadWeight(const io::hdf5::File& file, const Dataset& ds, graph::Weight& weight, bool keep_values,
                std::string_view what, const std::string& location, util::FindingList* findings) {
  // dtype
  Source src;
  const io::hdf5::Datatype& type = ds.type;
  if (IsBFloat16Marked(ds) && type.size == 2 &&
      (type.type_class == io::hdf5::TypeClass::kFloat || type.type_class == io::hdf5::TypeClass::kInteger)) {
    src = Source::kBF16;
    weight.source_dtype = util::DType::kBFloat16;
  } else if (type.type_class == io::hdf5::TypeClass::kFloat && (type.size == 2 || type.size == 4 || type.size == 8)) {
    src = type.size == 2 ? Source::kF16 : type.size == 4 ? Source::kF32 : Source::kF64;
    weight.source_dtype = type.size == 2 ? util::DType::kFloat16
                          : type.size == 4 ? util::DType::kFloat32
                                           : util::DType::kFloat64;
  } else if (type.type_class == io::hdf5::TypeClass::kInteger && weight.name == "count" &&
             (type.size == 1 || type.size == 2 || type.size == 4 || type.size == 8)) {
    src = Source::kInt;
    weight.source_dtype = type.dtype();
  } else {
    findings->Add(rules::kWeightDtype,
                  util::StrCat(what, ": dataset type ", util::DTypeName(type.dtype()), " (", type.size,
                               " bytes) is not supported; expected float16, bfloat16, float32 or float64",
                               weight.name == "count" ? " or an integer" : ""),
                  location);
    return false;
  }
  // shape, before reading anything
  std::vector<uint64_t> dims = ds.space.is_scalar ? std::vector<uint64_t>{} : ds.space.dims;
  bool same = !ds.space.is_null && dims.size() == weight.shape.size();
  for (size_t i = 0; same && i < dims.size(); ++i) {
    same = weight.shape[i] >= 0 && dims[i] == static_cast<uint64_t>(weight.shape[i]);
  }
  if (!same) {
    findings->Add(rules::kWeightShape,
                  util::StrCat(what, ": dataset has shape ", ds.space.is_null ? std::string("(null)") : DimsText(dims),
                               " but the layer config implies ", DimsText(weight.shape)),
                  location);
    return false;
  }
  int64_t n = graph::NumElements(weight.shape);
  size_t elem = src == Source::kInt ? type.size : src == Source::kF32 ? 4 : src == Source::kF64 ? 8 : 2;
  std::optional<uint64_t> want = n < 0 ? std::nullopt : util::CheckedMul(static_cast<uint64_t>(n), elem);
  if (!want) {
    findings->Add(rules::kWeightShape, util::StrCat(what, ": declared shape is too large"), location);
    return false;
  }
  absl::StatusOr<io::hdf5::DataBuffer> data = file.ReadData(ds);
  if (!data.ok()) {
    findings->AddStatus(data.status(), rules::kHdf5Malformed, location);
    return false;
  }
  if (data->bytes().size() != *want) {
    findings->Add(rules::kHdf5ShapeBomb,
                  util::StrCat(what, ": dataset holds ", data->bytes().size(), " bytes; its shape needs ", *want),
                  location);
    return false;
  }
  float* out = nullptr;
  if (keep_values) {
    weight.values.resize(static_cast<size_t>(n));
    out = weight.values.data();
  }
  auto [bad, first] = Convert(data->bytes(), src, type, static_cast<uint64_t>(n), out);
  if (bad > 0) {
    findings->Add(rules::kWeightNonFinite,
                  util::StrCat(what, ": ", bad, " of ", n, " values are NaN or infinite",
                               src == Source::kF64 ? " (after conversion to float32)" : "", "; the first at flat index ",
                               first),
                  location);
    weight.values.clear();
    return false;
  }
  return true;
}

absl::StatusOr<std::optional<std::vector<std::string>>> ReadStringList(
    const std::vector<io::hdf5::Attribute>& attrs, std::string_view name) {
  for (const io::hdf5::Attribute& a : attrs) {
    if (a.name != name) continue;
    bool is_string = a.type.type_class == io::hdf5::TypeClass::kVlenString ||
                     a.type.type_class == io::hdf5::TypeClass::kFixedString;
    if (is_string) return std::optional<std::vector<std::string>>(a.strings);
    if (a.space.num_elements() == 0) return std::optional<std::vector<std::string>>(std::vector<std::string>{});
    return util::RuleError(rules::kWeightMissing,
                           util::StrCat("attribute '", name, "' must be a list of strings, got numbers"));
  }
  return std::optional<std::vector<std::string>>();
}

void ReportUnclaimedDatasets(const Hdf5Inventory& inventory, const std::vector<std::string>& bound,
                             std::initializer_list<std::string_view> ignored_prefixes, std::string_view file_label,
                             util::FindingList* findings) {
  bool ignored_reported = false;
  for (const std::string& path : inventory.dataset_paths) {
    if (std::binary_search(bound.begin(), bound.end(), path)) continue;
    bool ignored = false;
    for (std::string_view prefix : ignored_prefixes) {
      ignored = ignored || std::string_view(path).substr(0, prefix.size()) == prefix;
    }
    if (ignored) {
      if (!ignored_reported) {
        ignored_reported = true;
        findings->Add(rules::kIgnoredTrainingState, "optimizer/metric state is present and ignored",
                      util::StrCat(file_label, ":", path));
      }
      continue;
    }
    findings->Add(rules::kWeightMissing,
                  "extra dataset: no variable of the model is saved here (Keras would not load it; a model with "
                  "hidden or substituted variables)",
                  util::StrCat(file_label, ":", path));
  }
}

}  // namespace kgate::keras

namespace kgate::keras {

void BindKerasWeights(const io::hdf5::File& file, const Hdf5Inventory& inventory, graph::Graph& graph,
                      const BindOptions& options, util::FindingList* findings) {
  KerasWalker walker(file, options, findings);
  walker.Model(graph, "", /*check_own_vars=*/true);
  if (inventory.complete) {
    ReportUnclaimedDatasets(inventory, walker.TakeBound(), {"/optimizer/", "/metrics/"}, options.file_label,
                            findings);
  }
}

}  // namespace kgate::keras
