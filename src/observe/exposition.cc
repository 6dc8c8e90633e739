#include "observe/exposition.h"

#include <charconv>
#include <cmath>

namespace kgate::observe {
namespace {

// name{l1="v1",l2="v2"[,extra_name="extra_value"]}
void AppendName(std::string_view name, std::string_view suffix, const std::vector<std::string>& label_names,
                std::span<const std::string> label_values, std::string_view extra_name, std::string_view extra_value,
                std::string* out) {
  out->append(name);
  out->append(suffix);
  if (label_names.empty() && extra_name.empty()) return;
  out->push_back('{');
  for (size_t i = 0; i < label_names.size(); ++i) {
    if (i > 0) out->push_back(',');
    out->append(label_names[i]);
    out->append("=\"");
    AppendEscapedLabelValue(label_values[i], out);
    out->push_back('"');
  }
  if (!extra_name.empty()) {
    if (!label_names.empty()) out->push_back(',');
    out->append(extra_name);
    out->append("=\"");
    out->append(extra_value);
    out->push_back('"');
  }
  out->push_back('}');
}

void AppendLine(double value, std::string* out) {
  out->push_back(' ');
  AppendSampleValue(value, out);
  out->push_back('\n');
}

}  // namespace

namespace {

// Backslash and line feed always; the double quote only inside a label value.
void AppendEscaped(std::string_view text, bool quote, std::string* out) {
  for (char c : text) {
    if (c == '\\') {
      out->append("\\\\");
    } else if (c == '\n') {
      out->append("\\n");
    } else if (c == '"' && quote) {
      out->append("\\\"");
    } else {
      out->push_back(c);
    }
  }
}

}  // namespace

void AppendEscapedHelp(std::string_view help, std::string* out) { AppendEscaped(help, false, out); }

void AppendEscapedLabelValue(std::string_view value, std::string* out) { AppendEscaped(value, true, out); }

void AppendSampleValue(double v, std::string* out) {
  if (std::isnan(v)) {
    out->append("NaN");
    return;
  }
  if (std::isinf(v)) {
    out->append(v > 0 ? "+Inf" : "-Inf");
    return;
  }
  // Shortest round-trip digits, written plainly ("0.0005", "1048576") unless
  // the exponent is below -4 or 21 and up, where plain digits get long.
  char buf[64];
  auto r = std::to_chars(buf, buf + sizeof(buf), v, std::chars_format::scientific);
  const std::string_view sci(buf, static_cast<size_t>(r.ptr - buf));
  const size_t e = sci.find('e');
  const char* exp_begin = sci.data() + e + 1 + (sci[e + 1] == '+' ? 1 : 0);
  int exponent = 0;
  std::from_chars(exp_begin, sci.data() + sci.size(), exponent);
  if (exponent < -4 || exponent >= 21) {
    out->append(sci);
    return;
  }
  r = std::to_chars(buf, buf + sizeof(buf), v, std::chars_format::fixed);
  out->append(buf, r.ptr);
}

void AppendFamilyHeader(const MetricFamily& family, std::string* out) {
  out->append("# HELP ");
  out->append(family.name());
  out->push_back(' ');
  AppendEscapedHelp(family.help(), out);
  out->append("\n# TYPE ");
  out->append(family.name());
  switch (family.type()) {
    case MetricType::kCounter: out->append(" counter\n"); break;
    case MetricType::kGauge: out->append(" gauge\n"); break;
    case MetricType::kHistogram: out->append(" histogram\n"); break;
  }
}

void AppendSeries(const std::string& name, const std::vector<std::string>& label_names,
                  std::span<const std::string> label_values, const Counter& c, std::string* out) {
  AppendName(name, "", label_names, label_values, "", "", out);
  AppendLine(c.value(), out);
}

void AppendSeries(const std::string& name, const std::vector<std::string>& label_names,
                  std::span<const std::string> label_values, const Gauge& g, std::string* out) {
  AppendName(name, "", label_names, label_values, "", "", out);
  AppendLine(g.value(), out);
}

void AppendSeries(const std::string& name, const std::vector<std::string>& label_names,
                  std::span<const std::string> label_values, const Histogram& h, std::string* out) {
  const Histogram::Snapshot s = h.Read();
  const std::span<const double> bounds = h.bounds();
  for (size_t i = 0; i <= bounds.size(); ++i) {
    std::string le;
    if (i < bounds.size()) {
      AppendSampleValue(bounds[i], &le);
    } else {
      le = "+Inf";
    }
    AppendName(name, "_bucket", label_names, label_values, "le", le, out);
    AppendLine(static_cast<double>(s.cumulative[i]), out);
  }
  AppendName(name, "_sum", label_names, label_values, "", "", out);
  AppendLine(s.sum, out);
  AppendName(name, "_count", label_names, label_values, "", "", out);
  AppendLine(static_cast<double>(s.cumulative.back()), out);
}

}  // namespace kgate::observe
