#include "serve/input_validation.h"

#include <cmath>
#include <cstdio>
#include <cstring>
#include <limits>
#include <string>

#include "serve/image_input.h"
#include "serve/input_constraints.h"
#include "util/strings.h"

namespace kgate::serve {
namespace {

using io::json::Value;

constexpr struct {
  util::DType dtype;
  std::string_view name;
} kKServeNames[] = {
    {util::DType::kBool, "BOOL"},     {util::DType::kUInt8, "UINT8"},   {util::DType::kUInt16, "UINT16"},
    {util::DType::kUInt32, "UINT32"}, {util::DType::kUInt64, "UINT64"}, {util::DType::kInt8, "INT8"},
    {util::DType::kInt16, "INT16"},   {util::DType::kInt32, "INT32"},   {util::DType::kInt64, "INT64"},
    {util::DType::kFloat16, "FP16"},  {util::DType::kBFloat16, "BF16"}, {util::DType::kFloat32, "FP32"},
    {util::DType::kFloat64, "FP64"},  {util::DType::kString, "BYTES"},
};

std::string NumberText(const Value& v) {
  if (v.number().integer) return std::to_string(*v.number().integer);
  char buf[40];
  std::snprintf(buf, sizeof(buf), "%.17g", v.number().value);
  return buf;
}

// Structural checks of one input against its rule; true when its values can be read.
bool CheckStructure(const InputRule& rule, const RequestInput& in, schema::Violations* violations) {
  bool ok = true;
  if (in.declared && *in.declared != rule.dtype) {
    violations->Add(schema::Violation{rule.name, {}, "dtype", std::string(KServeDatatype(rule.dtype)),
                              std::string(KServeDatatype(*in.declared))});
    ok = false;
  }
  bool shape_ok = in.shape.size() == rule.shape.size();
  for (size_t a = 0; shape_ok && a < rule.shape.size(); ++a) {
    if (a == 0 ? in.shape[0] < 1 : (rule.shape[a] != graph::kUnknownDim && in.shape[a] != rule.shape[a])) {
      shape_ok = false;
    }
  }
  if (!shape_ok) {
    violations->Add(schema::Violation{rule.name, {}, "shape",
                              util::StrCat(ShapeText(rule.shape), " (dim 0 is the batch, at least 1)"),
                              ShapeText(in.shape)});
    ok = false;
  } else if (!CheckMaxBatch(rule, in.shape[0], violations)) {
    ok = false;
  }
  if (ok && rule.dtype == util::DType::kString) {
    // Only synthetic schemas have string inputs (DeriveInputSchema refuses
    // them): the engine has no string tensors to build.
    violations->Add(schema::Violation{rule.name, {}, "dtype", "an input dtype serving carries (not string yet)",
                                      "BYTES"});
    ok = false;
  }
  return ok;
}

void CheckFinite(const InputRule& rule, const engine::HostTensor& t, schema::Violations* violations) {
  const float* f = t.buffer.f32();
  const int64_t n = t.view().num_elements();
  for (int64_t i = 0; i < n && !violations->full(); ++i) {
    if (!std::isfinite(f[i])) {
      violations->Add(schema::Violation{rule.name, UnravelIndex(i, t.shape), "finite", "a finite number",
                                std::isnan(f[i]) ? "NaN" : (f[i] > 0 ? "Infinity" : "-Infinity")});
    }
  }
}

void ReadJson(const InputRule& rule, const RequestInput& in, engine::HostTensor* t, schema::Violations* violations) {
  for (size_t i = 0; i < in.json_values.size() && !violations->full(); ++i) {
    const Value& v = *in.json_values[i];
    auto refuse = [&](std::string rule_name, std::string expected, std::string actual) {
      violations->Add(schema::Violation{rule.name, UnravelIndex(static_cast<int64_t>(i), in.shape), std::move(rule_name),
                                std::move(expected), std::move(actual)});
    };
    if (rule.dtype == util::DType::kBool) {
      if (!v.is_bool()) { refuse("dtype", "true or false", std::string(Value::KindName(v.kind()))); continue; }
      static_cast<uint8_t*>(t->buffer.data())[i] = v.bool_value() ? 1 : 0;
      continue;
    }
    if (!v.is_number()) { refuse("dtype", "a number", std::string(Value::KindName(v.kind()))); continue; }
    if (rule.dtype == util::DType::kInt32) {
      const std::optional<int64_t>& integer = v.number().integer;
      if (!integer) { refuse("integer", "an integer written without fraction or exponent", NumberText(v)); continue; }
      if (*integer < std::numeric_limits<int32_t>::min() || *integer > std::numeric_limits<int32_t>::max()) {
        refuse("range", "an int32 value", NumberText(v));
        continue;
      }
      static_cast<int32_t*>(t->buffer.data())[i] = static_cast<int32_t>(*integer);
      continue;
    }
    const double d = v.number().value;
    if (std::fabs(d) > std::numeric_limits<float>::max()) {
      refuse("range", "a float32 value (magnitude at most 3.4028235e38)", NumberText(v));
      continue;
    }
    t->buffer.f32()[i] = static_cast<float>(d);
  }
}

void ReadRaw(const InputRule& rule, const RequestInput& in, engine::HostTensor* t, schema::Violations* violations) {
  const int64_t want = t->view().num_bytes();
  if (want > 0) std::memcpy(t->buffer.data(), in.raw->data(), in.raw->size());
  if (rule.dtype == util::DType::kBool) {
    const uint8_t* b = static_cast<const uint8_t*>(t->buffer.data());
    for (int64_t i = 0; i < want && !violations->full(); ++i) {
      if (b[i] > 1) violations->Add(schema::Violation{rule.name, UnravelIndex(i, in.shape), "dtype", "a bool byte 0 or 1",
                                              std::to_string(b[i])});
    }
  }
}

// The rules on a tensor's values (finite unless allowed, then kgate.yaml's
// ranges and allowed values), whichever wire form the values came in.
engine::HostTensor CheckValues(const InputRule& rule, engine::HostTensor t, schema::Violations* violations) {
  if (rule.dtype == util::DType::kFloat32 && rule.require_finite && !violations->full()) {
    CheckFinite(rule, t, violations);
  }
  if (!violations->full()) CheckValueRules(rule, t, violations);
  return t;
}

}  // namespace

std::string ShapeText(const graph::Dims& dims) {
  std::string s = "[";
  for (size_t i = 0; i < dims.size(); ++i) {
    util::StrAppend(&s, i ? ", " : "", dims[i] == graph::kUnknownDim ? std::string("-1") : std::to_string(dims[i]));
  }
  return s + "]";
}

std::string_view KServeDatatype(util::DType t) {
  for (const auto& k : kKServeNames) {
    if (k.dtype == t) return k.name;
  }
  return "UNKNOWN";
}

std::optional<util::DType> ParseKServeDatatype(std::string_view name) {
  for (const auto& k : kKServeNames) {
    if (k.name == name) return k.dtype;
  }
  return std::nullopt;
}

absl::StatusOr<std::vector<engine::HostTensor>> ValidateInputs(const InputSchema& schema,
                                                               const std::vector<RequestInput>& inputs,
                                                               const ValidationOptions& options) {
  schema::Violations violations(options.max_violations);
  std::vector<const RequestInput*> by_rule(schema.inputs.size(), nullptr);
  for (const RequestInput& in : inputs) {
    size_t r = 0;
    while (r < schema.inputs.size() && schema.inputs[r].name != in.name) ++r;
    if (r == schema.inputs.size()) {
      std::vector<std::string> names;
      for (const InputRule& rule : schema.inputs) names.push_back(rule.name);
      violations.Add(schema::Violation{in.name, {}, "unknown_input", util::StrCat("one of: ", util::StrJoin(names, ", ")),
                               util::StrCat("'", in.name, "'")});
    } else if (by_rule[r] != nullptr) {
      violations.Add(schema::Violation{in.name, {}, "duplicate_input", "each input once", "given twice"});
    } else {
      by_rule[r] = &in;
    }
  }
  std::vector<engine::HostTensor> tensors;
  int64_t batch = -1;
  std::string batch_input;
  for (size_t r = 0; r < schema.inputs.size(); ++r) {
    const InputRule& rule = schema.inputs[r];
    const RequestInput* in = by_rule[r];
    if (in == nullptr) {
      violations.Add(schema::Violation{rule.name, {}, "missing_input", util::StrCat("input '", rule.name, "'"), "absent"});
      continue;
    }
    // Every input's batch must be the first one's.
    auto same_batch = [&](int64_t n) {
      if (batch >= 0 && n != batch) {
        violations.Add(schema::Violation{rule.name, {}, "batch", util::StrCat("batch ", batch, " as input '", batch_input, "'"),
                                         util::StrCat("batch ", n)});
        return false;
      }
      batch = n;
      batch_input = rule.name;
      return true;
    };
    if (CarriesEncodedImages(*in)) {
      // Decoded pixels are values like any others: the same finite and value rules follow.
      std::optional<engine::HostTensor> images = DecodeImageInput(rule, *in, &violations);
      if (images && same_batch(images->shape[0])) tensors.push_back(CheckValues(rule, *std::move(images), &violations));
      continue;
    }
    if (!CheckStructure(rule, *in, &violations) || !same_batch(in->shape[0])) continue;
    // The element count must match what was sent before anything is allocated:
    // a declared shape alone never sizes memory.
    const int64_t n = graph::NumElements(in->shape);
    const int64_t element_size = static_cast<int64_t>(util::DTypeSize(rule.dtype));
    if (in->raw) {
      if (n < 0 || n > static_cast<int64_t>(in->raw->size()) ||
          n * element_size != static_cast<int64_t>(in->raw->size())) {
        violations.Add(schema::Violation{rule.name, {}, "binary_size",
                                 n < 0 ? std::string("a shape with a representable element count")
                                       : util::StrCat(n * element_size, " bytes for shape ", ShapeText(in->shape)),
                                 util::StrCat(in->raw->size(), " bytes")});
        continue;
      }
    } else if (n != static_cast<int64_t>(in->json_values.size())) {
      violations.Add(schema::Violation{rule.name, {}, "shape", util::StrCat(n, " values for shape ", ShapeText(in->shape)),
                               util::StrCat(in->json_values.size(), " values")});
      continue;
    }
    engine::HostTensor t = engine::HostTensor::Allocate(rule.dtype, in->shape);
    if (in->raw) {
      ReadRaw(rule, *in, &t, &violations);
    } else {
      ReadJson(rule, *in, &t, &violations);
    }
    tensors.push_back(CheckValues(rule, std::move(t), &violations));
  }
  if (!violations.empty()) return violations.ToStatus();
  return tensors;
}

}  // namespace kgate::serve
