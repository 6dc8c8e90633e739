#include "keras/keras_names.h"

#include <map>

#include "keras/layer_registry.h"
#include "util/strings.h"

namespace kgate::keras {
namespace {

bool IsUpper(char c) { return c >= 'A' && c <= 'Z'; }
bool IsLower(char c) { return c >= 'a' && c <= 'z'; }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsWord(char c) { return IsUpper(c) || IsLower(c) || IsDigit(c) || c == '_'; }

}  // namespace

std::string ToSnakeCase(std::string_view name) {
  // Step 1: drop non-word characters.
  std::string s;
  s.reserve(name.size());
  for (char c : name) {
    if (IsWord(c)) s.push_back(c);
  }
  // Step 2: "(.)([A-Z][a-z]+)" -> "\1_\2", scanning left to right without
  // overlapping matches, exactly as re.sub does.
  std::string t;
  t.reserve(s.size() * 2);
  size_t i = 0;
  while (i < s.size()) {
    if (i + 2 < s.size() && IsUpper(s[i + 1]) && IsLower(s[i + 2])) {
      size_t j = i + 3;
      while (j < s.size() && IsLower(s[j])) ++j;
      t.push_back(s[i]);
      t.push_back('_');
      t.append(s, i + 1, j - (i + 1));
      i = j;
    } else {
      t.push_back(s[i]);
      ++i;
    }
  }
  // Step 3: "([a-z])([A-Z])" -> "\1_\2".
  std::string u;
  u.reserve(t.size() * 2);
  i = 0;
  while (i < t.size()) {
    if (i + 1 < t.size() && IsLower(t[i]) && IsUpper(t[i + 1])) {
      u.push_back(t[i]);
      u.push_back('_');
      u.push_back(t[i + 1]);
      i += 2;
    } else {
      u.push_back(t[i]);
      ++i;
    }
  }
  // Step 4: lower().
  for (char& c : u) {
    if (IsUpper(c)) c = static_cast<char>(c - 'A' + 'a');
  }
  return u;
}

std::vector<std::string> SaveKeys(std::span<const std::string> class_names) {
  std::map<std::string, int64_t, std::less<>> used;
  std::vector<std::string> keys;
  keys.reserve(class_names.size());
  for (const std::string& cls : class_names) {
    std::string name = ToSnakeCase(cls);
    auto it = used.find(name);
    if (it != used.end()) {
      ++it->second;
      keys.push_back(util::StrCat(name, "_", it->second));
    } else {
      used.emplace(name, 0);
      keys.push_back(std::move(name));
    }
  }
  return keys;
}

std::string OpSpecName(std::string_view module, std::string_view class_name) {
  constexpr std::string_view kOpsPrefix = "keras.src.ops.";
  if (module.empty()) {
    // Legacy .h5 configs drop "module". A class that is no layer but is a
    // keras.ops numpy op (NotEqual, Any: the mask ops) is unambiguous; names
    // shared with layers (Add, Multiply) stay layers, as Keras reads them.
    if (FindLayerSpec(class_name) != nullptr) return "";
    std::string op = util::StrCat("ops.numpy.", class_name);
    return FindLayerSpec(op) != nullptr ? op : "";
  }
  if (module.size() <= kOpsPrefix.size() || module.substr(0, kOpsPrefix.size()) != kOpsPrefix) return "";
  return util::StrCat("ops.", module.substr(kOpsPrefix.size()), ".", class_name);
}

bool IsOpSpecName(std::string_view class_name) { return class_name.substr(0, 4) == "ops."; }

std::string UnsafeNameReason(std::string_view name) {
  if (name.empty()) return "the name is empty";
  if (name.size() > kMaxNameBytes) {
    return util::StrCat("the name is ", name.size(), " bytes long; at most ", kMaxNameBytes, " are accepted");
  }
  if (name == "." || name == "..") return "the name is a path component ('.' or '..')";
  for (size_t i = 0; i < name.size(); ++i) {
    char c = name[i];
    if (!(IsWord(c) || c == '.' || c == '-')) {
      unsigned code = static_cast<unsigned char>(c);
      return util::StrCat("byte ", i, " is 0x", "0123456789abcdef"[code >> 4], "0123456789abcdef"[code & 15],
                          "; names may only use [A-Za-z0-9_.-]");
    }
  }
  return "";
}

bool IsSafeName(std::string_view name) { return UnsafeNameReason(name).empty(); }

}  // namespace kgate::keras
