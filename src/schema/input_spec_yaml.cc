// Writes an InputSpec as the `inputs:` section of kgate.yaml (input_infer.h):
// block style for the structure people edit (inputs, their bounds, the
// features list), flow style for each stats mapping so a feature stays on a
// few lines. Names are always quoted and numbers written in shortest
// round-trip form, so ParseInputSpec reads back exactly this spec.

#include <string>

#include "io/yaml/yaml_writer.h"
#include "schema/input_infer.h"
#include "util/strings.h"

namespace kgate::schema {
namespace {

using io::yaml::AppendInteger;
using io::yaml::AppendNumber;

void Line(std::string* out, int indent, std::string_view text) {
  out->append(static_cast<size_t>(indent), ' ');
  out->append(text);
  out->push_back('\n');
}

std::string Number(double d) {
  std::string s;
  AppendNumber(d, &s);
  return s;
}

std::string Integer(int64_t i) {
  std::string s;
  AppendInteger(i, &s);
  return s;
}

std::string StatsFlow(const FeatureStats& s) {
  std::string out = "{";
  if (s.count) util::StrAppend(&out, "count: ", Integer(*s.count), ", ");
  if (s.quantiles) {
    util::StrAppend(&out, "quantiles: [", Number(s.quantiles->first), ", ", Number(s.quantiles->second), "], ");
  }
  util::StrAppend(&out, "min: ", Number(s.min), ", max: ", Number(s.max), ", mean: ", Number(s.mean),
                  ", std: ", Number(s.std));
  if (s.q_low) util::StrAppend(&out, ", q_low: ", Number(*s.q_low));
  if (s.q_high) util::StrAppend(&out, ", q_high: ", Number(*s.q_high));
  return out + "}";
}

std::string ImageFlow(const ImageSpec& image) {
  std::string out = "{formats: [";
  for (size_t i = 0; i < image.formats.size(); ++i) {
    if (i) out += ", ";
    io::yaml::AppendQuoted(image.formats[i], &out);
  }
  out += "]";
  if (image.max_pixels > 0) util::StrAppend(&out, ", max_pixels: ", Integer(image.max_pixels));
  if (image.channels > 0) util::StrAppend(&out, ", channels: ", Integer(image.channels));
  util::StrAppend(&out, ", scale: ", Number(image.scale), ", offset: ", Number(image.offset));
  return out + "}";
}

void WriteBounds(const ValueBounds& b, int indent, std::string* out) {
  if (b.min) Line(out, indent, util::StrCat("min: ", Number(*b.min)));
  if (b.max) Line(out, indent, util::StrCat("max: ", Number(*b.max)));
}

void WriteFeature(const FeatureSpec& f, bool as_list, int indent, std::string* out) {
  std::string body;
  WriteBounds(f.bounds, 0, &body);
  if (f.stats) util::StrAppend(&body, "stats: ", StatsFlow(*f.stats), "\n");
  const std::string head = as_list ? "- " : util::StrCat("\"", f.index, "\":");
  if (body.empty()) {
    Line(out, indent, as_list ? "- {}" : head + " {}");
    return;
  }
  // A list item's first key shares the "- " line; a mapping entry opens a block.
  size_t start = 0;
  bool first = true;
  if (!as_list) Line(out, indent, head);
  while (start < body.size()) {
    const size_t end = body.find('\n', start);
    const std::string_view line(body.data() + start, end - start);
    if (as_list) {
      Line(out, indent, util::StrCat(first ? "- " : "  ", line));
    } else {
      Line(out, indent + 2, line);
    }
    first = false;
    start = end + 1;
  }
}

void WriteEntry(const InputSpecEntry& e, std::string* out) {
  std::string name;
  io::yaml::AppendQuoted(e.input, &name);
  Line(out, 2, name + ":");
  WriteBounds(e.bounds, 4, out);
  if (e.finite) Line(out, 4, e.finite.value() ? "finite: true" : "finite: false");
  if (e.allowed_values) {
    std::string list = "allowed_values: [";
    for (size_t i = 0; i < e.allowed_values->size(); ++i) {
      const io::json::Value& v = (*e.allowed_values)[i];
      if (i) list += ", ";
      if (v.is_bool()) {
        list += v.bool_value() ? "true" : "false";
      } else if (v.number().integer) {
        list += Integer(*v.number().integer);
      } else {
        list += Number(v.number().value);
      }
    }
    Line(out, 4, list + "]");
  }
  if (e.max_batch) Line(out, 4, util::StrCat("max_batch: ", Integer(*e.max_batch)));
  if (e.min_length) Line(out, 4, util::StrCat("min_length: ", Integer(*e.min_length)));
  if (e.max_length) Line(out, 4, util::StrCat("max_length: ", Integer(*e.max_length)));
  if (e.utf8) Line(out, 4, e.utf8.value() ? "utf8: true" : "utf8: false");
  if (e.stats) Line(out, 4, util::StrCat("stats: ", StatsFlow(*e.stats)));
  if (e.image) Line(out, 4, util::StrCat("image: ", ImageFlow(*e.image)));
  if (!e.features.empty() || e.feature_list_length) {
    const bool as_list = e.feature_list_length.has_value();
    if (e.features.empty()) {
      Line(out, 4, as_list ? "features: []" : "features: {}");
      return;
    }
    Line(out, 4, "features:");
    for (const FeatureSpec& f : e.features) WriteFeature(f, as_list, 6, out);
  }
}

}  // namespace

std::string InputSpecToYaml(const InputSpec& spec, const std::vector<std::string>& comment) {
  std::string out;
  for (const std::string& c : comment) {
    // A comment runs to the end of its line, so a newline inside one would
    // start YAML; each is its own comment line instead.
    size_t start = 0;
    while (start <= c.size()) {
      size_t end = c.find('\n', start);
      if (end == std::string::npos) end = c.size();
      Line(&out, 0, util::StrCat("# ", std::string_view(c).substr(start, end - start)));
      start = end + 1;
    }
  }
  if (spec.inputs.empty()) {
    Line(&out, 0, "inputs: {}");
    return out;
  }
  Line(&out, 0, "inputs:");
  for (const InputSpecEntry& e : spec.inputs) WriteEntry(e, &out);
  return out;
}

}  // namespace kgate::schema
