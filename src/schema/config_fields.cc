#include "schema/config_fields.h"

#include "util/strings.h"

namespace kgate::schema {

using io::json::Value;

std::string DescribeValue(const Value& v) {
  switch (v.kind()) {
    case Value::Kind::kString: {
      std::string quoted;
      io::json::AppendQuoted(v.string().substr(0, 64), &quoted);
      return util::StrCat("string ", quoted);
    }
    case Value::Kind::kNumber: return util::StrCat("number ", v.number().value);
    case Value::Kind::kBool: return v.bool_value() ? "true" : "false";
    default: return std::string(Value::KindName(v.kind()));
  }
}

namespace {

absl::Status Expected(const Value& v, std::string_view what, std::string_view where, std::string_view path) {
  return ConfigError(where, path, util::StrCat("expected ", what, ", got ", DescribeValue(v)));
}

}  // namespace

absl::Status ConfigError(std::string_view where, std::string_view path, std::string_view what) {
  if (path.empty()) return absl::InvalidArgumentError(util::StrCat(where, ": ", what));
  return absl::InvalidArgumentError(util::StrCat(where, ": ", path, ": ", what));
}

std::string ConfigPath(std::string_view path, std::string_view key) {
  return path.empty() ? std::string(key) : util::StrCat(path, ".", key);
}

absl::Status CheckObject(const Value& v, std::initializer_list<std::string_view> allowed, std::string_view where,
                         std::string_view path) {
  if (!v.is_object()) return Expected(v, "a mapping", where, path);
  for (const io::json::Member& m : v.object()) {
    bool known = false;
    for (std::string_view k : allowed) known = known || m.first == k;
    if (!known) {
      return ConfigError(where, ConfigPath(path, m.first),
                         util::StrCat("unknown key; expected one of ", util::StrJoin(allowed, ", ")));
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<double> ReadNumber(const Value& v, std::string_view where, std::string_view path) {
  if (!v.is_number()) return Expected(v, "a number", where, path);
  return v.number().value;
}

absl::StatusOr<int64_t> ReadInteger(const Value& v, std::string_view where, std::string_view path) {
  if (!v.is_number() || !v.number().integer) return Expected(v, "an integer", where, path);
  return *v.number().integer;
}

absl::StatusOr<std::string> ReadString(const Value& v, std::string_view where, std::string_view path) {
  if (!v.is_string()) return Expected(v, "a string", where, path);
  return v.string();
}

absl::StatusOr<bool> ReadBool(const Value& v, std::string_view where, std::string_view path) {
  if (!v.is_bool()) return Expected(v, "true or false", where, path);
  return v.bool_value();
}

}  // namespace kgate::schema
