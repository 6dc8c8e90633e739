#include "util/rules.h"

#include <algorithm>
#include <array>

#include "absl/strings/cord.h"
#include "util/strings.h"

namespace kgate::util {
namespace {

using S = Severity;

// Keep sorted by id; docs/scan-rules.md mirrors this table.
constexpr std::array kRules = {
    RuleInfo{"KG-F001", S::kHigh, "not a Keras model file (neither a ZIP .keras archive nor an HDF5 .h5 file)", "format confusion"},
    RuleInfo{"KG-F002", S::kHigh, "file cannot be read or exceeds the size cap", "resource exhaustion"},
    RuleInfo{"KG-F003", S::kMedium, "archive member that Keras never reads", "payload smuggling, CVE-2026-11816"},
    RuleInfo{"KG-F004", S::kHigh, "required member or attribute missing", "malformed model"},
    RuleInfo{"KG-H001", S::kHigh, "malformed HDF5 structure", "parser confusion, memory corruption in libhdf5"},
    RuleInfo{"KG-H002", S::kCritical, "HDF5 external link", "CVE-2026-9335, CVE-2026-1669"},
    RuleInfo{"KG-H003", S::kCritical, "HDF5 soft or user-defined link", "CVE-2026-9335"},
    RuleInfo{"KG-H004", S::kCritical, "HDF5 external storage (EFL) reads another file", "CVE-2026-1669"},
    RuleInfo{"KG-H005", S::kCritical, "HDF5 virtual dataset maps another file", "CVE-2026-12480"},
    RuleInfo{"KG-H006", S::kHigh, "HDF5 feature outside the supported subset", "fail closed"},
    RuleInfo{"KG-H007", S::kHigh, "HDF5 dataset declared size disagrees with stored data or exceeds the cap", "CVE-2026-0897, CVE-2026-12570"},
    RuleInfo{"KG-H008", S::kMedium, "bytes before the HDF5 superblock (user block, polyglot)", "polyglot files"},
    RuleInfo{"KG-I001", S::kInfo, "training state present and ignored", "none"},
    RuleInfo{"KG-J001", S::kHigh, "malformed JSON", "parser differentials"},
    RuleInfo{"KG-J002", S::kCritical, "duplicate JSON object key", "parser differentials (last key wins in Python)"},
    RuleInfo{"KG-J003", S::kHigh, "NaN or Infinity literal in JSON", "parser differentials"},
    RuleInfo{"KG-J004", S::kHigh, "JSON exceeds a depth, size, string or element cap", "RecursionError / memory exhaustion"},
    RuleInfo{"KG-K001", S::kCritical, "Lambda layer or marshalled Python bytecode", "CVE-2024-3660, CVE-2025-9905, CVE-2026-12481"},
    RuleInfo{"KG-K002", S::kCritical, "object from a module outside Keras", "CVE-2025-1550"},
    RuleInfo{"KG-K003", S::kHigh, "custom (registered) object that kgate cannot know", "unsafe custom layers"},
    RuleInfo{"KG-K004", S::kCritical, "TFSMLayer loads an external TensorFlow SavedModel", "CVE-2026-1462"},
    RuleInfo{"KG-K005", S::kCritical, "TorchModuleWrapper carries a pickled torch module", "CVE-2025-49655, CVE-2026-12484"},
    RuleInfo{"KG-K006", S::kCritical, "lookup/vectorization layer with a file-path vocabulary or callable", "CVE-2025-12058"},
    RuleInfo{"KG-K007", S::kHigh, "class not on kgate's allowlist", "fail closed"},
    RuleInfo{"KG-K008", S::kCritical, "reference to a Python function (loading/gadget API)", "CVE-2025-8747, CVE-2025-9906"},
    RuleInfo{"KG-K009", S::kHigh, "invalid functional graph (cycle, dangling or malformed reference)", "Keras < 3.14.1 load hang"},
    RuleInfo{"KG-K010", S::kHigh, "config field with a wrong type or an out-of-range value", "shape bombs, from_config gadgets"},
    RuleInfo{"KG-K011", S::kHigh, "layer or model name with path or control characters", "CVE-2026-12479"},
    RuleInfo{"KG-W001", S::kHigh, "weight missing, extra, or variable count mismatch", "model substitution"},
    RuleInfo{"KG-W002", S::kHigh, "weight shape disagrees with the layer config", "shape confusion"},
    RuleInfo{"KG-W003", S::kHigh, "non-finite weight (NaN or Inf)", "silent bad outputs"},
    RuleInfo{"KG-W004", S::kMedium, "weight dtype not supported", "fail closed"},
    RuleInfo{"KG-Z001", S::kHigh, "malformed ZIP structure", "parser differentials"},
    RuleInfo{"KG-Z002", S::kCritical, "local header disagrees with the central directory", "parser differentials, signature bypass"},
    RuleInfo{"KG-Z003", S::kCritical, "data hidden before, between or overlapping ZIP entries", "polyglots, signature bypass"},
    RuleInfo{"KG-Z004", S::kCritical, "unsafe member name (.., absolute, backslash, control characters)", "CVE-2026-11816, CVE-2026-12479"},
    RuleInfo{"KG-Z005", S::kCritical, "duplicate member name (also after case folding and ./ normalisation)", "parser differentials"},
    RuleInfo{"KG-Z006", S::kCritical, "symlink or other non-regular member", "CVE-2026-12482"},
    RuleInfo{"KG-Z007", S::kHigh, "unsupported ZIP feature (encryption, method, zip64, multi-disk)", "fail closed"},
    RuleInfo{"KG-Z008", S::kHigh, "CRC-32 mismatch", "tampering, corruption"},
    RuleInfo{"KG-Z009", S::kHigh, "decompression bomb (size, ratio or count cap)", "zip bombs"},
};

constexpr char kRulePayloadUrl[] = "kgate.dev/rule";

}  // namespace

std::string_view SeverityName(Severity s) {
  switch (s) {
    case Severity::kInfo: return "info";
    case Severity::kLow: return "low";
    case Severity::kMedium: return "medium";
    case Severity::kHigh: return "high";
    case Severity::kCritical: return "critical";
  }
  return "unknown";
}

std::span<const RuleInfo> AllRules() { return kRules; }

const RuleInfo* FindRule(std::string_view id) {
  auto it = std::lower_bound(kRules.begin(), kRules.end(), id,
                             [](const RuleInfo& r, std::string_view v) { return r.id < v; });
  return it != kRules.end() && it->id == id ? &*it : nullptr;
}

absl::Status WithRule(absl::Status status, std::string_view rule) {
  if (!status.ok()) status.SetPayload(kRulePayloadUrl, absl::Cord(std::string(rule)));
  return status;
}

absl::Status RuleError(std::string_view rule, std::string_view message) {
  return WithRule(absl::InvalidArgumentError(std::string(message)), rule);
}

absl::Status RuleLimitError(std::string_view rule, std::string_view message) {
  return WithRule(absl::ResourceExhaustedError(std::string(message)), rule);
}

std::optional<std::string> RuleOf(const absl::Status& status) {
  auto payload = status.GetPayload(kRulePayloadUrl);
  if (!payload) return std::nullopt;
  return std::string(*payload);
}

absl::Status Annotate(const absl::Status& status, std::string_view context) {
  if (status.ok()) return status;
  absl::Status out(status.code(), StrCat(context, ToStd(status.message())));
  status.ForEachPayload([&](absl::string_view url, const absl::Cord& p) { out.SetPayload(url, p); });
  return out;
}

}  // namespace kgate::util
