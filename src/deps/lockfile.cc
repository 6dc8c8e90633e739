#include "deps/lockfile.h"

#include <filesystem>

#include "deps/requirement.h"
#include "deps/toml.h"
#include "io/json/json.h"
#include "util/mapped_file.h"
#include "util/status_macros.h"
#include "util/strings.h"

namespace kgate::deps {
namespace {

using io::json::Value;

inline constexpr uint64_t kMaxLockfileBytes = uint64_t{64} << 20;

absl::Status Malformed(const std::string& where, std::string_view what) {
  return absl::InvalidArgumentError(util::StrCat(where, ": ", what));
}

// The string member `key` of `obj`, "" when absent; an error when present
// with another type.
absl::StatusOr<std::string> OptionalString(const Value& obj, std::string_view key, const std::string& where) {
  const Value* v = obj.Find(key);
  if (v == nullptr) return std::string();
  if (!v->is_string()) {
    return Malformed(where, util::StrCat("'", key, "' must be a string, got ", Value::KindName(v->kind())));
  }
  return v->string();
}

absl::StatusOr<const io::json::Array*> OptionalArray(const Value& obj, std::string_view key, const std::string& where) {
  static const io::json::Array kEmpty;
  const Value* v = obj.Find(key);
  if (v == nullptr) return &kEmpty;
  if (!v->is_array()) {
    return Malformed(where, util::StrCat("'", key, "' must be an array, got ", Value::KindName(v->kind())));
  }
  return &v->array();
}

// poetry.lock, uv.lock and pylock.toml share a shape: an array of package
// tables under `array_key`, each with name, version and a dependency list.
absl::StatusOr<Inventory> ReadTomlPackages(const Value& doc, LockKind kind, const std::string& name) {
  const std::string_view array_key = kind == LockKind::kPylock ? "packages" : "package";
  KGATE_ASSIGN_OR_RETURN(const io::json::Array* entries, OptionalArray(doc, array_key, name));
  Inventory inv;
  // pylock.toml makes `dependencies` optional (uv export leaves it out):
  // without it there is no graph to draw paths from.
  inv.has_dependency_graph = kind != LockKind::kPylock;
  for (size_t i = 0; i < entries->size(); ++i) {
    const Value& entry = (*entries)[i];
    const std::string where = util::StrCat(name, ":", array_key, "[", i, "]");
    if (!entry.is_object()) return Malformed(where, "expected a table");
    KGATE_ASSIGN_OR_RETURN(std::string pkg_name, OptionalString(entry, "name", where));
    KGATE_ASSIGN_OR_RETURN(std::string version, OptionalString(entry, "version", where));
    if (!IsValidName(pkg_name)) return Malformed(where, util::StrCat("'name' is not a project name: '", pkg_name, "'"));
    const std::string source = util::StrCat(where, " (", pkg_name, ")");
    // uv.lock lists the project being locked with an editable or virtual
    // source: it is not a published distribution, so no advisory names it.
    const Value* src = entry.Find("source");
    const bool local_project = src != nullptr && src->is_object() && (src->Find("editable") || src->Find("virtual"));
    if (local_project || version.empty()) {
      std::string reason = local_project ? "the project itself (editable or virtual source)"
                           : entry.Find("vcs") || entry.Find("directory")
                               ? "VCS or directory source without a version"
                               : "no version in the lockfile";
      inv.not_audited.push_back({pkg_name, std::move(reason), source});
      continue;
    }
    Package pkg{pkg_name, NormalizeName(pkg_name), version, source, {}};
    if (kind == LockKind::kPoetry) {
      // [package.dependencies] name = "spec" | {version = ..., markers = ...}
      if (const Value* deps = entry.Find("dependencies"); deps != nullptr) {
        if (!deps->is_object()) return Malformed(where, "'dependencies' must be a table");
        for (const auto& [dep, spec] : deps->object()) pkg.dependencies.push_back(NormalizeName(dep));
      }
    } else {
      // uv.lock / pylock.toml: dependencies = [{ name = "..." }, ...]
      if (entry.Find("dependencies") != nullptr) inv.has_dependency_graph = true;
      KGATE_ASSIGN_OR_RETURN(const io::json::Array* deps, OptionalArray(entry, "dependencies", where));
      for (const Value& dep : *deps) {
        if (!dep.is_object()) return Malformed(where, "each dependency must be an inline table");
        KGATE_ASSIGN_OR_RETURN(std::string dep_name, OptionalString(dep, "name", where));
        if (!dep_name.empty()) pkg.dependencies.push_back(NormalizeName(dep_name));
      }
    }
    inv.packages.push_back(std::move(pkg));
  }
  return inv;
}

absl::StatusOr<Inventory> ReadPipfileLock(const Value& doc, const std::string& name) {
  if (!doc.is_object()) return Malformed(name, "expected a JSON object");
  Inventory inv;
  for (std::string_view section : {"default", "develop"}) {
    const Value* packages = doc.Find(section);
    if (packages == nullptr) continue;
    if (!packages->is_object()) return Malformed(name, util::StrCat("'", section, "' must be an object"));
    for (const auto& [pkg_name, entry] : packages->object()) {
      const std::string where = util::StrCat(name, ":", section, "/", pkg_name);
      if (!entry.is_object()) return Malformed(where, "expected an object");
      KGATE_ASSIGN_OR_RETURN(std::string version, OptionalString(entry, "version", where));
      if (version.empty()) {
        std::string_view reason = entry.Find("editable") || entry.Find("path") || entry.Find("git")
                                      ? "editable, path or VCS source without a version"
                                      : "no version in the lockfile";
        inv.not_audited.push_back({pkg_name, std::string(reason), where});
        continue;
      }
      if (version.rfind("==", 0) != 0 || version.rfind("===", 0) == 0) {
        inv.not_audited.push_back({util::StrCat(pkg_name, version), "version is not '==V'", where});
        continue;
      }
      std::string markers;
      if (const Value* m = entry.Find("markers"); m != nullptr && m->is_string()) markers = m->string();
      inv.packages.push_back({pkg_name, NormalizeName(pkg_name), version.substr(2),
                              markers.empty() ? where : util::StrCat(where, " ; ", markers), {}});
    }
  }
  return inv;
}

}  // namespace

absl::StatusOr<LockKind> LockKindForPath(std::string_view path) {
  std::string file = std::filesystem::path(path).filename().string();
  if (file == "poetry.lock") return LockKind::kPoetry;
  if (file == "uv.lock") return LockKind::kUv;
  if (file == "Pipfile.lock") return LockKind::kPipfile;
  if (file == "pylock.toml" || (file.rfind("pylock.", 0) == 0 && file.size() > 12 &&
                                file.compare(file.size() - 5, 5, ".toml") == 0)) {
    return LockKind::kPylock;
  }
  return absl::InvalidArgumentError(util::StrCat(
      path, ": unknown lockfile name; expected poetry.lock, uv.lock, Pipfile.lock, pylock.toml or pylock.NAME.toml"));
}

absl::StatusOr<Inventory> ParseLockfile(std::string_view text, LockKind kind, const std::string& display_name) {
  Inventory inv;
  if (kind == LockKind::kPipfile) {
    absl::StatusOr<Value> doc = io::json::Parse(text);
    if (!doc.ok()) return Malformed(display_name, util::ToStd(doc.status().message()));
    KGATE_ASSIGN_OR_RETURN(inv, ReadPipfileLock(*doc, display_name));
  } else {
    KGATE_ASSIGN_OR_RETURN(Value doc, ParseToml(text, display_name));
    KGATE_ASSIGN_OR_RETURN(inv, ReadTomlPackages(doc, kind, display_name));
  }
  static constexpr std::string_view kKindNames[] = {"poetry.lock", "uv.lock", "pylock.toml", "Pipfile.lock"};
  inv.input = util::StrCat(display_name, " (", kKindNames[static_cast<int>(kind)], ")");
  return inv;
}

absl::StatusOr<Inventory> ReadLockfile(const std::string& path) {
  KGATE_ASSIGN_OR_RETURN(LockKind kind, LockKindForPath(path));
  KGATE_ASSIGN_OR_RETURN(util::MappedFile file, util::MappedFile::Open(path, kMaxLockfileBytes));
  std::string_view text(reinterpret_cast<const char*>(file.data().data()), file.data().size());
  return ParseLockfile(text, kind, path);
}

}  // namespace kgate::deps
