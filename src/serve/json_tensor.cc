#include "serve/json_tensor.h"

#include <charconv>
#include <cmath>
#include <vector>

#include "util/strings.h"

namespace kgate::serve {
namespace {

using io::json::Value;

std::string DescribeShape(const Value& v) {
  if (v.is_array()) return util::StrCat("a list of ", v.array().size());
  return util::StrCat("a ", Value::KindName(v.kind()));
}

// Checks `v` (at `index`) against the shape taken from the first element,
// appending scalars in row-major order. `axis` counts from the tensor's first
// dimension; the recursion depth is bounded by the JSON parser's depth cap.
bool Walk(const Value& v, size_t axis, std::vector<int64_t>* index, RequestInput* out, schema::Violations* violations) {
  const bool want_list = axis < out->shape.size();
  if (want_list != v.is_array() || (want_list && static_cast<int64_t>(v.array().size()) != out->shape[axis])) {
    violations->Add(schema::Violation{out->name, *index, "ragged",
                              want_list ? util::StrCat("a list of ", out->shape[axis]) : std::string("a scalar"),
                              DescribeShape(v)});
    return false;
  }
  if (!want_list) {
    out->json_values.push_back(&v);
    return true;
  }
  const io::json::Array& items = v.array();
  for (size_t i = 0; i < items.size(); ++i) {
    index->push_back(static_cast<int64_t>(i));
    const bool ok = Walk(items[i], axis + 1, index, out, violations);
    index->pop_back();
    if (!ok) return false;
  }
  return true;
}

void AppendShapeFromFirst(const Value* v, graph::Dims* shape) {
  while (v->is_array()) {
    shape->push_back(static_cast<int64_t>(v->array().size()));
    if (v->array().empty()) break;
    v = &v->array()[0];
  }
}

bool AppendFloat(float f, std::string* out) {
  if (!std::isfinite(f)) return false;
  char buf[32];
  const std::to_chars_result r = std::to_chars(buf, buf + sizeof(buf), f);
  out->append(buf, r.ptr);
  return true;
}

absl::Status NonFinite(const std::string& name) {
  return absl::InternalError(util::StrCat("output '", name, "' holds a non-finite value, which JSON cannot carry"));
}

absl::Status WriteElement(const engine::HostTensor& t, const std::string& name, int64_t i, io::json::Writer* w,
                          std::string* scratch) {
  switch (t.dtype) {
    case util::DType::kFloat32:
      scratch->clear();
      if (!AppendFloat(t.buffer.f32()[i], scratch)) return NonFinite(name);
      w->Raw(*scratch);
      return absl::OkStatus();
    case util::DType::kInt32:
      w->Int(static_cast<const int32_t*>(t.buffer.data())[i]);
      return absl::OkStatus();
    case util::DType::kBool:
      w->Bool(static_cast<const uint8_t*>(t.buffer.data())[i] != 0);
      return absl::OkStatus();
    default:
      return absl::InternalError(util::StrCat("output '", name, "' has engine dtype ", util::DTypeName(t.dtype)));
  }
}

absl::Status WriteNestedImpl(const engine::HostTensor& t, const std::string& name, size_t axis, int64_t offset,
                             io::json::Writer* w, std::string* scratch) {
  if (axis == t.shape.size()) return WriteElement(t, name, offset, w, scratch);
  int64_t stride = 1;
  for (size_t a = axis + 1; a < t.shape.size(); ++a) stride *= t.shape[a];
  w->BeginArray();
  for (int64_t i = 0; i < t.shape[axis]; ++i) {
    absl::Status s = WriteNestedImpl(t, name, axis + 1, offset + i * stride, w, scratch);
    if (!s.ok()) return s;
  }
  w->EndArray();
  return absl::OkStatus();
}

}  // namespace

bool FlattenRows(std::span<const Value* const> rows, RequestInput* out, schema::Violations* violations) {
  out->shape = {static_cast<int64_t>(rows.size())};
  if (!rows.empty()) AppendShapeFromFirst(rows[0], &out->shape);
  std::vector<int64_t> index;
  for (size_t i = 0; i < rows.size(); ++i) {
    index.assign(1, static_cast<int64_t>(i));
    if (!Walk(*rows[i], 1, &index, out, violations)) return false;
  }
  return true;
}

bool FlattenValue(const Value& value, RequestInput* out, schema::Violations* violations) {
  out->shape.clear();
  AppendShapeFromFirst(&value, &out->shape);
  std::vector<int64_t> index;
  return Walk(value, 0, &index, out, violations);
}

absl::Status WriteNested(const engine::HostTensor& t, const std::string& name, size_t axis, int64_t offset,
                         io::json::Writer* w) {
  std::string scratch;
  return WriteNestedImpl(t, name, axis, offset, w, &scratch);
}

absl::Status WriteFlat(const engine::HostTensor& t, const std::string& name, io::json::Writer* w) {
  std::string scratch;
  w->BeginArray();
  const int64_t n = t.view().num_elements();
  for (int64_t i = 0; i < n; ++i) {
    absl::Status s = WriteElement(t, name, i, w, &scratch);
    if (!s.ok()) return s;
  }
  w->EndArray();
  return absl::OkStatus();
}

}  // namespace kgate::serve
