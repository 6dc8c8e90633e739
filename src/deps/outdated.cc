#include "deps/outdated.h"

#include <algorithm>

#include "deps/pep440.h"
#include "io/json/json_writer.h"
#include "util/strings.h"

namespace kgate::deps {
namespace {

std::string_view StateName(Freshness f) {
  switch (f) {
    case Freshness::kCurrent: return "current";
    case Freshness::kOutdated: return "outdated";
    case Freshness::kNewer: return "newer";
    case Freshness::kUnknown: return "unknown";
  }
  return "unknown";
}

}  // namespace

OutdatedReport CheckOutdated(const Inventory& inventory, const ReleaseLookup& lookup) {
  OutdatedReport report;
  report.not_checked = inventory.not_audited;
  for (const Package& pkg : inventory.packages) {
    OutdatedRow row;
    row.package = pkg.name;
    row.version = pkg.version;
    row.source = pkg.source;
    absl::StatusOr<Version> installed = Version::Parse(pkg.version);
    absl::StatusOr<ReleaseList> releases = lookup(pkg.normalized);
    if (!installed.ok()) {
      row.note = "the installed version is not PEP 440, so it cannot be ordered";
    } else if (!releases.ok()) {
      row.note = std::string(util::ToStd(releases.status().message()));
    } else if (std::optional<std::string> latest = LatestVersion(*releases, installed->is_prerelease()); !latest) {
      row.note = "the index lists no PEP 440 release";
    } else {
      row.latest = *latest;
      auto cmp = *installed <=> *Version::Parse(*latest);
      row.state = cmp < 0 ? Freshness::kOutdated : cmp > 0 ? Freshness::kNewer : Freshness::kCurrent;
    }
    report.rows.push_back(std::move(row));
  }
  // What needs action first: outdated, then unknown, newer, current.
  auto rank = [](Freshness f) {
    return f == Freshness::kOutdated ? 0 : f == Freshness::kUnknown ? 1 : f == Freshness::kNewer ? 2 : 3;
  };
  std::stable_sort(report.rows.begin(), report.rows.end(),
                   [&](const OutdatedRow& a, const OutdatedRow& b) { return rank(a.state) < rank(b.state); });
  return report;
}

std::string RenderOutdatedTable(const OutdatedReport& r) {
  std::string out = util::StrCat("index: ", r.index_source, r.index_snapshot.empty() ? "" : " (snapshot ",
                                 r.index_snapshot, r.index_snapshot.empty() ? "" : ")", "\n\n");
  size_t w_name = 7, w_ver = 9, w_latest = 6;
  for (const OutdatedRow& row : r.rows) {
    w_name = std::max(w_name, row.package.size());
    w_ver = std::max(w_ver, row.version.size());
    w_latest = std::max(w_latest, row.latest.size());
  }
  auto pad = [](std::string s, size_t w) { return s + std::string(w - s.size() + 2, ' '); };
  util::StrAppend(&out, pad("PACKAGE", w_name), pad("INSTALLED", w_ver), pad("LATEST", w_latest), "STATE\n");
  int outdated = 0, unknown = 0;
  for (const OutdatedRow& row : r.rows) {
    outdated += row.state == Freshness::kOutdated;
    unknown += row.state == Freshness::kUnknown;
    std::string state(StateName(row.state));
    if (!row.note.empty()) util::StrAppend(&state, " (", row.note, ")");
    util::StrAppend(&out, pad(row.package, w_name), pad(row.version, w_ver), pad(row.latest.empty() ? "-" : row.latest, w_latest),
                    state, "\n");
  }
  for (const NotAudited& n : r.not_checked) util::StrAppend(&out, "not checked: ", n.line, " (", n.source, "): ", n.reason, "\n");
  util::StrAppend(&out, "\n", outdated, " outdated, ", unknown, " unknown, ", r.rows.size(), " checked\n");
  return out;
}

std::string RenderOutdatedJson(const OutdatedReport& r) {
  io::json::Writer w(/*pretty=*/true);
  w.BeginObject().Key("index").BeginObject().Key("source").String(r.index_source).Key("snapshot").String(r.index_snapshot);
  w.EndObject().Key("packages").BeginArray();
  for (const OutdatedRow& row : r.rows) {
    w.BeginObject().Key("name").String(row.package).Key("version").String(row.version).Key("source").String(row.source);
    w.Key("latest");
    if (row.latest.empty()) {
      w.Null();
    } else {
      w.String(row.latest);
    }
    w.Key("state").String(StateName(row.state));
    if (!row.note.empty()) w.Key("note").String(row.note);
    w.EndObject();
  }
  w.EndArray().Key("not_checked").BeginArray();
  for (const NotAudited& n : r.not_checked) {
    w.BeginObject().Key("line").String(n.line).Key("reason").String(n.reason).Key("source").String(n.source).EndObject();
  }
  w.EndArray().EndObject();
  return w.Take() + "\n";
}

}  // namespace kgate::deps
