// kgate verify MODEL --public-key PUB.pem [--signature FILE]: checks an
// OpenSSF model-signing bundle (kgate's or model-signing's) against the model.
#include <cstdio>
#include <string>

#include "cli/args.h"
#include "cli/commands.h"
#include "io/json/json_writer.h"
#include "trust/bundle.h"
#include "trust/ec_key.h"
#include "trust/signer.h"
#include "trust/verifier.h"
#include "util/strings.h"

namespace kgate::cli {
namespace {

std::string RenderJson(const std::string& model, const std::string& signature, const trust::VerifyReport& r) {
  io::json::Writer w(/*pretty=*/true);
  w.BeginObject().Key("model").String(model).Key("signature").String(signature);
  w.Key("verified").Bool(r.verified);
  if (!r.failure.empty()) w.Key("failure").String(r.failure);
  if (!r.signer_hint.empty()) w.Key("key").String(util::StrCat("sha256:", r.signer_hint));
  if (!r.predicate_type.empty()) {
    w.Key("predicate_type").String(r.predicate_type);
    w.Key("digest").BeginObject().Key("sha256").String(trust::ToHex(r.root_digest)).EndObject();
    w.Key("files").UInt(r.signed_manifest.resources.size());
  }
  w.Key("changed").BeginArray();
  for (const trust::ChangedResource& c : r.diff.changed) {
    w.BeginObject().Key("name").String(c.name).Key("signed_sha256").String(trust::ToHex(c.signed_digest));
    w.Key("actual_sha256").String(trust::ToHex(c.actual_digest)).EndObject();
  }
  w.EndArray().Key("missing").BeginArray();
  for (const std::string& m : r.diff.missing) w.String(m);
  w.EndArray().Key("extra").BeginArray();
  for (const std::string& e : r.diff.extra) w.String(e);
  w.EndArray().Key("renamed").BeginArray();
  for (const trust::RenamedResource& m : r.diff.renamed) w.BeginObject().Key("from").String(m.from).Key("to").String(m.to).EndObject();
  w.EndArray().EndObject();
  return w.Take() + "\n";
}

std::string RenderText(const std::string& model, const trust::VerifyReport& r) {
  if (r.verified) {
    return util::StrCat("verified ", model, ": ", r.signed_manifest.resources.size(), " file(s), model digest sha256:",
                        trust::ToHex(r.root_digest), ", signed by key sha256:", r.signer_hint, " (", r.signer_source,
                        ")", r.legacy_pae ? ", legacy model-signing 0.2 encoding" : "", ", predicate ",
                        r.predicate_type, "\n");
  }
  std::string out = util::StrCat("FAILED ", model, ":\n");
  for (const std::string& line : r.Describe()) util::StrAppend(&out, "  ", line, "\n");
  return out;
}

}  // namespace

int RunVerify(const std::vector<std::string>& argv) {
  absl::StatusOr<Args> args = Args::Parse(
      argv, {.with_value = {"--public-key", "--signature", "--ignore-path", "--format"}, .switches = {}});
  if (!args.ok()) return UsageError("verify", util::ToStd(args.status().message()));
  if (args->positional().size() != 1) return UsageError("verify", "expected exactly one MODEL (a file or a directory)");
  const std::vector<std::string> key_paths = args->GetAll("--public-key");
  if (key_paths.empty()) return UsageError("verify", "--public-key PUB.pem is required (repeat it to trust several keys)");
  const std::string format = args->Get("--format").value_or("text");
  if (format != "text" && format != "json") {
    return UsageError("verify", util::StrCat("--format must be text or json, got '", format, "'"));
  }
  const std::string& model = args->positional()[0];
  std::vector<trust::PublicKey> keys;
  for (const std::string& path : key_paths) {
    absl::StatusOr<trust::PublicKey> key = trust::PublicKey::FromPemFile(path);
    if (!key.ok()) return UsageError("verify", util::ToStd(key.status().message()));
    keys.push_back(std::move(*key));
  }
  trust::VerifyOptions options;
  options.signature_path = args->Get("--signature").value_or(trust::DefaultSignaturePath(model));
  options.ignore_paths = args->GetAll("--ignore-path");
  absl::StatusOr<std::string> bundle = trust::ReadSmallFile(options.signature_path, trust::kMaxBundleBytes);
  if (!bundle.ok()) return UsageError("verify", util::ToStd(bundle.status().message()));
  absl::StatusOr<trust::VerifyReport> report = trust::VerifyModel(model, *bundle, keys, options);
  if (!report.ok()) return UsageError("verify", util::ToStd(report.status().message()));
  const std::string out = format == "json" ? RenderJson(model, options.signature_path, *report) : RenderText(model, *report);
  std::fputs(out.c_str(), report->verified || format == "json" ? stdout : stderr);
  return report->verified ? kExitClean : kExitFound;
}

}  // namespace kgate::cli
