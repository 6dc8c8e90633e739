// The metrics registry and its text exposition: exact pages for small
// registries (escaping, histogram buckets), the label cap and its overflow
// series, name validation, and exact totals under concurrent increments.
#include <cmath>
#include <limits>
#include <string>
#include <thread>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "observe/exposition.h"
#include "observe/registry.h"
#include "util/strings.h"

namespace kgate::observe {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

TEST(MetricsTest, CounterAndGaugePageWithEscaping) {
  Registry r;
  CounterFamily* c = *r.AddCounter("kgate_things_total", "Things seen.\nSecond line with a \\ backslash.", {"kind"});
  GaugeFamily* g = *r.AddGauge("kgate_level", "A level.", {});
  c->With({"a\"b\\c"}).Increment();
  c->With({"plain"}).Increment(2.5);
  c->With({"plain"}).Increment(-7);  // counters never go down
  g->With({}).Set(-3);
  g->With({}).Add(0.5);
  EXPECT_EQ(r.Expose(),
            "# HELP kgate_level A level.\n"
            "# TYPE kgate_level gauge\n"
            "kgate_level -2.5\n"
            "# HELP kgate_things_total Things seen.\\nSecond line with a \\\\ backslash.\n"
            "# TYPE kgate_things_total counter\n"
            "kgate_things_total{kind=\"a\\\"b\\\\c\"} 1\n"
            "kgate_things_total{kind=\"plain\"} 2.5\n"
            "# HELP kgate_metric_series_overflow_total Observations folded into a family's overflow series "
            "(label cap or unacceptable label value).\n"
            "# TYPE kgate_metric_series_overflow_total counter\n"
            "kgate_metric_series_overflow_total{metric=\"kgate_things_total\"} 0\n");
}

TEST(MetricsTest, HistogramBucketsAreCumulativeWithInclusiveUpperBounds) {
  Registry r;
  HistogramFamily* h = *r.AddHistogram("kgate_latency_seconds", "Latency.", {"route"}, {0.1, 1, 10});
  Histogram& s = h->With({"x"});
  for (double v : {0.05, 0.1, 0.5, 1.0, 2.0, 100.0}) s.Observe(v);
  s.Observe(std::nan(""));  // ignored
  const std::string page = r.Expose();
  EXPECT_THAT(page, HasSubstr("# TYPE kgate_latency_seconds histogram\n"
                              "kgate_latency_seconds_bucket{route=\"x\",le=\"0.1\"} 2\n"
                              "kgate_latency_seconds_bucket{route=\"x\",le=\"1\"} 4\n"
                              "kgate_latency_seconds_bucket{route=\"x\",le=\"10\"} 5\n"
                              "kgate_latency_seconds_bucket{route=\"x\",le=\"+Inf\"} 6\n"
                              "kgate_latency_seconds_sum{route=\"x\"} 103.65\n"
                              "kgate_latency_seconds_count{route=\"x\"} 6\n"));
}

TEST(MetricsTest, UnlabelledHistogramHasOnlyTheLeLabel) {
  Registry r;
  HistogramFamily* h = *r.AddHistogram("kgate_size_bytes", "Sizes.", {}, ExponentialBuckets(256, 4, 2));
  h->With({}).Observe(300);
  EXPECT_THAT(r.Expose(), HasSubstr("kgate_size_bytes_bucket{le=\"256\"} 0\n"
                                    "kgate_size_bytes_bucket{le=\"1024\"} 1\n"
                                    "kgate_size_bytes_bucket{le=\"+Inf\"} 1\n"
                                    "kgate_size_bytes_sum 300\n"
                                    "kgate_size_bytes_count 1\n"));
}

TEST(MetricsTest, LabelCapFoldsNewCombinationsIntoOneOverflowSeries) {
  Registry r;
  CounterFamily* c = *r.AddCounter("kgate_by_model_total", "By model.", {"model", "code"}, /*max_series=*/2);
  c->With({"a", "200"}).Increment();
  c->With({"b", "200"}).Increment();
  for (int i = 0; i < 1000; ++i) c->With({util::StrCat("hostile", i), "404"}).Increment();
  c->With({"a", "200"}).Increment();  // existing series still count on their own
  EXPECT_EQ(c->series_count(), 2u);
  EXPECT_EQ(c->overflowed(), 1000u);
  const std::string page = r.Expose();
  EXPECT_THAT(page, HasSubstr("kgate_by_model_total{model=\"a\",code=\"200\"} 2\n"));
  EXPECT_THAT(page, HasSubstr("kgate_by_model_total{model=\"_overflow\",code=\"_overflow\"} 1000\n"));
  EXPECT_THAT(page, HasSubstr("kgate_metric_series_overflow_total{metric=\"kgate_by_model_total\"} 1000\n"));
  EXPECT_THAT(page, Not(HasSubstr("hostile")));
}

TEST(MetricsTest, UnacceptableLabelValuesGoToOverflow) {
  Registry r;
  CounterFamily* c = *r.AddCounter("kgate_x_total", "X.", {"v"});
  c->With({std::string(kMaxLabelValueBytes + 1, 'a')}).Increment();
  c->With({std::string("tab\there")}).Increment();
  c->With({std::string("\xc3\xa9")}).Increment();  // non-ASCII
  c->With({"a", "extra"}).Increment();               // wrong label count
  c->With({std::string(kMaxLabelValueBytes, 'a')}).Increment();
  EXPECT_EQ(c->overflowed(), 4u);
  EXPECT_EQ(c->series_count(), 1u);
}

TEST(MetricsTest, RegistryRefusesBadNamesAndBounds) {
  Registry r;
  EXPECT_TRUE(r.AddCounter("ok_total", "", {}).ok());
  EXPECT_EQ(r.AddCounter("ok_total", "", {}).status().code(), absl::StatusCode::kAlreadyExists);
  EXPECT_FALSE(r.AddCounter("9starts_with_digit", "", {}).ok());
  EXPECT_FALSE(r.AddCounter("has-dash", "", {}).ok());
  EXPECT_FALSE(r.AddCounter("kgate_metric_series_overflow_total", "", {}).ok());
  EXPECT_FALSE(r.AddGauge("g", "", {"__reserved"}).ok());
  EXPECT_FALSE(r.AddGauge("g", "", {"le"}).ok());
  EXPECT_FALSE(r.AddGauge("g", "", {"a:b"}).ok());
  EXPECT_FALSE(r.AddGauge("g", "", {"a", "a"}).ok());
  EXPECT_FALSE(r.AddGauge("g", "", {}, 0).ok());
  EXPECT_FALSE(r.AddHistogram("h", "", {}, {}).ok());
  EXPECT_FALSE(r.AddHistogram("h", "", {}, {1, 1}).ok());
  EXPECT_FALSE(r.AddHistogram("h", "", {}, {1, std::numeric_limits<double>::infinity()}).ok());
  EXPECT_TRUE(r.AddHistogram("h", "", {}, {1, 2}).ok());
}

TEST(MetricsTest, LabelValueEscaping) {
  std::string out;
  AppendEscapedLabelValue("a\"b\\c\nd", &out);
  EXPECT_EQ(out, "a\\\"b\\\\c\\nd");
}

TEST(MetricsTest, SampleValuesUseGoFloatSyntax) {
  std::string out;
  for (double v : {1.0, 0.25, 1e21, -0.0, 0.0005, 0.00005, 1048576.0, 1e20, std::numeric_limits<double>::infinity(),
                   -std::numeric_limits<double>::infinity(), std::nan("")}) {
    AppendSampleValue(v, &out);
    out.push_back(' ');
  }
  EXPECT_EQ(out, "1 0.25 1e+21 -0 0.0005 5e-05 1048576 100000000000000000000 +Inf -Inf NaN ");
}

TEST(MetricsTest, ConcurrentIncrementsAreExact) {
  Registry r;
  CounterFamily* c = *r.AddCounter("kgate_n_total", "N.", {"t"});
  HistogramFamily* h = *r.AddHistogram("kgate_h", "H.", {"t"}, {1, 2});
  constexpr int kThreads = 8;
  constexpr int kEach = 20000;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) {
        c->With({"shared"}).Increment();
        c->With({t % 2 == 0 ? "even" : "odd"}).Increment();
        h->With({"shared"}).Observe(i % 3);
      }
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(c->With({"shared"}).value(), kThreads * kEach);
  EXPECT_EQ(c->With({"even"}).value(), kThreads / 2 * kEach);
  const Histogram::Snapshot s = h->With({"shared"}).Read();
  EXPECT_EQ(s.cumulative.back(), static_cast<uint64_t>(kThreads * kEach));
}

}  // namespace
}  // namespace kgate::observe
