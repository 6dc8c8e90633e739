// CVSS v4.0 score by the MacroVector method (CVSS v4.0 specification,
// section 8), following the reference calculator step by step, in the same
// floating-point order, so scores agree to the digit: FIRST's cvss_score.js
// (github.com/FIRSTdotorg/cvss-v4-calculator) for the algorithm, with the
// final rounding of the maintained calculator that FIRST's web page runs,
// RedHatProductSecurity/cvss-v4-calculator cvss40.js @ d1eafe0 (2024-11):
// round((x + 1e-6) * 10) / 10, so 5.65 computed as 5.6499999 still gives
// 5.7 (the older cvss_score.js gives 5.6 for e.g.
// CVSS:4.0/AV:N/AC:H/AT:P/PR:H/UI:A/VC:L/VI:H/VA:N/SC:L/SI:L/SA:L).
#include <cmath>
#include <map>
#include <string>
#include <vector>

#include "deps/cvss.h"
#include "deps/cvss_vector.h"
#include "util/status_macros.h"

namespace kgate::deps {
namespace {

#include "deps/cvss4_tables.inc"

using cvss_internal::MetricRule;
using Metrics = std::map<std::string, std::string, std::less<>>;

constexpr MetricRule kV4Rules[] = {
    {"AV", "N A L P", true},      {"AC", "L H", true},          {"AT", "N P", true},
    {"PR", "N L H", true},        {"UI", "N P A", true},        {"VC", "H L N", true},
    {"VI", "H L N", true},        {"VA", "H L N", true},        {"SC", "H L N", true},
    {"SI", "H L N", true},        {"SA", "H L N", true},        {"E", "X A P U", false},
    {"CR", "X H M L", false},     {"IR", "X H M L", false},     {"AR", "X H M L", false},
    {"MAV", "X N A L P", false},  {"MAC", "X L H", false},      {"MAT", "X N P", false},
    {"MPR", "X N L H", false},    {"MUI", "X N P A", false},    {"MVC", "X H L N", false},
    {"MVI", "X H L N", false},    {"MVA", "X H L N", false},    {"MSC", "X H L N", false},
    {"MSI", "X S H L N", false},  {"MSA", "X S H L N", false},  {"S", "X N P", false},
    {"AU", "X N Y", false},       {"R", "X A U I", false},      {"V", "X D C", false},
    {"RE", "X L M H", false},     {"U", "X Clear Green Amber Red", false},
};

// The calculator's m(): the effective value of a metric after defaults
// (E:X -> A, CR/IR/AR:X -> H) and environmental overrides (M<metric>).
std::string Effective(const Metrics& m, const std::string& metric) {
  auto get = [&](const std::string& k) -> std::string {
    auto it = m.find(k);
    return it == m.end() ? "X" : it->second;
  };
  const std::string selected = get(metric);
  if (metric == "E" && selected == "X") return "A";
  if ((metric == "CR" || metric == "IR" || metric == "AR") && selected == "X") return "H";
  const std::string modified = get("M" + metric);
  if (modified != "X") return modified;
  return selected;
}

// Severity levels inside one MacroVector (cvss_score.js *_levels).
double Level(const std::string& metric, const std::string& v) {
  if (metric == "AV") return v == "N" ? 0.0 : v == "A" ? 0.1 : v == "L" ? 0.2 : 0.3;
  if (metric == "PR") return v == "N" ? 0.0 : v == "L" ? 0.1 : 0.2;
  if (metric == "UI") return v == "N" ? 0.0 : v == "P" ? 0.1 : 0.2;
  if (metric == "AC") return v == "L" ? 0.0 : 0.1;
  if (metric == "AT") return v == "N" ? 0.0 : 0.1;
  if (metric == "VC" || metric == "VI" || metric == "VA") return v == "H" ? 0.0 : v == "L" ? 0.1 : 0.2;
  if (metric == "SC") return v == "H" ? 0.1 : v == "L" ? 0.2 : 0.3;
  if (metric == "SI" || metric == "SA") return v == "S" ? 0.0 : v == "H" ? 0.1 : v == "L" ? 0.2 : 0.3;
  return v == "H" ? 0.0 : v == "M" ? 0.1 : 0.2;  // CR, IR, AR
}

struct Eqs {
  int eq[6];
};

Eqs MacroVector(const Metrics& m) {
  auto e = [&](const char* k) { return Effective(m, k); };
  Eqs q{};
  const bool av_n = e("AV") == "N", pr_n = e("PR") == "N", ui_n = e("UI") == "N";
  if (av_n && pr_n && ui_n) {
    q.eq[0] = 0;
  } else if ((av_n || pr_n || ui_n) && e("AV") != "P") {
    q.eq[0] = 1;
  } else {
    q.eq[0] = 2;
  }
  q.eq[1] = (e("AC") == "L" && e("AT") == "N") ? 0 : 1;
  const bool vc_h = e("VC") == "H", vi_h = e("VI") == "H", va_h = e("VA") == "H";
  q.eq[2] = (vc_h && vi_h) ? 0 : (vc_h || vi_h || va_h) ? 1 : 2;
  if (e("MSI") == "S" || e("MSA") == "S") {
    q.eq[3] = 0;
  } else if (e("SC") == "H" || e("SI") == "H" || e("SA") == "H") {
    q.eq[3] = 1;
  } else {
    q.eq[3] = 2;
  }
  q.eq[4] = e("E") == "A" ? 0 : e("E") == "P" ? 1 : 2;
  q.eq[5] = ((e("CR") == "H" && vc_h) || (e("IR") == "H" && vi_h) || (e("AR") == "H" && va_h)) ? 0 : 1;
  return q;
}

double Lookup(int e1, int e2, int e3, int e4, int e5, int e6) {
  const int d[6] = {e1, e2, e3, e4, e5, e6};
  int idx = 0;
  for (int x : d) {
    if (x < 0 || x > 2) return NAN;
    idx = idx * 3 + x;
  }
  return kMacroVectorScore[idx] < 0 ? NAN : kMacroVectorScore[idx];
}

std::vector<std::string> HighestVectors(int eq, int level, int eq6) {
  for (const MaxVectors& mv : kMaxComposed) {
    if (mv.eq == eq && mv.level == level && mv.eq6 == eq6) {
      std::vector<std::string> out;
      for (const char* v : mv.vectors) {
        if (v != nullptr) out.emplace_back(v);
      }
      return out;
    }
  }
  return {};
}

// "AV:N/PR:N/..." -> metric -> value.
Metrics SplitMax(const std::string& s) {
  Metrics out;
  size_t pos = 0;
  while (pos < s.size()) {
    size_t slash = s.find('/', pos);
    std::string part = s.substr(pos, slash - pos);
    size_t colon = part.find(':');
    out.emplace(part.substr(0, colon), part.substr(colon + 1));
    pos = slash + 1;
  }
  return out;
}

// JavaScript's Math.round: nearest integer, ties towards +infinity.
double JsRound(double x) {
  double r = std::floor(x);
  return (x - r >= 0.5) ? r + 1 : r;
}

}  // namespace

absl::StatusOr<double> CvssV4Score(std::string_view vector) {
  KGATE_ASSIGN_OR_RETURN(Metrics m, cvss_internal::ParseVector(vector, "CVSS:4.0/", kV4Rules));
  bool no_impact = true;
  for (const char* k : {"VC", "VI", "VA", "SC", "SI", "SA"}) no_impact &= Effective(m, k) == "N";
  if (no_impact) return 0.0;

  const Eqs q = MacroVector(m);
  const int eq1 = q.eq[0], eq2 = q.eq[1], eq3 = q.eq[2], eq4 = q.eq[3], eq5 = q.eq[4], eq6 = q.eq[5];
  double value = Lookup(eq1, eq2, eq3, eq4, eq5, eq6);

  const double lower_eq1 = Lookup(eq1 + 1, eq2, eq3, eq4, eq5, eq6);
  const double lower_eq2 = Lookup(eq1, eq2 + 1, eq3, eq4, eq5, eq6);
  double lower_eq3eq6;
  if (eq3 == 1 && eq6 == 1) {
    lower_eq3eq6 = Lookup(eq1, eq2, eq3 + 1, eq4, eq5, eq6);
  } else if (eq3 == 0 && eq6 == 1) {
    lower_eq3eq6 = Lookup(eq1, eq2, eq3 + 1, eq4, eq5, eq6);
  } else if (eq3 == 1 && eq6 == 0) {
    lower_eq3eq6 = Lookup(eq1, eq2, eq3, eq4, eq5, eq6 + 1);
  } else if (eq3 == 0 && eq6 == 0) {
    const double left = Lookup(eq1, eq2, eq3, eq4, eq5, eq6 + 1);
    const double right = Lookup(eq1, eq2, eq3 + 1, eq4, eq5, eq6);
    lower_eq3eq6 = left > right ? left : right;
  } else {
    lower_eq3eq6 = Lookup(eq1, eq2, eq3 + 1, eq4, eq5, eq6 + 1);
  }
  const double lower_eq4 = Lookup(eq1, eq2, eq3, eq4 + 1, eq5, eq6);
  const double lower_eq5 = Lookup(eq1, eq2, eq3, eq4, eq5 + 1, eq6);

  // The highest-severity vectors of this MacroVector, in the calculator's order.
  std::vector<std::string> max_vectors;
  for (const std::string& a : HighestVectors(1, eq1, -1)) {
    for (const std::string& b : HighestVectors(2, eq2, -1)) {
      for (const std::string& c : HighestVectors(3, eq3, eq6)) {
        for (const std::string& d : HighestVectors(4, eq4, -1)) {
          for (const std::string& e : HighestVectors(5, eq5, -1)) max_vectors.push_back(a + b + c + d + e);
        }
      }
    }
  }
  static const char* const kDistanceMetrics[] = {"AV", "PR", "UI", "AC", "AT", "VC", "VI",
                                                 "VA", "SC", "SI", "SA", "CR", "IR", "AR"};
  std::map<std::string, double, std::less<>> dist;
  for (const std::string& max_vector : max_vectors) {
    const Metrics mx = SplitMax(max_vector);
    bool negative = false;
    for (const char* k : kDistanceMetrics) {
      const double d = Level(k, Effective(m, k)) - Level(k, mx.find(k)->second);
      dist[k] = d;
      negative |= d < 0;
    }
    if (!negative) break;  // the first max vector at or above the scored vector
  }
  const double current_eq1 = dist["AV"] + dist["PR"] + dist["UI"];
  const double current_eq2 = dist["AC"] + dist["AT"];
  const double current_eq3eq6 = dist["VC"] + dist["VI"] + dist["VA"] + dist["CR"] + dist["IR"] + dist["AR"];
  const double current_eq4 = dist["SC"] + dist["SI"] + dist["SA"];

  const double step = 0.1;
  const double available_eq1 = value - lower_eq1;
  const double available_eq2 = value - lower_eq2;
  const double available_eq3eq6 = value - lower_eq3eq6;
  const double available_eq4 = value - lower_eq4;
  const double available_eq5 = value - lower_eq5;

  const double max_eq1 = kMaxSeverityEq1[eq1] * step;
  const double max_eq2 = kMaxSeverityEq2[eq2] * step;
  const double max_eq3eq6 = kMaxSeverityEq3Eq6[eq3][eq6] * step;
  const double max_eq4 = kMaxSeverityEq4[eq4] * step;

  // For each EQ whose next lower MacroVector exists: its available distance
  // times the proportion of the distance this vector has used (EQ5: none).
  int n_existing_lower = 0;
  double sum = 0;
  auto add = [&](double available, double current, double max_severity) {
    if (std::isnan(available)) return;
    ++n_existing_lower;
    sum += available * (current / max_severity);
  };
  add(available_eq1, current_eq1, max_eq1);
  add(available_eq2, current_eq2, max_eq2);
  add(available_eq3eq6, current_eq3eq6, max_eq3eq6);
  add(available_eq4, current_eq4, max_eq4);
  add(available_eq5, 0, 1);
  const double mean = n_existing_lower == 0 ? 0 : sum / n_existing_lower;
  value -= mean;
  if (value < 0) value = 0.0;
  if (value > 10) value = 10.0;
  constexpr double kEpsilon = 1e-6;  // cvss40.js roundToDecimalPlaces
  return JsRound((value + kEpsilon) * 10) / 10;
}

}  // namespace kgate::deps
