#include "observe/registry.h"

#include <algorithm>
#include <cmath>

#include "observe/exposition.h"
#include "util/strings.h"

namespace kgate::observe {
namespace {

constexpr char kOverflowFamily[] = "kgate_metric_series_overflow_total";

bool IsMetricName(const std::string& s) {
  if (s.empty()) return false;
  for (size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    const bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':';
    if (!alpha && !(i > 0 && c >= '0' && c <= '9')) return false;
  }
  return true;
}

bool IsLabelName(const std::string& s) {
  return IsMetricName(s) && s.find(':') == std::string::npos && !s.starts_with("__");
}

}  // namespace

absl::Status Registry::CheckNew(const std::string& name, const std::vector<std::string>& label_names,
                                size_t max_series) const {
  if (!IsMetricName(name) || name == kOverflowFamily) {
    return absl::InvalidArgumentError(util::StrCat("metric name '", name, "' is not a valid, free Prometheus name"));
  }
  for (const std::string& l : label_names) {
    if (!IsLabelName(l) || l == "le") {
      return absl::InvalidArgumentError(util::StrCat("metric ", name, ": label name '", l, "' is not allowed"));
    }
    if (std::count(label_names.begin(), label_names.end(), l) > 1) {
      return absl::InvalidArgumentError(util::StrCat("metric ", name, ": label '", l, "' is given twice"));
    }
  }
  if (max_series == 0) return absl::InvalidArgumentError(util::StrCat("metric ", name, ": max_series must be >= 1"));
  for (const auto& f : families_) {
    if (f->name() == name) return absl::AlreadyExistsError(util::StrCat("metric ", name, " is already registered"));
  }
  return absl::OkStatus();
}

template <typename Series>
absl::StatusOr<Family<Series>*> Registry::Add(std::string name, std::string help, MetricType type,
                                              std::vector<std::string> label_names, size_t max_series,
                                              typename Family<Series>::Factory make) {
  std::lock_guard<std::mutex> lock(mu_);
  if (absl::Status s = CheckNew(name, label_names, max_series); !s.ok()) return s;
  auto family = std::make_unique<Family<Series>>(std::move(name), std::move(help), type, std::move(label_names),
                                                 max_series, std::move(make));
  Family<Series>* raw = family.get();
  families_.push_back(std::move(family));
  return raw;
}

absl::StatusOr<CounterFamily*> Registry::AddCounter(std::string name, std::string help,
                                                    std::vector<std::string> label_names, size_t max_series) {
  return Add<Counter>(std::move(name), std::move(help), MetricType::kCounter, std::move(label_names), max_series,
                      [] { return std::make_unique<Counter>(); });
}

absl::StatusOr<GaugeFamily*> Registry::AddGauge(std::string name, std::string help,
                                                std::vector<std::string> label_names, size_t max_series) {
  return Add<Gauge>(std::move(name), std::move(help), MetricType::kGauge, std::move(label_names), max_series,
                    [] { return std::make_unique<Gauge>(); });
}

absl::StatusOr<HistogramFamily*> Registry::AddHistogram(std::string name, std::string help,
                                                        std::vector<std::string> label_names,
                                                        std::vector<double> bounds, size_t max_series) {
  if (bounds.empty()) return absl::InvalidArgumentError(util::StrCat("histogram ", name, ": no bucket bounds"));
  for (size_t i = 0; i < bounds.size(); ++i) {
    if (!std::isfinite(bounds[i]) || (i > 0 && bounds[i] <= bounds[i - 1])) {
      return absl::InvalidArgumentError(
          util::StrCat("histogram ", name, ": bucket bounds must be finite and strictly increasing (bound ", i, ")"));
    }
  }
  // The family's factory owns the bounds every series points into.
  auto shared_bounds = std::make_shared<const std::vector<double>>(std::move(bounds));
  return Add<Histogram>(std::move(name), std::move(help), MetricType::kHistogram, std::move(label_names), max_series,
                        [shared_bounds] { return std::make_unique<Histogram>(std::span<const double>(*shared_bounds)); });
}

std::string Registry::Expose() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<const MetricFamily*> sorted;
  for (const auto& f : families_) sorted.push_back(f.get());
  std::sort(sorted.begin(), sorted.end(), [](const MetricFamily* a, const MetricFamily* b) { return a->name() < b->name(); });
  std::string out;
  for (const MetricFamily* f : sorted) {
    AppendFamilyHeader(*f, &out);
    f->AppendSamples(&out);
  }
  out.append("# HELP ").append(kOverflowFamily);
  out.append(" Observations folded into a family's overflow series (label cap or unacceptable label value).\n");
  out.append("# TYPE ").append(kOverflowFamily).append(" counter\n");
  for (const MetricFamily* f : sorted) {
    if (f->label_names().empty()) continue;
    out.append(kOverflowFamily).append("{metric=\"").append(f->name()).append("\"} ");
    AppendSampleValue(static_cast<double>(f->overflowed()), &out);
    out.push_back('\n');
  }
  return out;
}

std::vector<double> ExponentialBuckets(double start, double factor, int count) {
  std::vector<double> out;
  double v = start;
  for (int i = 0; i < count; ++i) {
    out.push_back(v);
    v *= factor;
  }
  return out;
}

}  // namespace kgate::observe
