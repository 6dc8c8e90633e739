// File: exposition.h
// The pieces of the Prometheus text exposition format 0.0.4 (what a
// /metrics endpoint serves and every Prometheus since 0.4 scrapes): HELP
// text and label values escaped as the format requires, sample values in
// Go's float syntax (+Inf, -Inf, NaN, shortest round-trip otherwise), and a
// series' sample lines. Registry::Expose assembles these into a page.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "observe/metrics.h"

namespace kgate::observe {

// The Content-Type of a text exposition page.
inline constexpr char kExpositionContentType[] = "text/plain; version=0.0.4; charset=utf-8";

// HELP text: backslash and line feed escaped (\\ and \n).
void AppendEscapedHelp(std::string_view help, std::string* out);
// A label value: backslash, double quote and line feed escaped.
void AppendEscapedLabelValue(std::string_view value, std::string* out);
// A sample value or a bucket bound.
void AppendSampleValue(double v, std::string* out);

// "# HELP name text\n# TYPE name counter|gauge|histogram\n".
void AppendFamilyHeader(const MetricFamily& family, std::string* out);

}  // namespace kgate::observe
