// Member-name rules (KG-Z004) and duplicate detection (KG-Z005).
//
// A name is a relative, '/'-separated path: not empty, no leading '/', no
// drive letter, no backslash, no "" / "." / ".." component (one leading "./"
// is tolerated and normalised), no control characters. Without flag bit 11
// the bytes must be printable ASCII (tools disagree on CP437 vs UTF-8); with
// it they must be well-formed UTF-8. A trailing '/' makes a directory entry,
// which must be empty.
//
// Two names collide when they are equal after dropping a leading "./" and a
// trailing '/' and folding ASCII case (case-insensitive file systems would
// extract them to one file). Non-ASCII case variants are not folded.
#include <algorithm>
#include <string>
#include <utility>

#include "io/zip/zip_internal.h"
#include "util/rules.h"
#include "util/strings.h"

namespace kgate::io::zip::internal {
namespace {

using util::StrCat;
namespace rules = util::rules;

std::string HexByte(uint8_t c) {
  static constexpr char kDigits[] = "0123456789abcdef";
  return {'0', 'x', kDigits[c >> 4], kDigits[c & 0xF]};
}

absl::Status Unsafe(std::string_view what, std::string_view problem) {
  return util::RuleError(rules::kZipUnsafeName, StrCat("zip: ", what, ": unsafe member name: ", problem));
}

// Length of the well-formed UTF-8 sequence starting at name[i] and its code
// point, or 0 when the bytes there are not one (overlong forms, surrogates
// and values past U+10FFFF included).
size_t Utf8Sequence(std::span<const uint8_t> name, size_t i, uint32_t* cp) {
  const uint8_t c = name[i];
  size_t len;
  uint32_t min;
  if (c < 0x80) {
    *cp = c;
    return 1;
  } else if ((c & 0xE0) == 0xC0) {
    len = 2, min = 0x80, *cp = c & 0x1F;
  } else if ((c & 0xF0) == 0xE0) {
    len = 3, min = 0x800, *cp = c & 0x0F;
  } else if ((c & 0xF8) == 0xF0) {
    len = 4, min = 0x10000, *cp = c & 0x07;
  } else {
    return 0;
  }
  if (name.size() - i < len) return 0;
  for (size_t k = 1; k < len; ++k) {
    const uint8_t cc = name[i + k];
    if ((cc & 0xC0) != 0x80) return 0;
    *cp = (*cp << 6) | (cc & 0x3F);
  }
  if (*cp < min || *cp > 0x10FFFF || (*cp >= 0xD800 && *cp <= 0xDFFF)) return 0;
  return len;
}

absl::Status CheckCharacters(std::span<const uint8_t> name, bool utf8_flag, std::string_view what) {
  for (size_t i = 0; i < name.size();) {
    const uint8_t c = name[i];
    if (c < 0x20 || c == 0x7f) {
      return Unsafe(what, StrCat("control character ", HexByte(c), " at byte ", i));
    }
    if (c == '\\') return Unsafe(what, StrCat("backslash at byte ", i, " (use '/' as the separator)"));
    if (c < 0x80) {
      ++i;
      continue;
    }
    if (!utf8_flag) {
      return Unsafe(what, StrCat("non-ASCII byte ", HexByte(c), " at byte ", i,
                                 " without the UTF-8 flag (bit 11); its meaning depends on the tool"));
    }
    uint32_t cp = 0;
    const size_t len = Utf8Sequence(name, i, &cp);
    if (len == 0) return Unsafe(what, StrCat("invalid UTF-8 at byte ", i));
    if (cp >= 0x80 && cp <= 0x9F) {
      return Unsafe(what, StrCat("C1 control character U+00", HexByte(static_cast<uint8_t>(cp)).substr(2),
                                 " at byte ", i));
    }
    i += len;
  }
  return absl::OkStatus();
}

bool IsDirectoryName(std::string_view name) { return !name.empty() && name.back() == '/'; }

std::string_view StripDotSlash(std::string_view s) {
  return s.substr(0, 2) == "./" ? s.substr(2) : s;
}

}  // namespace

absl::Status CheckName(std::span<const uint8_t> name, bool utf8_flag, uint64_t bytes_declared,
                       uint32_t max_name_bytes, std::string_view what) {
  if (name.empty()) return Unsafe(what, "the name is empty");
  if (name.size() > max_name_bytes) {
    return util::RuleLimitError(rules::kZipUnsafeName,
                                StrCat("zip: ", what, ": member name is ", name.size(),
                                       " bytes, over the cap of ", max_name_bytes));
  }
  if (absl::Status s = CheckCharacters(name, utf8_flag, what); !s.ok()) return s;
  const std::string_view text(reinterpret_cast<const char*>(name.data()), name.size());
  if (text.front() == '/') return Unsafe(what, "absolute path (leading '/')");
  if (text.size() >= 2 && text[1] == ':' &&
      ((text[0] >= 'A' && text[0] <= 'Z') || (text[0] >= 'a' && text[0] <= 'z'))) {
    return Unsafe(what, StrCat("drive letter '", text.substr(0, 2), "'"));
  }
  const bool directory = IsDirectoryName(text);
  std::string_view path = directory ? text.substr(0, text.size() - 1) : text;
  const bool dot_slash = path.substr(0, 2) == "./";
  if (dot_slash) path = path.substr(2);
  if (path.empty() || path == ".") return Unsafe(what, "the name denotes the archive root");
  size_t start = 0;
  for (;;) {
    const size_t end = std::min(path.find('/', start), path.size());
    const std::string_view part = path.substr(start, end - start);
    if (part.empty()) return Unsafe(what, StrCat("empty path component ('//') at byte ", start));
    if (part == "..") return Unsafe(what, "'..' path component (path traversal)");
    if (part == ".") return Unsafe(what, "'.' path component (only a single leading './' is allowed)");
    if (end == path.size()) break;
    start = end + 1;
  }
  if (directory && bytes_declared != 0) {
    return Unsafe(what, StrCat("directory entry (trailing '/') declares ", bytes_declared,
                               " bytes of content"));
  }
  return absl::OkStatus();
}

std::string CollisionKey(std::string_view name) {
  std::string_view s = StripDotSlash(name);
  if (IsDirectoryName(s)) s.remove_suffix(1);
  std::string key(s);
  for (char& c : key) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return key;
}

absl::Status CheckDuplicates(const std::vector<Entry>& entries) {
  // Sort by collision key with '/' mapped to '\x01' (which CheckName keeps
  // out of names), so that every key starting with "F/" sorts directly after
  // "F": both kinds of conflict are then between neighbours.
  std::vector<std::pair<std::string, size_t>> keys;
  keys.reserve(entries.size());
  for (size_t i = 0; i < entries.size(); ++i) {
    std::string key = CollisionKey(entries[i].name);
    std::replace(key.begin(), key.end(), '/', '\x01');
    keys.emplace_back(std::move(key), i);
  }
  std::sort(keys.begin(), keys.end());
  auto quote = [&](size_t i) {
    const std::string& s = entries[i].name;
    return StrCat("entry ", i, " ", QuoteName({reinterpret_cast<const uint8_t*>(s.data()), s.size()}));
  };
  for (size_t k = 1; k < keys.size(); ++k) {
    const size_t first = std::min(keys[k - 1].second, keys[k].second);
    const size_t second = std::max(keys[k - 1].second, keys[k].second);
    const std::string_view a = entries[first].name;
    const std::string_view b = entries[second].name;
    if (keys[k].first == keys[k - 1].first) {
      std::string_view how;
      if (a == b) {
        how = "the same name";
      } else if (IsDirectoryName(a) != IsDirectoryName(b)) {
        how = "the same name, once as a file and once as a directory";
      } else if (StripDotSlash(a) == StripDotSlash(b)) {
        how = "names that are equal after removing './'";
      } else {
        how = "names that differ only in letter case";
      }
      return util::RuleError(rules::kZipDuplicateName,
                             StrCat("zip: duplicate member: ", quote(first), " and ", quote(second), " have ",
                                    how, " (tools disagree on which one they read)"));
    }
    // A file must not also be a parent directory of another entry ("a" and
    // "a/b"): extraction would have to replace one with the other.
    const std::string& parent = keys[k - 1].first;
    const std::string& child = keys[k].first;
    const size_t parent_index = keys[k - 1].second;
    if (child.size() > parent.size() && child.compare(0, parent.size(), parent) == 0 &&
        child[parent.size()] == '\x01' && !IsDirectoryName(entries[parent_index].name)) {
      return util::RuleError(rules::kZipDuplicateName,
                             StrCat("zip: duplicate member: ", quote(parent_index), " is a file, but ",
                                    quote(keys[k].second), " uses it as a directory"));
    }
  }
  return absl::OkStatus();
}

}  // namespace kgate::io::zip::internal
