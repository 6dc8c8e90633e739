#include "serve/trust_section.h"

#include "schema/config_fields.h"
#include "serve/config_fields.h"
#include "util/strings.h"

namespace kgate::serve {

using io::json::Value;

absl::StatusOr<TrustSection> ParseTrustSection(const Value& v, std::string_view where, std::string_view key_path,
                                               std::string_view base_dir) {
  if (absl::Status s = schema::CheckObject(v, {"require_signature", "trusted_keys", "pinned_digests", "hygiene"}, where, key_path);
      !s.ok()) {
    return s;
  }
  TrustSection out;
  for (const auto& [key, value] : v.object()) {
    const std::string path = schema::ConfigPath(key_path, key);
    if (key == "require_signature") {
      absl::StatusOr<bool> b = schema::ReadBool(value, where, path);
      if (!b.ok()) return b.status();
      out.require_signature = *b;
      out.spec.require_signature = *b;
    } else if (key == "trusted_keys") {
      absl::StatusOr<std::vector<std::string>> files = config::ReadStringList(value, where, path);
      if (!files.ok()) return files.status();
      for (const std::string& f : *files) out.spec.trusted_key_files.push_back(config::ResolvePath(base_dir, f));
    } else if (key == "pinned_digests") {
      absl::StatusOr<std::vector<std::string>> pins = config::ReadStringList(value, where, path);
      if (!pins.ok()) return pins.status();
      out.spec.pinned_digests = *std::move(pins);
    } else {
      absl::StatusOr<std::string> h = schema::ReadString(value, where, path);
      if (!h.ok()) return h.status();
      if (*h != "off" && *h != "warn" && *h != "refuse") {
        return schema::ConfigError(where, path, util::StrCat("expected off, warn or refuse, got ", schema::DescribeValue(value)));
      }
      out.hygiene = *h;
      out.spec.hygiene = *h;
    }
  }
  return out;
}

namespace {

std::string_view HygieneName(trust::HygieneAction a) {
  switch (a) {
    case trust::HygieneAction::kOff:
      return "off";
    case trust::HygieneAction::kWarn:
      return "warn";
    case trust::HygieneAction::kRefuse:
      return "refuse";
  }
  return "";
}

}  // namespace

absl::StatusOr<trust::TrustPolicy> NarrowServerPolicy(const trust::TrustPolicy& server, const TrustSection& model,
                                                      std::string_view where, std::string_view key_path) {
  if (model.require_signature == false && server.require_signature) {
    return schema::ConfigError(where, schema::ConfigPath(key_path, "require_signature"),
                         "false would loosen the server's trust policy, which requires a signature; a kgate.yaml "
                         "may only tighten it");
  }
  // A model may require a signature and rely on the server's keys, so its own
  // part is validated only once merged.
  trust::TrustPolicySpec spec = model.spec;
  spec.require_signature = false;
  absl::StatusOr<trust::TrustPolicy> own = trust::BuildPolicy(spec, util::StrCat(where, ":"));
  if (!own.ok()) return own.status();
  own->require_signature = model.spec.require_signature;
  if (model.hygiene.has_value() && own->hygiene < server.hygiene) {
    return schema::ConfigError(where, schema::ConfigPath(key_path, "hygiene"),
                         util::StrCat(*model.hygiene, " would loosen the server's hygiene action (",
                                      HygieneName(server.hygiene), "); a kgate.yaml may only tighten it"));
  }
  absl::StatusOr<trust::TrustPolicy> narrowed = trust::TightenPolicy(server, *own);
  if (!narrowed.ok()) return schema::ConfigError(where, key_path, util::ToStd(narrowed.status().message()));
  return narrowed;
}

}  // namespace kgate::serve
