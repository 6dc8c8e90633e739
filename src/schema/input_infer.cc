// Statistics of training data per input and per feature, and the bounds
// derived from them (input_infer.h). Values are widened to double once, so
// every dtype NumPy writes is measured the same way.

#include "schema/input_infer.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <string>
#include <utility>

#include "util/dtype.h"
#include "util/status_macros.h"
#include "util/strings.h"

namespace kgate::schema {
namespace {

using util::DType;

// Element `i` of `a` as a double; nullopt for dtypes that are not numbers.
template <typename T>
double Load(const uint8_t* p) {
  T v;
  std::memcpy(&v, p, sizeof(T));
  return static_cast<double>(v);
}

absl::StatusOr<std::vector<double>> Widen(const io::npy::Array& a, const std::string& source) {
  const uint64_t n = a.NumElements();
  const size_t size = util::DTypeSize(a.dtype);
  std::vector<double> out(n);
  const uint8_t* p = a.data.data();
  for (uint64_t i = 0; i < n; ++i, p += size) {
    switch (a.dtype) {
      case DType::kBool: out[i] = *p != 0 ? 1 : 0; break;
      case DType::kInt8: out[i] = Load<int8_t>(p); break;
      case DType::kUInt8: out[i] = Load<uint8_t>(p); break;
      case DType::kInt16: out[i] = Load<int16_t>(p); break;
      case DType::kUInt16: out[i] = Load<uint16_t>(p); break;
      case DType::kInt32: out[i] = Load<int32_t>(p); break;
      case DType::kUInt32: out[i] = Load<uint32_t>(p); break;
      case DType::kInt64: out[i] = Load<int64_t>(p); break;
      case DType::kUInt64: out[i] = Load<uint64_t>(p); break;
      case DType::kFloat16: {
        uint16_t h;
        std::memcpy(&h, p, 2);
        out[i] = util::HalfToDouble(h);
        break;
      }
      case DType::kBFloat16: {
        uint16_t b;
        std::memcpy(&b, p, 2);
        out[i] = util::BFloat16ToFloat(b);
        break;
      }
      case DType::kFloat32: out[i] = Load<float>(p); break;
      case DType::kFloat64: out[i] = Load<double>(p); break;
      case DType::kString:
        return absl::InvalidArgumentError(util::StrCat(source, ": string data has no statistics"));
    }
  }
  return out;
}

// NumPy's default quantile: linear interpolation between the order
// statistics around q * (n - 1). Reorders `v`.
double Quantile(std::vector<double>& v, double q) {
  const double pos = q * static_cast<double>(v.size() - 1);
  const size_t lo = static_cast<size_t>(std::floor(pos));
  std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(lo), v.end());
  const double a = v[lo];
  if (lo + 1 >= v.size()) return a;
  const double b = *std::min_element(v.begin() + static_cast<std::ptrdiff_t>(lo) + 1, v.end());
  return a + (pos - static_cast<double>(lo)) * (b - a);
}

FeatureStats Measure(std::vector<double>& v, const InferOptions& options) {
  FeatureStats s;
  s.count = static_cast<int64_t>(v.size());
  s.min = *std::min_element(v.begin(), v.end());
  s.max = *std::max_element(v.begin(), v.end());
  double sum = 0;
  for (double x : v) sum += x;
  s.mean = sum / static_cast<double>(v.size());
  double sq = 0;
  for (double x : v) sq += (x - s.mean) * (x - s.mean);
  s.std = std::sqrt(sq / static_cast<double>(v.size()));
  s.quantiles = std::make_pair(options.quantile_low, options.quantile_high);
  s.q_low = Quantile(v, options.quantile_low);
  s.q_high = Quantile(v, options.quantile_high);
  return s;
}

ValueBounds BoundsFrom(const FeatureStats& s, DType dtype, double margin) {
  double spread = s.max - s.min;
  if (spread == 0) spread = std::max(std::fabs(s.max), 1.0);
  double lo = s.min - margin * spread;
  double hi = s.max + margin * spread;
  double limit = std::numeric_limits<float>::max();
  if (dtype == DType::kInt32) {
    lo = std::floor(lo);
    hi = std::ceil(hi);
    lo = std::max(lo, static_cast<double>(std::numeric_limits<int32_t>::min()));
    hi = std::min(hi, static_cast<double>(std::numeric_limits<int32_t>::max()));
  } else {
    lo = std::clamp(lo, -limit, limit);
    hi = std::clamp(hi, -limit, limit);
  }
  return ValueBounds{lo, hi};
}

absl::Status CheckShape(const InputRule& rule, const io::npy::Array& a, const std::string& source) {
  const graph::Dims& want = rule.shape;
  bool ok = a.shape.size() == want.size() && !a.shape.empty() && a.shape[0] >= 1;
  for (size_t d = 1; ok && d < want.size(); ++d) ok = want[d] == graph::kUnknownDim || want[d] == a.shape[d];
  if (ok) return absl::OkStatus();
  return absl::InvalidArgumentError(util::StrCat(source, ": shape ", graph::ShapeString(a.shape),
                                                 " does not fit input '", rule.name, "' ", graph::ShapeString(want),
                                                 " (axis 0 holds the rows, at least one)"));
}

absl::Status CheckFinite(const std::vector<double>& v, const io::npy::Array& a, const std::string& source) {
  for (size_t i = 0; i < v.size(); ++i) {
    if (std::isfinite(v[i])) continue;
    std::vector<int64_t> index(a.shape.size());
    uint64_t flat = i;
    for (size_t d = a.shape.size(); d-- > 0;) {
      index[d] = static_cast<int64_t>(flat % static_cast<uint64_t>(a.shape[d]));
      flat /= static_cast<uint64_t>(a.shape[d]);
    }
    return absl::InvalidArgumentError(util::StrCat(source, ": ", std::isnan(v[i]) ? "NaN" : "an infinity", " at [",
                                                   util::StrJoin(index, ", "),
                                                   "]: statistics need finite data (clean it, or write the "
                                                   "section by hand with finite: false)"));
  }
  return absl::OkStatus();
}

absl::StatusOr<InputSpecEntry> InferOne(const InputRule& rule, const TrainingData& d, const InferOptions& options) {
  const io::npy::Array& a = *d.array;
  if (rule.dtype != DType::kFloat32 && rule.dtype != DType::kInt32) {
    return absl::InvalidArgumentError(util::StrCat(d.source, ": input '", rule.name, "' is ",
                                                   util::DTypeName(rule.dtype), "; only numeric inputs get ranges"));
  }
  KGATE_RETURN_IF_ERROR(CheckShape(rule, a, d.source));
  if (a.NumElements() > options.max_values) {
    return absl::InvalidArgumentError(util::StrCat(d.source, ": ", a.NumElements(), " values; at most ",
                                                   options.max_values, " are measured (sample the rows)"));
  }
  KGATE_ASSIGN_OR_RETURN(std::vector<double> values, Widen(a, d.source));
  KGATE_RETURN_IF_ERROR(CheckFinite(values, a, d.source));

  InputSpecEntry entry;
  entry.input = rule.name;
  const int64_t features = rule.shape.size() >= 2 ? rule.shape.back() : graph::kUnknownDim;
  if (features != graph::kUnknownDim && features > 0 && features <= kMaxFeatures) {
    entry.feature_list_length = features;
    std::vector<double> column;
    column.reserve(values.size() / static_cast<size_t>(features));
    for (int64_t f = 0; f < features; ++f) {
      column.clear();
      for (size_t i = static_cast<size_t>(f); i < values.size(); i += static_cast<size_t>(features)) {
        column.push_back(values[i]);
      }
      FeatureSpec spec;
      spec.index = f;
      spec.stats = Measure(column, options);
      spec.stats->quantiles.reset();  // the input's stats name the levels once
      spec.stats->count.reset();
      spec.bounds = BoundsFrom(*spec.stats, rule.dtype, options.margin);
      entry.features.push_back(std::move(spec));
    }
  }
  entry.stats = Measure(values, options);
  entry.bounds = BoundsFrom(*entry.stats, rule.dtype, options.margin);
  return entry;
}

}  // namespace

