#include "trust/statement.h"

#include <set>

#include "io/json/json.h"
#include "io/json/json_writer.h"
#include "trust/hash_model.h"
#include "trust/json_fields.h"
#include "util/status_macros.h"
#include "util/strings.h"

namespace kgate::trust {
namespace {

using io::json::Value;

constexpr std::string_view kDocument = "signed statement";

absl::Status Malformed(std::string_view pointer, std::string_view what) { return FieldError(kDocument, pointer, what); }

absl::StatusOr<const Value*> Member(const Value& object, std::string_view pointer, std::string_view key,
                                    Value::Kind kind) {
  return RequireMember(object, kDocument, pointer, key, kind);
}

absl::StatusOr<Sha256> HexMember(const Value& object, std::string_view pointer, std::string_view key) {
  KGATE_ASSIGN_OR_RETURN(const Value* v, Member(object, pointer, key, Value::Kind::kString));
  std::optional<Sha256> digest = Sha256FromHex(v->string());
  if (!digest) return Malformed(util::StrCat(pointer, "/", key), "expected 64 hex digits (a SHA-256 digest)");
  return *digest;
}

// How model-signing names a resource's digest: "sha256" for whole files,
// "sha256-sharded-<shard_size>" for shards.
std::string ResourceAlgorithm(const Serialization& s) {
  if (s.method == SerializationMethod::kFiles) return "sha256";
  return util::StrCat("sha256-sharded-", s.shard_size);
}

absl::Status AddResource(std::string name, const Sha256& digest, std::string_view pointer,
                         std::set<std::string>* seen, Manifest* manifest) {
  if (manifest->resources.size() >= kMaxResources) {
    return absl::ResourceExhaustedError(util::StrCat("signed statement lists more than ", kMaxResources, " resources"));
  }
  if (!seen->insert(name).second) return Malformed(pointer, util::StrCat("resource '", name, "' is listed twice"));
  manifest->resources.push_back({std::move(name), digest});
  return absl::OkStatus();
}

absl::Status ParseSerialization(const Value& predicate, Serialization* out) {
  KGATE_ASSIGN_OR_RETURN(const Value* s, Member(predicate, "/predicate", "serialization", Value::Kind::kObject));
  constexpr std::string_view kPtr = "/predicate/serialization";
  KGATE_ASSIGN_OR_RETURN(const Value* method, Member(*s, kPtr, "method", Value::Kind::kString));
  if (method->string() == "files") {
    out->method = SerializationMethod::kFiles;
  } else if (method->string() == "shards") {
    out->method = SerializationMethod::kShards;
    KGATE_ASSIGN_OR_RETURN(const Value* size, Member(*s, kPtr, "shard_size", Value::Kind::kNumber));
    // model-signing writes the predicate through a protobuf Struct, so the
    // size arrives as a double ("shard_size": 1000000000.0).
    const double v = size->number().value;
    if (!(v >= 1 && v <= 9007199254740992.0) || v != static_cast<double>(static_cast<uint64_t>(v))) {
      return Malformed("/predicate/serialization/shard_size", "expected a positive whole number of bytes");
    }
    out->shard_size = size->number().integer ? static_cast<uint64_t>(*size->number().integer) : static_cast<uint64_t>(v);
  } else {
    return Malformed("/predicate/serialization/method", util::StrCat("is '", method->string(), "'; expected 'files' or 'shards'"));
  }
  KGATE_ASSIGN_OR_RETURN(const Value* hash_type, Member(*s, kPtr, "hash_type", Value::Kind::kString));
  if (hash_type->string() != "sha256") {
    return Malformed("/predicate/serialization/hash_type",
                     util::StrCat("is '", hash_type->string(), "'; kgate verifies sha256 manifests only"));
  }
  KGATE_ASSIGN_OR_RETURN(const Value* symlinks, Member(*s, kPtr, "allow_symlinks", Value::Kind::kBool));
  out->allow_symlinks = symlinks->bool_value();
  if (const Value* ignore = s->Find("ignore_paths"); ignore != nullptr) {
    if (!ignore->is_array()) return Malformed("/predicate/serialization/ignore_paths", "expected an array of strings");
    for (size_t i = 0; i < ignore->array().size(); ++i) {
      const Value& p = ignore->array()[i];
      if (!p.is_string()) return Malformed(util::StrCat("/predicate/serialization/ignore_paths/", i), "expected a string");
      out->ignore_paths.push_back(p.string());
    }
  }
  return absl::OkStatus();
}

absl::Status ParseV1(const Value& root, SignedStatement* out) {
  KGATE_ASSIGN_OR_RETURN(const Value* subjects, Member(root, "", "subject", Value::Kind::kArray));
  if (subjects->array().size() != 1) {
    return Malformed("/subject", util::StrCat("has ", subjects->array().size(), " entries; expected exactly 1"));
  }
  const Value& subject = subjects->array()[0];
  KGATE_ASSIGN_OR_RETURN(const Value* name, Member(subject, "/subject/0", "name", Value::Kind::kString));
  out->manifest.model_name = name->string();
  KGATE_ASSIGN_OR_RETURN(const Value* digest, Member(subject, "/subject/0", "digest", Value::Kind::kObject));
  KGATE_ASSIGN_OR_RETURN(const Sha256 subject_digest, HexMember(*digest, "/subject/0/digest", "sha256"));

  KGATE_ASSIGN_OR_RETURN(const Value* predicate, Member(root, "", "predicate", Value::Kind::kObject));
  KGATE_RETURN_IF_ERROR(ParseSerialization(*predicate, &out->manifest.serialization));
  KGATE_ASSIGN_OR_RETURN(const Value* resources, Member(*predicate, "/predicate", "resources", Value::Kind::kArray));
  std::set<std::string> seen;
  for (size_t i = 0; i < resources->array().size(); ++i) {
    const std::string pointer = util::StrCat("/predicate/resources/", i);
    const Value& r = resources->array()[i];
    KGATE_ASSIGN_OR_RETURN(const Value* rname, Member(r, pointer, "name", Value::Kind::kString));
    KGATE_ASSIGN_OR_RETURN(const Value* algorithm, Member(r, pointer, "algorithm", Value::Kind::kString));
    const std::string expected = ResourceAlgorithm(out->manifest.serialization);
    if (algorithm->string() != expected) {
      return Malformed(util::StrCat(pointer, "/algorithm"),
                       util::StrCat("is '", algorithm->string(), "'; expected '", expected,
                                    "' (kgate verifies sha256 manifests only)"));
    }
    KGATE_ASSIGN_OR_RETURN(const Sha256 rdigest, HexMember(r, pointer, "digest"));
    std::string shard_path;
    uint64_t start = 0, end = 0;
    if (out->manifest.serialization.method == SerializationMethod::kShards &&
        !ParseShardName(rname->string(), &shard_path, &start, &end)) {
      return Malformed(util::StrCat(pointer, "/name"), "expected 'path:start:end' with start < end in a shard manifest");
    }
    KGATE_RETURN_IF_ERROR(AddResource(rname->string(), rdigest, pointer, &seen, &out->manifest));
  }
  out->root_digest = RootDigest(out->manifest.resources);
  if (out->root_digest != subject_digest) {
    return absl::InvalidArgumentError(util::StrCat(
        "signed statement is inconsistent: /subject/0/digest/sha256 is ", ToHex(subject_digest),
        " but the resources in /predicate/resources hash to ", ToHex(out->root_digest)));
  }
  return absl::OkStatus();
}

absl::Status ParseV01(const Value& root, SignedStatement* out) {
  out->manifest.model_name = "";
  KGATE_ASSIGN_OR_RETURN(const Value* subjects, Member(root, "", "subject", Value::Kind::kArray));
  std::set<std::string> seen;
  for (size_t i = 0; i < subjects->array().size(); ++i) {
    const std::string pointer = util::StrCat("/subject/", i);
    const Value& s = subjects->array()[i];
    KGATE_ASSIGN_OR_RETURN(const Value* name, Member(s, pointer, "name", Value::Kind::kString));
    KGATE_ASSIGN_OR_RETURN(const Value* digest, Member(s, pointer, "digest", Value::Kind::kObject));
    KGATE_ASSIGN_OR_RETURN(const Sha256 d, HexMember(*digest, util::StrCat(pointer, "/digest"), "sha256"));
    KGATE_RETURN_IF_ERROR(AddResource(name->string(), d, pointer, &seen, &out->manifest));
  }
  out->root_digest = RootDigest(out->manifest.resources);
  return absl::OkStatus();
}

}  // namespace

std::string StatementJson(const Manifest& manifest) {
  io::json::Writer w(/*pretty=*/true);
  w.BeginObject().Key("_type").String(kStatementType);
  w.Key("subject").BeginArray().BeginObject().Key("name").String(manifest.model_name);
  w.Key("digest").BeginObject().Key("sha256").String(ToHex(RootDigest(manifest.resources))).EndObject();
  w.EndObject().EndArray();
  w.Key("predicateType").String(kPredicateTypeV1);
  w.Key("predicate").BeginObject().Key("serialization").BeginObject();
  const Serialization& s = manifest.serialization;
  w.Key("method").String(s.method == SerializationMethod::kFiles ? "files" : "shards");
  w.Key("hash_type").String("sha256");
  if (s.method == SerializationMethod::kShards) w.Key("shard_size").UInt(s.shard_size);
  w.Key("allow_symlinks").Bool(s.allow_symlinks);
  if (!s.ignore_paths.empty()) {
    w.Key("ignore_paths").BeginArray();
    for (const std::string& p : s.ignore_paths) w.String(p);
    w.EndArray();
  }
  w.EndObject().Key("resources").BeginArray();
  for (const Resource& r : manifest.resources) {
    w.BeginObject().Key("name").String(r.name).Key("algorithm").String(ResourceAlgorithm(s)).Key("digest").String(ToHex(r.digest));
    w.EndObject();
  }
  w.EndArray().EndObject().EndObject();
  return w.Take();
}

absl::StatusOr<SignedStatement> ParseStatement(std::string_view payload) {
  absl::StatusOr<Value> root = io::json::Parse(payload, {.max_depth = 16});
  if (!root.ok()) {
    return absl::InvalidArgumentError(util::StrCat("signed statement is not valid JSON: ", util::ToStd(root.status().message())));
  }
  if (!root->is_object()) return Malformed("/", "expected a JSON object (an in-toto Statement)");
  KGATE_ASSIGN_OR_RETURN(const Value* type, Member(*root, "", "_type", Value::Kind::kString));
  if (type->string() != kStatementType) {
    return Malformed("/_type", util::StrCat("is '", type->string(), "'; expected '", kStatementType, "'"));
  }
  KGATE_ASSIGN_OR_RETURN(const Value* predicate_type, Member(*root, "", "predicateType", Value::Kind::kString));
  SignedStatement out;
  out.predicate_type = predicate_type->string();
  if (out.predicate_type == kPredicateTypeV1) {
    KGATE_RETURN_IF_ERROR(ParseV1(*root, &out));
  } else if (out.predicate_type == kPredicateTypeV01) {
    KGATE_RETURN_IF_ERROR(ParseV01(*root, &out));
  } else {
    return Malformed("/predicateType", util::StrCat("is '", out.predicate_type, "'; expected '", kPredicateTypeV1,
                                                    "' (or the older '", kPredicateTypeV01, "')"));
  }
  return out;
}

}  // namespace kgate::trust
