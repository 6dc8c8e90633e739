#include "util/finding.h"

#include <utility>

#include "util/strings.h"

namespace kgate::util {

void FindingList::Add(std::string_view rule, std::string message, std::string location) {
  const RuleInfo* info = FindRule(rule);
  Add(Finding{std::string(rule), info ? info->severity : Severity::kHigh, std::move(message),
              std::move(location)});
}

void FindingList::Add(Finding f) {
  if (findings_.size() >= kMaxFindings) {
    ++dropped_;
    return;
  }
  findings_.push_back(std::move(f));
}

void FindingList::AddStatus(const absl::Status& status, std::string_view fallback_rule,
                            std::string location) {
  if (status.ok()) return;
  std::optional<std::string> rule = RuleOf(status);
  Add(rule ? *rule : std::string(fallback_rule), std::string(ToStd(status.message())), std::move(location));
}

bool FindingList::Rejects() const {
  if (dropped_ > 0) return true;
  for (const Finding& f : findings_) {
    if (f.severity >= kRejectAtOrAbove) return true;
  }
  return false;
}

}  // namespace kgate::util
