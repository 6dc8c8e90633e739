// File: metrics.h
// Counters, gauges and histograms for the request path, in families with
// fixed label names. A series is found by its label values under a shared
// (reader) lock and then updated with atomics only, so concurrent requests
// never wait on each other to count; callers that know their labels ahead can
// keep the returned reference and skip the lookup. Memory is bounded whatever
// the labels: each family holds at most `max_series` label combinations, and
// every observation beyond that (or with a value that is not short printable
// ASCII) is folded into one overflow series whose label values are all
// "_overflow" and counted (MetricFamily::overflowed), never dropped.
// Families are created through observe::Registry (registry.h), which owns
// them and renders the Prometheus text format.
#pragma once

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <map>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace kgate::observe {

enum class MetricType { kCounter, kGauge, kHistogram };

// The label value every label of the overflow series carries.
inline constexpr std::string_view kOverflowLabelValue = "_overflow";
// Label values longer than this fold into the overflow series.
inline constexpr size_t kMaxLabelValueBytes = 128;
inline constexpr size_t kDefaultMaxSeries = 1000;

// A monotonically increasing total; negative increments are ignored.
class Counter {
 public:
  void Increment(double by = 1.0) {
    if (by > 0) value_.fetch_add(by, std::memory_order_relaxed);
  }
  double value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> value_{0.0};
};

// A value that goes up and down.
class Gauge {
 public:
  void Set(double v) { value_.store(v, std::memory_order_relaxed); }
  void Add(double by) { value_.fetch_add(by, std::memory_order_relaxed); }
  double value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> value_{0.0};
};

// Observations counted into fixed buckets (upper bounds, strictly
// increasing, finite; the +Inf bucket is implicit). Bucket counts are kept
// per bucket and made cumulative when read, so _count always equals the +Inf
// bucket even while observations arrive during a scrape.
class Histogram {
 public:
  explicit Histogram(std::span<const double> bounds);

  void Observe(double v);

  struct Snapshot {
    std::vector<uint64_t> cumulative;  // one per bound, then +Inf
    double sum = 0;
  };
  Snapshot Read() const;
  std::span<const double> bounds() const { return bounds_; }

 private:
  std::span<const double> bounds_;  // owned by the family
  std::unique_ptr<std::atomic<uint64_t>[]> counts_;  // bounds_.size() + 1
  std::atomic<double> sum_{0.0};
};

// What the exposition needs from every family, whatever its series type.
class MetricFamily {
 public:
  MetricFamily(std::string name, std::string help, MetricType type, std::vector<std::string> label_names,
               size_t max_series)
      : name_(std::move(name)), help_(std::move(help)), type_(type), label_names_(std::move(label_names)),
        max_series_(max_series) {}
  virtual ~MetricFamily() = default;
  MetricFamily(const MetricFamily&) = delete;
  MetricFamily& operator=(const MetricFamily&) = delete;

  const std::string& name() const { return name_; }
  const std::string& help() const { return help_; }
  MetricType type() const { return type_; }
  const std::vector<std::string>& label_names() const { return label_names_; }
  size_t max_series() const { return max_series_; }
  // Observations that went to the overflow series.
  uint64_t overflowed() const { return overflowed_.load(std::memory_order_relaxed); }

  // Appends every series' sample lines (no HELP/TYPE) in label order.
  virtual void AppendSamples(std::string* out) const = 0;

 protected:
  // True when `values` may name a series of its own: the right count, each
  // short printable ASCII.
  bool AcceptableLabels(std::span<const std::string_view> values) const;
  void CountOverflow() { overflowed_.fetch_add(1, std::memory_order_relaxed); }

 private:
  std::string name_;
  std::string help_;
  MetricType type_;
  std::vector<std::string> label_names_;
  size_t max_series_;
  std::atomic<uint64_t> overflowed_{0};
};

// Orders stored label values and looked-up string_views alike, so a lookup
// allocates nothing.
struct LabelValuesLess {
  using is_transparent = void;
  template <typename A, typename B>
  bool operator()(const A& a, const B& b) const {
    return std::lexicographical_compare(a.begin(), a.end(), b.begin(), b.end(),
                                        [](std::string_view x, std::string_view y) { return x < y; });
  }
};

// Appends one series' sample lines; defined in exposition.cc for each type.
void AppendSeries(const std::string& name, const std::vector<std::string>& label_names,
                  std::span<const std::string> label_values, const Counter& c, std::string* out);
void AppendSeries(const std::string& name, const std::vector<std::string>& label_names,
                  std::span<const std::string> label_values, const Gauge& g, std::string* out);
void AppendSeries(const std::string& name, const std::vector<std::string>& label_names,
                  std::span<const std::string> label_values, const Histogram& h, std::string* out);

template <typename Series>
class Family final : public MetricFamily {
 public:
  using Factory = std::function<std::unique_ptr<Series>()>;
  Family(std::string name, std::string help, MetricType type, std::vector<std::string> label_names,
         size_t max_series, Factory make)
      : MetricFamily(std::move(name), std::move(help), type, std::move(label_names), max_series),
        make_(std::move(make)),
        overflow_(make_()),
        overflow_labels_(this->label_names().size(), std::string(kOverflowLabelValue)) {}

  // The series for `values` (in label-name order), created on first use.
  // The reference stays valid as long as the family (the registry) lives.
  Series& With(std::initializer_list<std::string_view> values) {
    return With(std::span<const std::string_view>(values.begin(), values.size()));
  }
  Series& With(std::span<const std::string_view> values) {
    if (!AcceptableLabels(values)) {
      CountOverflow();
      return *overflow_;
    }
    {
      std::shared_lock<std::shared_mutex> read(mu_);
      auto it = series_.find(values);
      if (it != series_.end()) return *it->second;
    }
    std::unique_lock<std::shared_mutex> write(mu_);
    auto it = series_.find(values);
    if (it != series_.end()) return *it->second;
    if (series_.size() >= max_series()) {
      CountOverflow();
      return *overflow_;
    }
    std::vector<std::string> key(values.begin(), values.end());
    return *series_.emplace(std::move(key), make_()).first->second;
  }

  size_t series_count() const {
    std::shared_lock<std::shared_mutex> read(mu_);
    return series_.size();
  }

  void AppendSamples(std::string* out) const override {
    std::shared_lock<std::shared_mutex> read(mu_);
    for (const auto& [values, series] : series_) AppendSeries(name(), label_names(), values, *series, out);
    if (overflowed() > 0) AppendSeries(name(), label_names(), overflow_labels_, *overflow_, out);
  }

 private:
  Factory make_;
  std::unique_ptr<Series> overflow_;
  std::vector<std::string> overflow_labels_;
  mutable std::shared_mutex mu_;
  std::map<std::vector<std::string>, std::unique_ptr<Series>, LabelValuesLess> series_;
};

using CounterFamily = Family<Counter>;
using GaugeFamily = Family<Gauge>;
using HistogramFamily = Family<Histogram>;

}  // namespace kgate::observe