absl::StatusOr<InputSpec> InferInputSpec(const InputSchema& schema, const std::vector<TrainingData>& data,
                                         const InferOptions& options) {
  if (!(0 <= options.quantile_low && options.quantile_low < options.quantile_high && options.quantile_high <= 1)) {
    return absl::InvalidArgumentError("quantiles: expected 0 <= low < high <= 1");
  }
  if (!(options.margin >= 0 && options.margin <= 1000)) {
    return absl::InvalidArgumentError("margin: expected a number in [0, 1000]");
  }
  std::vector<const TrainingData*> by_input(schema.inputs.size(), nullptr);
  for (const TrainingData& d : data) {
    auto it = std::find_if(schema.inputs.begin(), schema.inputs.end(),
                           [&](const InputRule& r) { return r.name == d.input; });
    if (it == schema.inputs.end()) {
      std::vector<std::string> names;
      for (const InputRule& r : schema.inputs) names.push_back(r.name);
      return absl::InvalidArgumentError(util::StrCat(d.source, ": the model has no input '", d.input,
                                                     "'; its inputs are: ", util::StrJoin(names, ", ")));
    }
    const size_t r = static_cast<size_t>(it - schema.inputs.begin());
    if (by_input[r] != nullptr) {
      return absl::InvalidArgumentError(util::StrCat("input '", d.input, "' is given data twice"));
    }
    by_input[r] = &d;
  }
  InputSpec spec;
  for (size_t r = 0; r < schema.inputs.size(); ++r) {
    if (by_input[r] == nullptr) continue;
    KGATE_ASSIGN_OR_RETURN(InputSpecEntry entry, InferOne(schema.inputs[r], *by_input[r], options));
    spec.inputs.push_back(std::move(entry));
  }
  return spec;
}

}  // namespace kgate::schema
