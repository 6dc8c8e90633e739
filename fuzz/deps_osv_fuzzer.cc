// Fuzzes OSV record parsing and the whole matching path on one record: the
// record is loaded into a database and every package it names is matched at
// a few versions (including boundaries taken from its own events), fixes are
// suggested and the severity is scored. A finding must come from a record
// that is not withdrawn; a violation aborts.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "deps/matcher.h"
#include "deps/osv.h"
#include "deps/severity.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  absl::StatusOr<kgate::deps::OsvRecord> rec = kgate::deps::ParseOsvRecord(text, "fuzz.json");
  if (!rec.ok()) return 0;
  (void)kgate::deps::SeverityOf(*rec);
  (void)rec->Headline();
  std::vector<std::string> probes = {"0", "1.0", "2.6.0+cu124", "not-a-version"};
  for (const kgate::deps::OsvAffected& a : rec->affected) {
    for (const kgate::deps::OsvRange& r : a.ranges) {
      for (const kgate::deps::OsvEvent& e : r.events) {
        if (probes.size() < 32) probes.push_back(e.text);
      }
    }
  }
  kgate::deps::OsvDatabase db = kgate::deps::OsvDatabase::FromRecords({*rec}, "fuzz", "");
  for (const kgate::deps::OsvAffected& a : rec->affected) {
    for (const std::string& v : probes) {
      kgate::deps::PackageMatches m = kgate::deps::MatchPackage(db, a.normalized, v);
      if (!m.matches.empty() && !rec->withdrawn.empty()) std::abort();
    }
    (void)kgate::deps::SuggestFix(db, a.normalized, "0.1");
  }
  return 0;
}
