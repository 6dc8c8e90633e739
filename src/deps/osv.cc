#include "deps/osv.h"

#include "deps/requirement.h"
#include "util/status_macros.h"
#include "util/strings.h"

namespace kgate::deps {
namespace {

using io::json::Value;

class RecordReader {
 public:
  explicit RecordReader(std::string_view source) : source_(source) {}

  absl::Status Error(std::string_view pointer, std::string_view what) const {
    return absl::InvalidArgumentError(util::StrCat(source_, ": ", pointer, ": ", what));
  }

  absl::StatusOr<std::string> String(const Value& obj, std::string_view key, std::string_view pointer,
                                     bool required) const {
    const Value* v = obj.Find(key);
    if (v == nullptr) {
      if (required) return Error(pointer, util::StrCat("missing required string '", key, "'"));
      return std::string();
    }
    if (!v->is_string()) {
      return Error(util::StrCat(pointer, "/", key),
                   util::StrCat("expected a string, got ", Value::KindName(v->kind())));
    }
    return v->string();
  }

  absl::StatusOr<const io::json::Array*> Array(const Value& obj, std::string_view key, std::string_view pointer) const {
    static const io::json::Array kEmpty;
    const Value* v = obj.Find(key);
    if (v == nullptr || v->is_null()) return &kEmpty;
    if (!v->is_array()) {
      return Error(util::StrCat(pointer, "/", key), util::StrCat("expected an array, got ", Value::KindName(v->kind())));
    }
    return &v->array();
  }

  absl::StatusOr<std::vector<std::string>> Strings(const Value& obj, std::string_view key,
                                                   std::string_view pointer) const {
    KGATE_ASSIGN_OR_RETURN(const io::json::Array* items, Array(obj, key, pointer));
    std::vector<std::string> out;
    for (size_t i = 0; i < items->size(); ++i) {
      if (!(*items)[i].is_string()) {
        return Error(util::StrCat(pointer, "/", key, "/", i), "expected a string");
      }
      out.push_back((*items)[i].string());
    }
    return out;
  }

  absl::StatusOr<OsvEvent> Event(const Value& ev, const std::string& pointer) const {
    if (!ev.is_object() || ev.object().size() != 1) {
      return Error(pointer, "an event must be an object with exactly one key");
    }
    const auto& [key, value] = ev.object().front();
    OsvEvent out;
    if (key == "introduced") {
      out.kind = OsvEvent::Kind::kIntroduced;
    } else if (key == "fixed") {
      out.kind = OsvEvent::Kind::kFixed;
    } else if (key == "last_affected") {
      out.kind = OsvEvent::Kind::kLastAffected;
    } else if (key == "limit") {
      out.kind = OsvEvent::Kind::kLimit;
    } else {
      return Error(pointer, util::StrCat("unknown event '", key, "' (expected introduced, fixed, last_affected or limit)"));
    }
    if (!value.is_string() || value.string().empty()) return Error(pointer, "the event version must be a non-empty string");
    out.text = value.string();
    if (out.IsZero() || out.IsUnbounded()) return out;
    absl::StatusOr<Version> parsed = Version::Parse(out.text);
    if (parsed.ok()) {
      out.version = *std::move(parsed);
    } else {
      out.version = LeadingVersion(out.text);
      out.approximate = out.version.has_value();
    }
    return out;
  }

  absl::StatusOr<OsvAffected> Affected(const Value& aff, const std::string& pointer) const {
    if (!aff.is_object()) return Error(pointer, "expected an object");
    OsvAffected out;
    const Value* pkg = aff.Find("package");
    if (pkg != nullptr) {
      if (!pkg->is_object()) return Error(util::StrCat(pointer, "/package"), "expected an object");
      KGATE_ASSIGN_OR_RETURN(out.ecosystem, String(*pkg, "ecosystem", util::StrCat(pointer, "/package"), true));
      KGATE_ASSIGN_OR_RETURN(out.name, String(*pkg, "name", util::StrCat(pointer, "/package"), true));
      out.normalized = NormalizeName(out.name);
    }
    KGATE_ASSIGN_OR_RETURN(out.versions, Strings(aff, "versions", pointer));
    KGATE_ASSIGN_OR_RETURN(const io::json::Array* ranges, Array(aff, "ranges", pointer));
    for (size_t r = 0; r < ranges->size(); ++r) {
      const std::string rp = util::StrCat(pointer, "/ranges/", r);
      const Value& range = (*ranges)[r];
      if (!range.is_object()) return Error(rp, "expected an object");
      KGATE_ASSIGN_OR_RETURN(std::string type, String(range, "type", rp, true));
      if (type == "GIT") {
        ++out.git_ranges;
        continue;
      }
      if (type != "ECOSYSTEM" && type != "SEMVER") {
        return Error(rp, util::StrCat("unknown range type '", type, "' (expected ECOSYSTEM, SEMVER or GIT)"));
      }
      OsvRange parsed{type, {}};
      KGATE_ASSIGN_OR_RETURN(const io::json::Array* events, Array(range, "events", rp));
      bool has_introduced = false;
      for (size_t e = 0; e < events->size(); ++e) {
        KGATE_ASSIGN_OR_RETURN(OsvEvent ev, Event((*events)[e], util::StrCat(rp, "/events/", e)));
        has_introduced |= ev.kind == OsvEvent::Kind::kIntroduced;
        parsed.events.push_back(std::move(ev));
      }
      if (!has_introduced) return Error(rp, "a range needs at least one 'introduced' event");
      out.ranges.push_back(std::move(parsed));
    }
    return out;
  }

