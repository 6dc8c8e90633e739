#include "observe/metrics.h"

#include <cmath>

namespace kgate::observe {

Histogram::Histogram(std::span<const double> bounds)
    : bounds_(bounds), counts_(std::make_unique<std::atomic<uint64_t>[]>(bounds.size() + 1)) {}

void Histogram::Observe(double v) {
  if (std::isnan(v)) return;  // it would poison the sum for good
  // A handful of bounds: a linear scan beats a binary search's branches.
  size_t i = 0;
  while (i < bounds_.size() && v > bounds_[i]) ++i;
  counts_[i].fetch_add(1, std::memory_order_relaxed);
  sum_.fetch_add(v, std::memory_order_relaxed);
}

Histogram::Snapshot Histogram::Read() const {
  Snapshot s;
  s.cumulative.resize(bounds_.size() + 1);
  uint64_t total = 0;
  for (size_t i = 0; i <= bounds_.size(); ++i) {
    total += counts_[i].load(std::memory_order_relaxed);
    s.cumulative[i] = total;
  }
  s.sum = sum_.load(std::memory_order_relaxed);
  return s;
}

bool MetricFamily::AcceptableLabels(std::span<const std::string_view> values) const {
  if (values.size() != label_names_.size()) return false;
  for (std::string_view v : values) {
    if (v.size() > kMaxLabelValueBytes) return false;
    for (char c : v) {
      if (c < 0x20 || c > 0x7e) return false;
    }
  }
  return true;
}

}  // namespace kgate::observe
