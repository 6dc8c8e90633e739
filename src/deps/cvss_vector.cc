#include "deps/cvss_vector.h"

#include "util/strings.h"

namespace kgate::deps::cvss_internal {
namespace {

bool ValueAllowed(std::string_view values, std::string_view v) {
  size_t pos = 0;
  while (pos <= values.size()) {
    size_t sp = values.find(' ', pos);
    std::string_view item = values.substr(pos, sp == std::string_view::npos ? std::string_view::npos : sp - pos);
    if (item == v) return true;
    if (sp == std::string_view::npos) break;
    pos = sp + 1;
  }
  return false;
}

}  // namespace

absl::StatusOr<std::map<std::string, std::string, std::less<>>> ParseVector(
    std::string_view vector, std::string_view prefix, std::span<const MetricRule> rules) {
  auto fail = [&](std::string_view what) {
    return absl::InvalidArgumentError(util::StrCat("CVSS vector '", vector.substr(0, 200), "': ", what));
  };
  if (vector.size() > 512) return fail("longer than 512 bytes");
  if (vector.substr(0, prefix.size()) != prefix) return fail(util::StrCat("expected it to start with '", prefix, "'"));
  std::map<std::string, std::string, std::less<>> metrics;
  std::string_view rest = vector.substr(prefix.size());
  while (!rest.empty()) {
    size_t slash = rest.find('/');
    std::string_view part = rest.substr(0, slash);
    rest = slash == std::string_view::npos ? std::string_view() : rest.substr(slash + 1);
    if (slash != std::string_view::npos && rest.empty()) return fail("trailing '/'");
    size_t colon = part.find(':');
    if (colon == std::string_view::npos) return fail(util::StrCat("'", part, "' is not METRIC:VALUE"));
    std::string_view name = part.substr(0, colon);
    std::string_view value = part.substr(colon + 1);
    const MetricRule* rule = nullptr;
    for (const MetricRule& r : rules) {
      if (r.name == name) rule = &r;
    }
    if (rule == nullptr) return fail(util::StrCat("unknown metric '", name, "'"));
    if (!ValueAllowed(rule->values, value)) {
      return fail(util::StrCat("'", name, ":", value, "': the value must be one of ", rule->values));
    }
    if (!metrics.emplace(std::string(name), std::string(value)).second) {
      return fail(util::StrCat("metric '", name, "' appears twice"));
    }
  }
  for (const MetricRule& r : rules) {
    if (r.required && metrics.find(r.name) == metrics.end()) {
      return fail(util::StrCat("missing base metric '", r.name, "'"));
    }
  }
  return metrics;
}

}  // namespace kgate::deps::cvss_internal