 private:
  std::string_view source_;
};

}  // namespace

std::string OsvRecord::Headline() const {
  if (!summary.empty()) return summary;
  std::string_view d = details;
  size_t end = d.find_first_of("\n");
  size_t dot = d.find(". ");
  if (dot != std::string_view::npos && (end == std::string_view::npos || dot < end)) end = dot + 1;
  d = d.substr(0, end);
  if (d.size() > 160) return util::StrCat(d.substr(0, 157), "...");
  return std::string(d);
}

absl::StatusOr<OsvRecord> RecordFromJson(const Value& doc, std::string_view source) {
  RecordReader r(source);
  if (!doc.is_object()) return r.Error("", "an OSV record must be a JSON object");
  OsvRecord rec;
  rec.source = std::string(source);
  KGATE_ASSIGN_OR_RETURN(rec.id, r.String(doc, "id", "", true));
  KGATE_ASSIGN_OR_RETURN(rec.summary, r.String(doc, "summary", "", false));
  KGATE_ASSIGN_OR_RETURN(rec.details, r.String(doc, "details", "", false));
  KGATE_ASSIGN_OR_RETURN(rec.modified, r.String(doc, "modified", "", false));
  KGATE_ASSIGN_OR_RETURN(rec.withdrawn, r.String(doc, "withdrawn", "", false));
  KGATE_ASSIGN_OR_RETURN(rec.aliases, r.Strings(doc, "aliases", ""));
  KGATE_ASSIGN_OR_RETURN(const io::json::Array* severity, r.Array(doc, "severity", ""));
  for (size_t i = 0; i < severity->size(); ++i) {
    const std::string p = util::StrCat("/severity/", i);
    if (!(*severity)[i].is_object()) return r.Error(p, "expected an object");
    OsvSeverity s;
    KGATE_ASSIGN_OR_RETURN(s.type, r.String((*severity)[i], "type", p, true));
    KGATE_ASSIGN_OR_RETURN(s.score, r.String((*severity)[i], "score", p, true));
    rec.severity.push_back(std::move(s));
  }
  KGATE_ASSIGN_OR_RETURN(const io::json::Array* affected, r.Array(doc, "affected", ""));
  for (size_t i = 0; i < affected->size(); ++i) {
    KGATE_ASSIGN_OR_RETURN(OsvAffected a, r.Affected((*affected)[i], util::StrCat("/affected/", i)));
    // affected[].severity is allowed instead of the top-level field.
    if (const Value* sev = (*affected)[i].Find("severity"); sev != nullptr && rec.severity.empty()) {
      if (sev->is_array()) {
        for (const Value& s : sev->array()) {
          const Value* type = s.Find("type");
          const Value* score = s.Find("score");
          if (type && score && type->is_string() && score->is_string()) {
            rec.severity.push_back({type->string(), score->string()});
          }
        }
      }
    }
    rec.affected.push_back(std::move(a));
  }
  KGATE_ASSIGN_OR_RETURN(const io::json::Array* refs, r.Array(doc, "references", ""));
  for (const Value& ref : *refs) {
    const Value* type = ref.Find("type");
    const Value* url = ref.Find("url");
    if (type == nullptr || url == nullptr || !type->is_string() || !url->is_string()) continue;
    if (type->string() == "ADVISORY" || (rec.advisory_url.empty() && type->string() == "WEB")) {
      if (type->string() == "ADVISORY" || rec.advisory_url.empty()) rec.advisory_url = url->string();
      if (type->string() == "ADVISORY") break;
    }
  }
  return rec;
}

absl::StatusOr<OsvRecord> ParseOsvRecord(std::string_view text, std::string_view source) {
  absl::StatusOr<Value> doc = io::json::Parse(text);
  if (!doc.ok()) return absl::InvalidArgumentError(util::StrCat(source, ": ", util::ToStd(doc.status().message())));
  return RecordFromJson(*doc, source);
}

}  // namespace kgate::deps
