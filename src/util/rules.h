// File: rules.h
// The catalogue of kgate's security rules. Every refusal that kgate makes
// about a model file carries one rule id from this table, so `kgate scan`,
// `kgate inspect` and the server name the same rule for the same defect.
// docs/scan-rules.md documents each id with the CVE or attack it stops; the
// table here is the single source for ids, default severities and titles.
//
// io readers attach a rule to the absl::Status they return (RuleError);
// higher layers turn such statuses into findings without re-classifying them.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "absl/status/status.h"

namespace kgate::util {

enum class Severity { kInfo = 0, kLow = 1, kMedium = 2, kHigh = 3, kCritical = 4 };

std::string_view SeverityName(Severity s);  // "info" ... "critical"

struct RuleInfo {
  std::string_view id;          // "KG-Z004"
  Severity severity;            // default severity of a finding under this rule
  std::string_view title;       // one line, for reports
  std::string_view references;  // CVEs / attack names, comma separated
};

// All rules, in id order.
std::span<const RuleInfo> AllRules();
// nullptr when `id` is not in the catalogue.
const RuleInfo* FindRule(std::string_view id);

namespace rules {
// Files.
inline constexpr std::string_view kUnknownFormat = "KG-F001";      // neither ZIP (.keras) nor HDF5 (.h5)
inline constexpr std::string_view kFileUnreadable = "KG-F002";     // I/O error, too large
inline constexpr std::string_view kUnexpectedMember = "KG-F003";   // archive member Keras never reads
inline constexpr std::string_view kMissingMember = "KG-F004";      // config.json / model.weights.h5 absent
// ZIP.
inline constexpr std::string_view kZipMalformed = "KG-Z001";
inline constexpr std::string_view kZipHeaderMismatch = "KG-Z002";  // local header disagrees with central directory
inline constexpr std::string_view kZipHiddenData = "KG-Z003";      // prepended / gap / overlapping data
inline constexpr std::string_view kZipUnsafeName = "KG-Z004";      // .., absolute, backslash, control chars
inline constexpr std::string_view kZipDuplicateName = "KG-Z005";
inline constexpr std::string_view kZipSymlink = "KG-Z006";         // symlink / non-regular entry
inline constexpr std::string_view kZipUnsupported = "KG-Z007";     // encryption, method, zip64, multi-disk
inline constexpr std::string_view kZipCrcMismatch = "KG-Z008";
inline constexpr std::string_view kZipBomb = "KG-Z009";            // size, ratio, count caps
// JSON.
inline constexpr std::string_view kJsonMalformed = "KG-J001";
inline constexpr std::string_view kJsonDuplicateKey = "KG-J002";
inline constexpr std::string_view kJsonNonFinite = "KG-J003";
inline constexpr std::string_view kJsonLimit = "KG-J004";           // depth, size, string, element caps
// HDF5.
inline constexpr std::string_view kHdf5Malformed = "KG-H001";
inline constexpr std::string_view kHdf5ExternalLink = "KG-H002";
inline constexpr std::string_view kHdf5SoftLink = "KG-H003";        // soft and user-defined links
inline constexpr std::string_view kHdf5ExternalStorage = "KG-H004";
inline constexpr std::string_view kHdf5VirtualDataset = "KG-H005";
inline constexpr std::string_view kHdf5Unsupported = "KG-H006";     // unknown filter, datatype, message
inline constexpr std::string_view kHdf5ShapeBomb = "KG-H007";       // declared size != stored, or over cap
inline constexpr std::string_view kHdf5UserBlock = "KG-H008";       // bytes before the superblock
// Keras config.
inline constexpr std::string_view kLambda = "KG-K001";
inline constexpr std::string_view kForeignModule = "KG-K002";
inline constexpr std::string_view kCustomObject = "KG-K003";
inline constexpr std::string_view kTfsmLayer = "KG-K004";
inline constexpr std::string_view kTorchModule = "KG-K005";
inline constexpr std::string_view kVocabularyPath = "KG-K006";      // string vocabulary / callable in lookup layers
inline constexpr std::string_view kUnknownClass = "KG-K007";
inline constexpr std::string_view kFunctionReference = "KG-K008";   // {"class_name": "function", ...} gadgets
inline constexpr std::string_view kGraphInvalid = "KG-K009";        // cycle, dangling reference
inline constexpr std::string_view kConfigInvalid = "KG-K010";       // wrong type / value in a config field
inline constexpr std::string_view kUnsafeName = "KG-K011";          // layer/model name with path characters
// Weights.
inline constexpr std::string_view kWeightMissing = "KG-W001";       // variable count mismatch, missing/extra
inline constexpr std::string_view kWeightShape = "KG-W002";
inline constexpr std::string_view kWeightNonFinite = "KG-W003";
inline constexpr std::string_view kWeightDtype = "KG-W004";
// Informational.
inline constexpr std::string_view kIgnoredTrainingState = "KG-I001";  // compile/training config, optimizer
}  // namespace rules

// An error status for `message`, tagged with `rule`. Caps that were hit use
// RESOURCE_EXHAUSTED; everything else INVALID_ARGUMENT.
absl::Status RuleError(std::string_view rule, std::string_view message);
absl::Status RuleLimitError(std::string_view rule, std::string_view message);
// `status` with `rule` attached (replacing any rule it had). OK stays OK.
absl::Status WithRule(absl::Status status, std::string_view rule);
// The rule attached to `status`, if any.
std::optional<std::string> RuleOf(const absl::Status& status);
// Prefixes the message of a non-OK status with `context` ("config.json: "),
// keeping its code and rule.
absl::Status Annotate(const absl::Status& status, std::string_view context);

}  // namespace kgate::util
