#include "trust/json_fields.h"

#include "util/strings.h"

namespace kgate::trust {

using io::json::Value;

absl::Status FieldError(std::string_view document, std::string_view pointer, std::string_view what) {
  return absl::InvalidArgumentError(util::StrCat(document, " ", pointer, ": ", what));
}

absl::StatusOr<const Value*> RequireMember(const Value& object, std::string_view document, std::string_view pointer,
                                           std::string_view key, Value::Kind kind) {
  if (!object.is_object()) return FieldError(document, pointer, "expected an object");
  const std::string where = util::StrCat(pointer, "/", key);
  const Value* v = object.Find(key);
  if (v == nullptr) return FieldError(document, where, util::StrCat("missing; expected a ", Value::KindName(kind)));
  if (v->kind() != kind) {
    return FieldError(document, where,
                      util::StrCat("is a ", Value::KindName(v->kind()), "; expected a ", Value::KindName(kind)));
  }
  return v;
}

}  // namespace kgate::trust
