// CVSS v3.0 / v3.1 base score (FIRST CVSS v3.1 specification, section 7.1
// and Appendix A; v3.0 specification, section 8.1).
#include <cmath>

#include "deps/cvss.h"
#include "deps/cvss_vector.h"
#include "util/status_macros.h"

namespace kgate::deps {
namespace {

using cvss_internal::MetricRule;

constexpr MetricRule kV3Rules[] = {
    {"AV", "N A L P", true},   {"AC", "L H", true},       {"PR", "N L H", true},     {"UI", "N R", true},
    {"S", "U C", true},        {"C", "H L N", true},      {"I", "H L N", true},      {"A", "H L N", true},
    {"E", "X H F P U", false}, {"RL", "X U W T O", false}, {"RC", "X C R U", false}, {"CR", "X H M L", false},
    {"IR", "X H M L", false},  {"AR", "X H M L", false},  {"MAV", "X N A L P", false}, {"MAC", "X L H", false},
    {"MPR", "X N L H", false}, {"MUI", "X N R", false},   {"MS", "X U C", false},    {"MC", "X H L N", false},
    {"MI", "X H L N", false},  {"MA", "X H L N", false},
};

// v3.1 Appendix A: round up to one decimal in integer arithmetic, so that
// floating-point noise (e.g. 4.000000001) does not add 0.1.
double RoundUp31(double x) {
  const long long i = std::llround(x * 100000);
  if (i % 10000 == 0) return static_cast<double>(i) / 100000.0;
  return (std::floor(static_cast<double>(i) / 10000.0) + 1) / 10.0;
}

// v3.0 section 8.1: "the smallest number, specified to one decimal place,
// that is equal to or higher than its input".
double RoundUp30(double x) { return std::ceil(x * 10) / 10; }

double Impact(char v) { return v == 'H' ? 0.56 : v == 'L' ? 0.22 : 0.0; }

}  // namespace

absl::StatusOr<double> CvssV3BaseScore(std::string_view vector) {
  const bool v30 = vector.substr(0, 9) == "CVSS:3.0/";
  KGATE_ASSIGN_OR_RETURN(auto m, cvss_internal::ParseVector(vector, v30 ? "CVSS:3.0/" : "CVSS:3.1/", kV3Rules));
  auto get = [&](std::string_view k) { return m.find(k)->second[0]; };
  const bool changed = get("S") == 'C';
  const double av = get("AV") == 'N' ? 0.85 : get("AV") == 'A' ? 0.62 : get("AV") == 'L' ? 0.55 : 0.2;
  const double ac = get("AC") == 'L' ? 0.77 : 0.44;
  const double pr = get("PR") == 'N' ? 0.85 : get("PR") == 'L' ? (changed ? 0.68 : 0.62) : (changed ? 0.5 : 0.27);
  const double ui = get("UI") == 'N' ? 0.85 : 0.62;
  const double iss = 1 - ((1 - Impact(get("C"))) * (1 - Impact(get("I"))) * (1 - Impact(get("A"))));
  const double impact = changed ? 7.52 * (iss - 0.029) - 3.25 * std::pow(iss - 0.02, 15) : 6.42 * iss;
  const double exploitability = 8.22 * av * ac * pr * ui;
  if (impact <= 0) return 0.0;
  const double raw = changed ? std::min(1.08 * (impact + exploitability), 10.0) : std::min(impact + exploitability, 10.0);
  return v30 ? RoundUp30(raw) : RoundUp31(raw);
}

}  // namespace kgate::deps
