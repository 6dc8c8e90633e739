// File: registry.h
// Owns a process's metric families and renders them as one Prometheus text
// exposition page (format 0.0.4). Families are created once at startup,
// named by Prometheus rules (letters, digits, '_' and ':'; label names
// without a leading "__"; "le" is reserved for histograms), never twice, and
// live as long as the registry, so the references handed out stay valid.
// Besides the families it was given, every page carries
// kgate_metric_series_overflow_total{metric=...}: how many observations each
// labelled family folded into its overflow series (metrics.h).
// Thread-safe: families may be added while other threads scrape or count.
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "observe/metrics.h"

namespace kgate::observe {

class Registry {
 public:
  absl::StatusOr<CounterFamily*> AddCounter(std::string name, std::string help,
                                            std::vector<std::string> label_names,
                                            size_t max_series = kDefaultMaxSeries);
  absl::StatusOr<GaugeFamily*> AddGauge(std::string name, std::string help, std::vector<std::string> label_names,
                                        size_t max_series = kDefaultMaxSeries);
  // `bounds`: bucket upper bounds, finite and strictly increasing.
  absl::StatusOr<HistogramFamily*> AddHistogram(std::string name, std::string help,
                                                std::vector<std::string> label_names, std::vector<double> bounds,
                                                size_t max_series = kDefaultMaxSeries);

  // The whole page, families in name order.
  std::string Expose() const;

 private:
  absl::Status CheckNew(const std::string& name, const std::vector<std::string>& label_names,
                        size_t max_series) const;
  // Checks the name and labels, then adds the family (the lock held).
  template <typename Series>
  absl::StatusOr<Family<Series>*> Add(std::string name, std::string help, MetricType type,
                                      std::vector<std::string> label_names, size_t max_series,
                                      typename Family<Series>::Factory make);

  mutable std::mutex mu_;
  std::vector<std::unique_ptr<MetricFamily>> families_;
};

// Bucket bounds `start, start*factor, ...` (count of them), for latencies and sizes.
std::vector<double> ExponentialBuckets(double start, double factor, int count);

}  // namespace kgate::observe
