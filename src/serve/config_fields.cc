#include "serve/config_fields.h"

#include <sys/stat.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <iterator>

#include "io/yaml/yaml.h"
#include "schema/config_fields.h"
#include "util/strings.h"

namespace kgate::serve::config {

using io::json::Value;

absl::StatusOr<Value> ReadDocument(const std::string& path) {
  struct stat st;
  if (::lstat(path.c_str(), &st) != 0) return absl::NotFoundError(util::StrCat(path, ": cannot read the file"));
  if (S_ISLNK(st.st_mode)) return absl::InvalidArgumentError(util::StrCat(path, ": symlinks are refused"));
  if (!S_ISREG(st.st_mode)) return absl::InvalidArgumentError(util::StrCat(path, ": not a regular file"));
  if (static_cast<uint64_t>(st.st_size) > kMaxConfigBytes) {
    return absl::InvalidArgumentError(
        util::StrCat(path, ": ", st.st_size, " bytes; a configuration file is at most ", kMaxConfigBytes, " bytes"));
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(util::StrCat(path, ": cannot open the file"));
  std::string text;
  text.reserve(static_cast<size_t>(st.st_size));
  // Bounded again while reading: the file may have grown since the stat.
  char buf[8192];
  while (in.read(buf, sizeof(buf)) || in.gcount() > 0) {
    text.append(buf, static_cast<size_t>(in.gcount()));
    if (text.size() > kMaxConfigBytes) {
      return absl::InvalidArgumentError(
          util::StrCat(path, ": more than ", kMaxConfigBytes, " bytes; a configuration file is at most that"));
    }
  }
  absl::StatusOr<Value> doc = io::yaml::Parse(text, path);
  if (!doc.ok()) return absl::InvalidArgumentError(doc.status().message());
  if (doc->is_null()) return Value::MakeObject({});
  return doc;
}

absl::StatusOr<int64_t> ReadInt(const Value& v, std::string_view where, std::string_view key_path, int64_t lo,
                                int64_t hi) {
  if (!v.is_number() || !v.number().integer || *v.number().integer < lo || *v.number().integer > hi) {
    return schema::ConfigError(where, key_path,
                               util::StrCat("expected an integer in ", lo, "..", hi, ", got ", schema::DescribeValue(v)));
  }
  return *v.number().integer;
}

absl::StatusOr<double> ReadNumber(const Value& v, std::string_view where, std::string_view key_path, double lo,
                                  double hi) {
  if (!v.is_number() || !std::isfinite(v.number().value) || v.number().value < lo || v.number().value > hi) {
    return schema::ConfigError(where, key_path,
                               util::StrCat("expected a number in ", lo, "..", hi, ", got ", schema::DescribeValue(v)));
  }
  return v.number().value;
}

absl::StatusOr<std::vector<std::string>> ReadStringList(const Value& v, std::string_view where,
                                                        std::string_view key_path) {
  if (!v.is_array()) {
    return schema::ConfigError(where, key_path, util::StrCat("expected a list of strings, got ", schema::DescribeValue(v)));
  }
  std::vector<std::string> out;
  for (size_t i = 0; i < v.array().size(); ++i) {
    absl::StatusOr<std::string> s = schema::ReadString(v.array()[i], where, util::StrCat(key_path, "[", i, "]"));
    if (!s.ok()) return s.status();
    out.push_back(*std::move(s));
  }
  return out;
}

std::string ResolvePath(std::string_view base_dir, const std::string& path) {
  const std::filesystem::path p(path);
  if (p.is_absolute() || base_dir.empty()) return path;
  return (std::filesystem::path(std::string(base_dir)) / p).lexically_normal().string();
}

}  // namespace kgate::serve::config
