#include "trust/bundle.h"

#include "io/json/json.h"
#include "io/json/json_writer.h"
#include "trust/base64.h"
#include "trust/dsse.h"
#include "trust/json_fields.h"
#include "util/status_macros.h"
#include "util/strings.h"

namespace kgate::trust {
namespace {

using io::json::Value;

constexpr std::string_view kDocument = "signature bundle";

absl::Status Malformed(std::string_view pointer, std::string_view what) { return FieldError(kDocument, pointer, what); }

absl::StatusOr<const Value*> Member(const Value& object, std::string_view pointer, std::string_view key,
                                    Value::Kind kind) {
  return RequireMember(object, kDocument, pointer, key, kind);
}

absl::StatusOr<std::string> Base64Member(const Value& object, std::string_view pointer, std::string_view key) {
  KGATE_ASSIGN_OR_RETURN(const Value* v, Member(object, pointer, key, Value::Kind::kString));
  absl::StatusOr<std::string> decoded = Base64Decode(v->string());
  if (!decoded.ok()) return Malformed(util::StrCat(pointer, "/", key), util::ToStd(decoded.status().message()));
  return decoded;
}

absl::Status ParseVerificationMaterial(const Value& material, Bundle* out) {
  for (const char* keyless : {"certificate", "x509CertificateChain"}) {
    if (material.Find(keyless) != nullptr) {
      return Malformed(util::StrCat("/verificationMaterial/", keyless),
                       "certificate-based (Sigstore keyless or PKI) bundles are not supported; kgate verifies "
                       "bundles signed with a public key (verificationMaterial.publicKey)");
    }
  }
  KGATE_ASSIGN_OR_RETURN(const Value* public_key,
                         Member(material, "/verificationMaterial", "publicKey", Value::Kind::kObject));
  if (const Value* hint = public_key->Find("hint"); hint != nullptr && !hint->is_null()) {
    if (!hint->is_string()) return Malformed("/verificationMaterial/publicKey/hint", "expected a string");
    if (!hint->string().empty()) out->public_key_hint = hint->string();
  }
  return absl::OkStatus();
}

absl::Status ParseEnvelope(const Value& envelope, Bundle* out) {
  KGATE_ASSIGN_OR_RETURN(const Value* type, Member(envelope, "/dsseEnvelope", "payloadType", Value::Kind::kString));
  if (type->string() != kInTotoPayloadType) {
    return Malformed("/dsseEnvelope/payloadType",
                     util::StrCat("is '", type->string(), "'; expected '", kInTotoPayloadType, "'"));
  }
  out->payload_type = type->string();
  KGATE_ASSIGN_OR_RETURN(out->payload, Base64Member(envelope, "/dsseEnvelope", "payload"));
  KGATE_ASSIGN_OR_RETURN(const Value* signatures,
                         Member(envelope, "/dsseEnvelope", "signatures", Value::Kind::kArray));
  if (signatures->array().empty() || signatures->array().size() > kMaxEnvelopeSignatures) {
    return Malformed("/dsseEnvelope/signatures", util::StrCat("has ", signatures->array().size(),
                                                              " entries; expected 1 to ", kMaxEnvelopeSignatures));
  }
  for (size_t i = 0; i < signatures->array().size(); ++i) {
    const std::string pointer = util::StrCat("/dsseEnvelope/signatures/", i);
    const Value& entry = signatures->array()[i];
    if (!entry.is_object()) return Malformed(pointer, "expected an object with 'sig'");
    EnvelopeSignature sig;
    KGATE_ASSIGN_OR_RETURN(sig.sig, Base64Member(entry, pointer, "sig"));
    if (sig.sig.empty()) return Malformed(util::StrCat(pointer, "/sig"), "is empty");
    if (const Value* keyid = entry.Find("keyid"); keyid != nullptr && keyid->is_string()) sig.keyid = keyid->string();
    out->signatures.push_back(std::move(sig));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<Bundle> ParseBundle(std::string_view json_text) {
  if (json_text.size() > kMaxBundleBytes) {
    return absl::ResourceExhaustedError(
        util::StrCat("signature bundle is ", json_text.size(), " bytes; the cap is ", kMaxBundleBytes));
  }
  absl::StatusOr<Value> root = io::json::Parse(json_text, {.max_depth = 16});
  if (!root.ok()) {
    return absl::InvalidArgumentError(util::StrCat("signature bundle is not valid JSON: ", util::ToStd(root.status().message())));
  }
  if (!root->is_object()) return Malformed("/", "expected a JSON object (a Sigstore bundle)");
  Bundle out;
  KGATE_ASSIGN_OR_RETURN(const Value* media_type, Member(*root, "", "mediaType", Value::Kind::kString));
  if (media_type->string() != kBundleMediaType &&
      media_type->string() != "application/vnd.dev.sigstore.bundle+json;version=0.3") {
    return Malformed("/mediaType", util::StrCat("is '", media_type->string(), "'; expected '", kBundleMediaType, "'"));
  }
  out.media_type = media_type->string();
  if (root->Find("messageSignature") != nullptr) {
    return Malformed("/messageSignature", "model signatures carry a dsseEnvelope, not a messageSignature");
  }
  KGATE_ASSIGN_OR_RETURN(const Value* material, Member(*root, "", "verificationMaterial", Value::Kind::kObject));
  KGATE_RETURN_IF_ERROR(ParseVerificationMaterial(*material, &out));
  KGATE_ASSIGN_OR_RETURN(const Value* envelope, Member(*root, "", "dsseEnvelope", Value::Kind::kObject));
  KGATE_RETURN_IF_ERROR(ParseEnvelope(*envelope, &out));
  return out;
}

std::string SerializeBundle(const Bundle& bundle) {
  io::json::Writer w;
  w.BeginObject().Key("mediaType").String(bundle.media_type);
  w.Key("verificationMaterial").BeginObject().Key("publicKey").BeginObject();
  if (bundle.public_key_hint) w.Key("hint").String(*bundle.public_key_hint);
  w.EndObject().Key("tlogEntries").BeginArray().EndArray().EndObject();
  w.Key("dsseEnvelope").BeginObject();
  w.Key("payload").String(Base64Encode(bundle.payload)).Key("payloadType").String(bundle.payload_type);
  w.Key("signatures").BeginArray();
  for (const EnvelopeSignature& s : bundle.signatures) {
    w.BeginObject().Key("sig").String(Base64Encode(s.sig)).Key("keyid").String(s.keyid).EndObject();
  }
  w.EndArray().EndObject().EndObject();
  return w.Take();
}

}  // namespace kgate::trust
