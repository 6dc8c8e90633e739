// File: outdated.h
// `kgate outdated`: each package's version against the latest release an
// index knows. Every row says plainly what is known: "outdated" (a newer
// release exists), "current", "newer" (installed is above the index's
// latest: a stale snapshot or a private build), or "unknown" with the reason
// (not in the index, no network, a version that is not PEP 440).
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "deps/inventory.h"
#include "deps/package_index.h"

namespace kgate::deps {

enum class Freshness { kCurrent, kOutdated, kNewer, kUnknown };

struct OutdatedRow {
  std::string package;
  std::string version;
  std::string source;
  Freshness state = Freshness::kUnknown;
  std::string latest;
  std::string note;  // why unknown
};

struct OutdatedReport {
  std::string index_source;
  std::string index_snapshot;
  std::vector<OutdatedRow> rows;
  std::vector<NotAudited> not_checked;
};

// Looks up each package with `lookup` (an offline index, or a fetch that
// may fail); a failed lookup becomes an "unknown" row with its reason.
using ReleaseLookup = std::function<absl::StatusOr<ReleaseList>(const std::string& normalized)>;
OutdatedReport CheckOutdated(const Inventory& inventory, const ReleaseLookup& lookup);

std::string RenderOutdatedTable(const OutdatedReport& report);
std::string RenderOutdatedJson(const OutdatedReport& report);

}  // namespace kgate::deps
