#include "deps/matcher.h"

#include <algorithm>

#include "util/strings.h"

namespace kgate::deps {
namespace {

// Sort key: "0" below everything, "*" above everything, then PEP 440 order,
// and `introduced` before other events at the same version, so that an
// "introduced X, fixed X" pair describes an empty range.
bool EventLess(const OsvEvent& a, const OsvEvent& b) {
  auto rank = [](const OsvEvent& e) { return e.IsZero() ? 0 : e.IsUnbounded() ? 2 : 1; };
  if (rank(a) != rank(b)) return rank(a) < rank(b);
  if (rank(a) != 1) return false;
  if (auto c = *a.version <=> *b.version; c != 0) return c < 0;
  return a.kind == OsvEvent::Kind::kIntroduced && b.kind != OsvEvent::Kind::kIntroduced;
}

std::string_view KindName(OsvEvent::Kind k) {
  switch (k) {
    case OsvEvent::Kind::kIntroduced: return "introduced";
    case OsvEvent::Kind::kFixed: return "fixed";
    case OsvEvent::Kind::kLastAffected: return "last_affected";
    case OsvEvent::Kind::kLimit: return "limit";
  }
  return "?";
}

Version SortKey(const std::string& text) {
  absl::StatusOr<Version> v = Version::Parse(text);
  if (v.ok()) return *std::move(v);
  return LeadingVersion(text).value_or(Version());
}

bool Evaluable(const OsvRange& range) {
  return std::all_of(range.events.begin(), range.events.end(),
                     [](const OsvEvent& e) { return e.IsZero() || e.IsUnbounded() || e.version.has_value(); });
}

// "1.2.3": digits and dots only, no empty piece, no leading zero. Such a
// string is already the canonical spelling of its version.
bool IsSimpleRelease(std::string_view s) {
  if (s.empty() || s.front() == '.' || s.back() == '.') return false;
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c == '.') {
      if (s[i - 1] == '.') return false;
    } else if (c < '0' || c > '9') {
      return false;
    } else if (c == '0' && (i == 0 || s[i - 1] == '.') && i + 1 < s.size() && s[i + 1] != '.') {
      return false;
    }
  }
  return true;
}

// "2.12.0.0" -> "2.12": trailing zero pieces do not change a release.
std::string_view StripTrailingZeros(std::string_view s) {
  while (s.size() > 2 && s.substr(s.size() - 2) == ".0") s.remove_suffix(2);
  return s;
}

// Versions lists hold hundreds of entries (TensorFlow records list every
// release), so equality is decided on strings where that is exact and a
// full parse is left to the rare entry that is not a plain release.
bool VersionsListContains(const OsvAffected& aff, const std::string& text, const std::optional<Version>& version) {
  std::string plain_key;  // the installed version as a trailing-zero-free plain release, if it is one
  if (version && version->epoch().digits == "0" && !version->pre() && !version->post() && !version->dev() &&
      version->local().empty()) {
    plain_key = std::string(StripTrailingZeros(version->ToString()));
  }
  for (const std::string& listed : aff.versions) {
    if (listed == text) return true;
    if (!version) continue;
    if (IsSimpleRelease(listed)) {
      if (!plain_key.empty() && StripTrailingZeros(listed) == plain_key) return true;
      continue;
    }
    absl::StatusOr<Version> v = Version::Parse(listed);
    if (v.ok() && *v == *version) return true;
  }
  return false;
}

std::optional<Match> MatchAffected(const OsvAffected& aff, const std::string& text,
                                   const std::optional<Version>& version, std::vector<std::string>* warnings,
                                   const OsvRecord& rec) {
  std::optional<Match> match;
  if (VersionsListContains(aff, text, version)) match = Match{0, 0, "listed in the record's affected versions", false, {}};
  if (version) {
    for (const OsvRange& range : aff.ranges) {
      if (!Evaluable(range)) {
        warnings->push_back(util::StrCat(rec.id, " (", aff.name, "): a ", range.type,
                                         " range has an event that is not a PEP 440 version and has no PEP 440 "
                                         "prefix; that range was not evaluated"));
        continue;
      }
      std::string why;
      if (!InRange(*version, range, &why)) continue;
      bool approximate = std::any_of(range.events.begin(), range.events.end(),
                                     [](const OsvEvent& e) { return e.approximate; });
      if (!match || (match->approximate && !approximate)) {
        match = Match{0, 0, util::StrCat(range.type, " range: ", why), approximate, {}};
      }
      for (const OsvEvent& e : range.events) {
        if (e.kind == OsvEvent::Kind::kFixed && e.version && *e.version > *version) match->fixed_in.push_back(e.text);
      }
    }
  }
  if (match) {
    std::sort(match->fixed_in.begin(), match->fixed_in.end(), [](const std::string& a, const std::string& b) {
      return SortKey(a) < SortKey(b);
    });
    match->fixed_in.erase(std::unique(match->fixed_in.begin(), match->fixed_in.end()), match->fixed_in.end());
  }
  return match;
}

}  // namespace

