// Reads the `inputs:` section into an InputSpec: shapes and types of every
// key, ranges that are ranges (min <= max), features by list or by index,
// allowed values that are numbers or booleans. Whether the rules fit the
// model is ApplyInputSpec's job (input_spec_apply.cc).

#include <algorithm>
#include <cmath>
#include <string>
#include <utility>

#include "schema/config_fields.h"
#include "schema/input_spec.h"
#include "util/status_macros.h"
#include "util/strings.h"

namespace kgate::schema {
namespace {

using io::json::Value;

absl::StatusOr<double> ReadBound(const Value& v, std::string_view where, const std::string& path) {
  KGATE_ASSIGN_OR_RETURN(double d, ReadNumber(v, where, path));
  // The YAML and JSON readers refuse non-finite numbers; this keeps the
  // promise for trees built some other way.
  if (!std::isfinite(d)) return ConfigError(where, path, "expected a finite number");
  return d;
}

absl::Status CheckRange(const ValueBounds& b, std::string_view where, const std::string& path) {
  if (b.min && b.max && *b.min > *b.max) {
    return ConfigError(where, path, util::StrCat("min ", *b.min, " is above max ", *b.max));
  }
  return absl::OkStatus();
}

absl::StatusOr<int64_t> ReadCount(const Value& v, std::string_view where, const std::string& path, int64_t lowest) {
  KGATE_ASSIGN_OR_RETURN(int64_t n, ReadInteger(v, where, path));
  if (n < lowest) return ConfigError(where, path, util::StrCat("expected an integer >= ", lowest, ", got ", n));
  return n;
}

absl::StatusOr<FeatureStats> ParseStats(const Value& v, std::string_view where, const std::string& path) {
  KGATE_RETURN_IF_ERROR(
      CheckObject(v, {"count", "quantiles", "min", "max", "mean", "std", "q_low", "q_high"}, where, path));
  FeatureStats s;
  for (std::string_view required : {"min", "max", "mean", "std"}) {
    if (v.Find(required) == nullptr) return ConfigError(where, ConfigPath(path, required), "missing");
  }
  for (const io::json::Member& m : v.object()) {
    const std::string key = ConfigPath(path, m.first);
    if (m.first == "count") {
      KGATE_ASSIGN_OR_RETURN(s.count, ReadCount(m.second, where, key, 0));
    } else if (m.first == "quantiles") {
      if (!m.second.is_array() || m.second.array().size() != 2) {
        return ConfigError(where, key, "expected two quantile levels [low, high]");
      }
      KGATE_ASSIGN_OR_RETURN(double lo, ReadBound(m.second.array()[0], where, key + "[0]"));
      KGATE_ASSIGN_OR_RETURN(double hi, ReadBound(m.second.array()[1], where, key + "[1]"));
      if (!(0 <= lo && lo < hi && hi <= 1)) return ConfigError(where, key, "expected 0 <= low < high <= 1");
      s.quantiles = std::make_pair(lo, hi);
    } else {
      KGATE_ASSIGN_OR_RETURN(double d, ReadBound(m.second, where, key));
      if (m.first == "min") s.min = d;
      if (m.first == "max") s.max = d;
      if (m.first == "mean") s.mean = d;
      if (m.first == "std") s.std = d;
      if (m.first == "q_low") s.q_low = d;
      if (m.first == "q_high") s.q_high = d;
    }
  }
  return s;
}

absl::StatusOr<FeatureSpec> ParseFeature(const Value& v, int64_t index, std::string_view where,
                                         const std::string& path) {
  KGATE_RETURN_IF_ERROR(CheckObject(v, {"min", "max", "stats"}, where, path));
  FeatureSpec f;
  f.index = index;
  for (const io::json::Member& m : v.object()) {
    const std::string key = ConfigPath(path, m.first);
    if (m.first == "min") {
      KGATE_ASSIGN_OR_RETURN(f.bounds.min, ReadBound(m.second, where, key));
    } else if (m.first == "max") {
      KGATE_ASSIGN_OR_RETURN(f.bounds.max, ReadBound(m.second, where, key));
    } else {
      KGATE_ASSIGN_OR_RETURN(f.stats, ParseStats(m.second, where, key));
    }
  }
  KGATE_RETURN_IF_ERROR(CheckRange(f.bounds, where, path));
  return f;
}

// A feature index written as a map key: decimal digits, no sign or leading zeros.
std::optional<int64_t> ParseIndexKey(std::string_view key) {
  if (key.empty() || key.size() > 9 || (key.size() > 1 && key[0] == '0')) return std::nullopt;
  int64_t n = 0;
  for (char c : key) {
    if (c < '0' || c > '9') return std::nullopt;
    n = n * 10 + (c - '0');
  }
  return n;
}

absl::Status ParseFeatures(const Value& v, std::string_view where, const std::string& path, InputSpecEntry* entry) {
  if (v.is_array()) {
    if (static_cast<int64_t>(v.array().size()) > kMaxFeatures) {
      return ConfigError(where, path, util::StrCat("lists ", v.array().size(), " features; at most ", kMaxFeatures));
    }
    entry->feature_list_length = static_cast<int64_t>(v.array().size());
    for (size_t i = 0; i < v.array().size(); ++i) {
      const std::string item = util::StrCat(path, "[", i, "]");
      KGATE_ASSIGN_OR_RETURN(FeatureSpec f, ParseFeature(v.array()[i], static_cast<int64_t>(i), where, item));
      entry->features.push_back(std::move(f));
    }
    return absl::OkStatus();
  }
  if (!v.is_object()) {
    return ConfigError(where, path, "expected a list with one entry per feature, or a mapping by feature index");
  }
  for (const io::json::Member& m : v.object()) {
    const std::string key = ConfigPath(path, m.first);
    std::optional<int64_t> index = ParseIndexKey(m.first);
    if (!index || *index >= kMaxFeatures) {
      return ConfigError(where, key, util::StrCat("expected a feature index 0..", kMaxFeatures - 1));
    }
    KGATE_ASSIGN_OR_RETURN(FeatureSpec f, ParseFeature(m.second, *index, where, key));
    entry->features.push_back(std::move(f));
  }
  // The YAML reader refuses duplicate keys, so indexes are unique once sorted.
  std::sort(entry->features.begin(), entry->features.end(),
            [](const FeatureSpec& a, const FeatureSpec& b) { return a.index < b.index; });
  return absl::OkStatus();
}

absl::Status ParseAllowed(const Value& v, std::string_view where, const std::string& path, InputSpecEntry* entry) {
  if (!v.is_array() || v.array().empty()) return ConfigError(where, path, "expected a non-empty list of values");
  if (v.array().size() > kMaxAllowedValues) {
    return ConfigError(where, path, util::StrCat("lists ", v.array().size(), " values; at most ", kMaxAllowedValues));
  }
  for (size_t i = 0; i < v.array().size(); ++i) {
    const Value& x = v.array()[i];
    if (!x.is_bool() && !x.is_number()) {
      return ConfigError(where, util::StrCat(path, "[", i, "]"),
                         util::StrCat("expected a number or a boolean, got ", Value::KindName(x.kind())));
    }
  }
  entry->allowed_values = v.array();
  return absl::OkStatus();
}

absl::StatusOr<InputSpecEntry> ParseEntry(const io::json::Member& m, std::string_view where) {
  const std::string path = ConfigPath("inputs", m.first);
  KGATE_RETURN_IF_ERROR(CheckObject(m.second,
                                    {"min", "max", "features", "finite", "allowed_values", "max_batch", "stats",
                                     "min_length", "max_length", "utf8", "image"},
                                    where, path));
  InputSpecEntry entry;
  entry.input = m.first;
  for (const io::json::Member& r : m.second.object()) {
    const std::string key = ConfigPath(path, r.first);
    const Value& v = r.second;
    if (r.first == "min") {
      KGATE_ASSIGN_OR_RETURN(entry.bounds.min, ReadBound(v, where, key));
    } else if (r.first == "max") {
      KGATE_ASSIGN_OR_RETURN(entry.bounds.max, ReadBound(v, where, key));
    } else if (r.first == "features") {
      KGATE_RETURN_IF_ERROR(ParseFeatures(v, where, key, &entry));
    } else if (r.first == "finite") {
      KGATE_ASSIGN_OR_RETURN(entry.finite, ReadBool(v, where, key));
    } else if (r.first == "allowed_values") {
      KGATE_RETURN_IF_ERROR(ParseAllowed(v, where, key, &entry));
    } else if (r.first == "max_batch") {
      KGATE_ASSIGN_OR_RETURN(entry.max_batch, ReadCount(v, where, key, 1));
    } else if (r.first == "stats") {
      KGATE_ASSIGN_OR_RETURN(entry.stats, ParseStats(v, where, key));
    } else if (r.first == "min_length") {
      KGATE_ASSIGN_OR_RETURN(entry.min_length, ReadCount(v, where, key, 0));
    } else if (r.first == "max_length") {
      KGATE_ASSIGN_OR_RETURN(entry.max_length, ReadCount(v, where, key, 0));
    } else if (r.first == "utf8") {
      KGATE_ASSIGN_OR_RETURN(entry.utf8, ReadBool(v, where, key));
    } else if (r.first == "image") {
      KGATE_ASSIGN_OR_RETURN(entry.image, ParseImageSpec(v, where, key));
    }
  }
  KGATE_RETURN_IF_ERROR(CheckRange(entry.bounds, where, path));
  if (entry.min_length && entry.max_length && *entry.min_length > *entry.max_length) {
    return ConfigError(where, path,
                       util::StrCat("min_length ", *entry.min_length, " is above max_length ", *entry.max_length));
  }
  return entry;
}

}  // namespace

absl::StatusOr<InputSpec> ParseInputSpec(const Value& section, std::string_view where) {
  if (!section.is_object()) {
    return ConfigError(where, "inputs", "expected a mapping from input names to their rules");
  }
  InputSpec spec;
  for (const io::json::Member& m : section.object()) {
    KGATE_ASSIGN_OR_RETURN(InputSpecEntry entry, ParseEntry(m, where));
    spec.inputs.push_back(std::move(entry));
  }
  return spec;
}

}  // namespace kgate::schema
