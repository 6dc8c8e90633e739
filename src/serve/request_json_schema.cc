#include "serve/request_json_schema.h"

#include <algorithm>
#include <charconv>
#include <limits>
#include <optional>

#include "io/json/json_writer.h"
#include "util/strings.h"

namespace kgate::serve {
namespace {

using io::json::Writer;

// A float32 value as the double its shortest float text reads as: the
// number a client writes for it (0.1f is sent as 0.1, not 0.10000000149).
double AsWritten(double v, util::DType dtype) {
  if (dtype != util::DType::kFloat32) return v;
  const std::string text = util::StrCat(static_cast<float>(v));
  double d = v;
  std::from_chars(text.data(), text.data() + text.size(), d);
  return d;
}

// The tighter of the dtype's range and a rule's bounds.
void WriteRange(const InputRule& rule, const schema::ValueBounds& a, const schema::ValueBounds& b, Writer* w) {
  double lo, hi;
  if (rule.dtype == util::DType::kInt32) {
    lo = std::numeric_limits<int32_t>::min();
    hi = std::numeric_limits<int32_t>::max();
  } else {
    hi = std::numeric_limits<float>::max();
    lo = -hi;
  }
  for (const schema::ValueBounds* x : {&a, &b}) {
    if (x->min) lo = std::max(lo, *x->min);
    if (x->max) hi = std::min(hi, *x->max);
  }
  w->Key("minimum").Double(lo).Key("maximum").Double(hi);
}

// One element of the input (feature `feature` of the last axis, or any).
void WriteElement(const InputRule& rule, const schema::ValueBounds& feature, Writer* w) {
  w->BeginObject();
  if (!rule.allowed_values.empty()) {
    // Only these values; ranges could only remove some of them, which the
    // server checks too, so the enum keeps just those in range.
    w->Key("enum").BeginArray();
    for (double v : rule.allowed_values) {
      const auto out = [&](const std::optional<double>& lo, const std::optional<double>& hi) {
        return (lo && v < *lo) || (hi && v > *hi);
      };
      if (out(rule.bounds.min, rule.bounds.max) || out(feature.min, feature.max)) continue;
      if (rule.dtype == util::DType::kBool) {
        w->Bool(v != 0);
      } else if (rule.dtype == util::DType::kInt32) {
        w->Int(static_cast<int64_t>(v));
      } else {
        w->Double(AsWritten(v, rule.dtype));
      }
    }
    w->EndArray();
  } else if (rule.dtype == util::DType::kBool) {
    w->Key("type").String("boolean");
  } else {
    w->Key("type").String(rule.dtype == util::DType::kInt32 ? "integer" : "number");
    WriteRange(rule, rule.bounds, feature, w);
  }
  w->EndObject();
}

// Nested lists for dims [axis, rank) of the input.
void WriteNested(const InputRule& rule, size_t axis, Writer* w) {
  const size_t rank = rule.shape.size();
  if (axis == rank) {
    WriteElement(rule, {}, w);
    return;
  }
  const int64_t dim = rule.shape[axis];
  w->BeginObject().Key("type").String("array");
  if (dim != graph::kUnknownDim) w->Key("minItems").Int(dim).Key("maxItems").Int(dim);
  if (axis + 1 == rank && !rule.feature_bounds.empty()) {
    w->Key("prefixItems").BeginArray();
    for (const schema::ValueBounds& f : rule.feature_bounds) WriteElement(rule, f, w);
    w->EndArray().Key("items").Bool(false);
  } else {
    w->Key("items");
    WriteNested(rule, axis + 1, w);
  }
  w->EndObject();
}

std::optional<int64_t> MaxBatch(const ServedModel& served, const InputRule& rule) {
  std::optional<int64_t> cap = rule.max_batch;
  if (served.config && served.config->limits.max_batch) {
    cap = std::min(cap.value_or(*served.config->limits.max_batch), *served.config->limits.max_batch);
  }
  return cap;
}

std::string DefName(size_t i) { return util::StrCat("input", i); }
std::string RowRef(size_t i) { return util::StrCat("#/$defs/", DefName(i), "_row"); }
std::string BatchRef(size_t i) { return util::StrCat("#/$defs/", DefName(i), "_batch"); }

void WriteRef(Writer* w, const std::string& ref) { w->BeginObject().Key("$ref").String(ref).EndObject(); }

// {name: <ref(i)>} for every input, all required, nothing else.
void WriteNamedObject(const InputSchema& schema, std::string (*ref)(size_t), Writer* w) {
  w->BeginObject().Key("type").String("object").Key("properties").BeginObject();
  for (size_t i = 0; i < schema.inputs.size(); ++i) {
    w->Key(schema.inputs[i].name);
    WriteRef(w, ref(i));
  }
  w->EndObject().Key("required").BeginArray();
  for (const InputRule& r : schema.inputs) w->String(r.name);
  w->EndArray().Key("additionalProperties").Bool(false).EndObject();
}

// A single-input model also takes the bare value; several inputs need names.
void WriteForm(const InputSchema& schema, std::string (*ref)(size_t), Writer* w) {
  if (schema.inputs.size() == 1) {
    w->BeginObject().Key("anyOf").BeginArray();
    WriteRef(w, ref(0));
    WriteNamedObject(schema, ref, w);
    w->EndArray().EndObject();
  } else {
    WriteNamedObject(schema, ref, w);
  }
}

// The smallest batch cap over inputs: every input shares the batch.
std::optional<int64_t> SharedMaxBatch(const ServedModel& served) {
  std::optional<int64_t> cap;
  for (const InputRule& r : served.schema.inputs) {
    if (std::optional<int64_t> c = MaxBatch(served, r)) cap = std::min(cap.value_or(*c), *c);
  }
  return cap;
}

}  // namespace

std::string TfsRequestJsonSchema(const ServedModel& served) {
  const InputSchema& schema = served.schema;
  const std::optional<int64_t> max_batch = SharedMaxBatch(served);
  Writer w;
  w.BeginObject();
  w.Key("$schema").String("https://json-schema.org/draft/2020-12/schema");
  w.Key("title").String(util::StrCat("TF Serving predict request for model '", served.name, "' version ",
                                     served.version));
  w.Key("description").String(
      "Checked by kgate before inference. Not expressible here and checked by the server: every input has the same "
      "batch size, and int32 values are written without a fraction or exponent.");
  w.Key("type").String("object");
  w.Key("properties").BeginObject();
  w.Key("signature_name").BeginObject().Key("enum").BeginArray().String("serving_default").String("").EndArray();
  w.EndObject();
  w.Key("instances").BeginObject().Key("type").String("array").Key("minItems").Int(1);
  if (max_batch) w.Key("maxItems").Int(*max_batch);
  w.Key("items");
  WriteForm(schema, &RowRef, &w);
  w.EndObject();
  w.Key("inputs");
  WriteForm(schema, &BatchRef, &w);
  w.EndObject();
  w.Key("additionalProperties").Bool(false);
  // Exactly one of the two forms.
  w.Key("oneOf").BeginArray();
  w.BeginObject().Key("required").BeginArray().String("instances").EndArray().EndObject();
  w.BeginObject().Key("required").BeginArray().String("inputs").EndArray().EndObject();
  w.EndArray();
  w.Key("$defs").BeginObject();
  for (size_t i = 0; i < schema.inputs.size(); ++i) {
    const InputRule& rule = schema.inputs[i];
    w.Key(DefName(i) + "_row");
    WriteNested(rule, 1, &w);
    w.Key(DefName(i) + "_batch").BeginObject().Key("type").String("array").Key("minItems").Int(1);
    if (max_batch) w.Key("maxItems").Int(*max_batch);
    w.Key("items");
    WriteRef(&w, RowRef(i));
    w.EndObject();
  }
  w.EndObject();
  w.EndObject();
  return w.Take();
}

}  // namespace kgate::serve