bool InRange(const Version& version, const OsvRange& range, std::string* why) {
  std::vector<const OsvEvent*> events;
  for (const OsvEvent& e : range.events) events.push_back(&e);
  std::stable_sort(events.begin(), events.end(), [](const OsvEvent* a, const OsvEvent* b) { return EventLess(*a, *b); });
  // BeforeLimits: with limit events, the version must be below one of them.
  bool has_limit = false, below_a_limit = false;
  for (const OsvEvent* e : events) {
    if (e->kind != OsvEvent::Kind::kLimit) continue;
    has_limit = true;
    if (e->IsUnbounded() || (e->version->local().empty() ? version.Public() : version) < *e->version) {
      below_a_limit = true;
    }
  }
  if (has_limit && !below_a_limit) return false;
  bool vulnerable = false;
  const OsvEvent* opened = nullptr;
  // Local-label policy: against an event without a local label, a local
  // build (2.6.0+cu124) is its public release (2.6.0), so `last_affected
  // 2.6.0` covers it; an event with a label compares in full.
  const Version public_version = version.Public();
  auto subject = [&](const OsvEvent* e) -> const Version& {
    return e->version->local().empty() ? public_version : version;
  };
  for (const OsvEvent* e : events) {
    switch (e->kind) {
      case OsvEvent::Kind::kIntroduced:
        if (e->IsZero() || subject(e) >= *e->version) {
          vulnerable = true;
          opened = e;
        }
        break;
      case OsvEvent::Kind::kFixed:
        if (subject(e) >= *e->version) vulnerable = false;
        break;
      case OsvEvent::Kind::kLastAffected:
        if (subject(e) > *e->version) vulnerable = false;
        break;
      case OsvEvent::Kind::kLimit:
        break;
    }
  }
  if (vulnerable && why != nullptr && opened != nullptr) {
    *why = util::StrCat("introduced ", opened->text);
    auto it = std::find(events.begin(), events.end(), opened);
    for (++it; it != events.end(); ++it) {
      if ((*it)->kind == OsvEvent::Kind::kFixed || (*it)->kind == OsvEvent::Kind::kLastAffected ||
          ((*it)->kind == OsvEvent::Kind::kLimit && !(*it)->IsUnbounded())) {
        util::StrAppend(why, ", ", KindName((*it)->kind), " ", (*it)->text);
        break;
      }
    }
    if (it == events.end()) util::StrAppend(why, ", no fix recorded");
  }
  return vulnerable;
}

PackageMatches MatchPackage(const OsvDatabase& db, const std::string& normalized, const std::string& version_text) {
  PackageMatches out;
  absl::StatusOr<Version> parsed = Version::Parse(version_text);
  std::optional<Version> version;
  if (parsed.ok()) version = *std::move(parsed);
  for (const AffectedRef& ref : db.ForPackage(normalized)) {
    const OsvRecord& rec = db.records()[ref.record];
    if (!rec.withdrawn.empty()) continue;
    const OsvAffected& aff = rec.affected[ref.affected];
    if (aff.ranges.empty() && aff.versions.empty()) {
      out.warnings.push_back(util::StrCat(rec.id, " (", aff.name,
                                          "): the record has no machine-readable range or version list, so no "
                                          "version can match it; read it: ",
                                          rec.advisory_url.empty() ? rec.Headline() : rec.advisory_url));
      continue;
    }
    std::optional<Match> m = MatchAffected(aff, version_text, version, &out.warnings, rec);
    if (!m) continue;
    m->record = ref.record;
    m->affected = ref.affected;
    // A record naming the package twice is one finding.
    auto same = std::find_if(out.matches.begin(), out.matches.end(), [&](const Match& x) { return x.record == ref.record; });
    if (same == out.matches.end()) {
      out.matches.push_back(std::move(*m));
    } else if (same->approximate && !m->approximate) {
      *same = std::move(*m);
    }
  }
  return out;
}

std::optional<std::string> SuggestFix(const OsvDatabase& db, const std::string& normalized,
                                      const std::string& installed) {
  std::string candidate = installed;
  // Each round moves strictly upwards through the fixed versions, so the
  // loop ends; the cap only bounds a pathological database.
  for (int round = 0; round < 256; ++round) {
    PackageMatches pm = MatchPackage(db, normalized, candidate);
    if (pm.matches.empty()) return candidate == installed ? std::nullopt : std::optional<std::string>(candidate);
    std::optional<Version> next;
    std::string next_text;
    for (const Match& m : pm.matches) {
      if (m.fixed_in.empty()) return std::nullopt;
      absl::StatusOr<Version> v = Version::Parse(m.fixed_in.front());
      if (!v.ok()) return std::nullopt;
      if (!next || *v > *next) {
        next = *v;
        next_text = m.fixed_in.front();
      }
    }
    candidate = next_text;
  }
  return std::nullopt;
}

}  // namespace kgate::deps
