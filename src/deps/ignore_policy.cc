#include "deps/ignore_policy.h"

#include <ctime>

#include "deps/toml.h"
#include "util/mapped_file.h"
#include "util/status_macros.h"
#include "util/strings.h"

namespace kgate::deps {
namespace {

bool IsDate(std::string_view s) {
  if (s.size() != 10 || s[4] != '-' || s[7] != '-') return false;
  for (size_t i : {0, 1, 2, 3, 5, 6, 8, 9}) {
    if (s[i] < '0' || s[i] > '9') return false;
  }
  int month = (s[5] - '0') * 10 + (s[6] - '0');
  int day = (s[8] - '0') * 10 + (s[9] - '0');
  return month >= 1 && month <= 12 && day >= 1 && day <= 31;
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i]))) return false;
  }
  return true;
}

}  // namespace

absl::StatusOr<IgnorePolicy> IgnorePolicy::Parse(std::string_view text, std::string_view display_name) {
  KGATE_ASSIGN_OR_RETURN(io::json::Value doc, ParseToml(text, display_name));
  IgnorePolicy policy;
  for (const auto& [key, value] : doc.object()) {
    if (key != "ignore") {
      return absl::InvalidArgumentError(
          util::StrCat(display_name, ": unknown key '", key, "' (expected [[ignore]] entries)"));
    }
  }
  const io::json::Value* list = doc.Find("ignore");
  if (list == nullptr) return policy;
  if (!list->is_array()) return absl::InvalidArgumentError(util::StrCat(display_name, ": 'ignore' must be [[ignore]] tables"));
  if (list->array().size() > kMaxIgnoreEntries) {
    return absl::ResourceExhaustedError(util::StrCat(display_name, ": more than ", kMaxIgnoreEntries, " entries"));
  }
  for (size_t i = 0; i < list->array().size(); ++i) {
    const io::json::Value& e = list->array()[i];
    const std::string where = util::StrCat(display_name, ": ignore[", i, "]");
    if (!e.is_object()) return absl::InvalidArgumentError(util::StrCat(where, ": expected a table"));
    IgnoreEntry entry;
    entry.where = where;
    for (const auto& [k, v] : e.object()) {
      std::string* field = k == "id" ? &entry.id : k == "reason" ? &entry.reason : k == "expires" ? &entry.expires : nullptr;
      if (field == nullptr) {
        return absl::InvalidArgumentError(util::StrCat(where, ": unknown key '", k, "' (expected id, reason, expires)"));
      }
      if (!v.is_string()) return absl::InvalidArgumentError(util::StrCat(where, ": '", k, "' must be a string or date"));
      *field = v.string();
    }
    if (entry.id.empty()) return absl::InvalidArgumentError(util::StrCat(where, ": 'id' is required"));
    if (entry.reason.empty()) {
      return absl::InvalidArgumentError(util::StrCat(where, " (", entry.id, "): 'reason' is required: say why the risk is accepted"));
    }
    if (!IsDate(entry.expires)) {
      return absl::InvalidArgumentError(util::StrCat(where, " (", entry.id, "): 'expires' must be a date YYYY-MM-DD, got '",
                                                     entry.expires, "'"));
    }
    policy.entries_.push_back(std::move(entry));
  }
  return policy;
}

absl::StatusOr<IgnorePolicy> IgnorePolicy::Load(const std::string& path) {
  KGATE_ASSIGN_OR_RETURN(util::MappedFile file, util::MappedFile::Open(path, uint64_t{4} << 20));
  return Parse(std::string_view(reinterpret_cast<const char*>(file.data().data()), file.data().size()), path);
}

const IgnoreEntry* IgnorePolicy::Find(const std::vector<std::string>& ids, std::string_view today) const {
  for (const IgnoreEntry& e : entries_) {
    if (e.expires < today) continue;
    for (const std::string& id : ids) {
      if (EqualsIgnoreCase(e.id, id)) return &e;
    }
  }
  return nullptr;
}

std::vector<const IgnoreEntry*> IgnorePolicy::Expired(std::string_view today) const {
  std::vector<const IgnoreEntry*> out;
  for (const IgnoreEntry& e : entries_) {
    if (e.expires < today) out.push_back(&e);
  }
  return out;
}

std::string TodayUtc() {
  std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  char buf[16];
  std::strftime(buf, sizeof(buf), "%Y-%m-%d", &tm);
  return buf;
}

}  // namespace kgate::deps
