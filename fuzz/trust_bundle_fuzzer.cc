// Fuzzes the model-signature bundle reader (trust/bundle.h) and what the
// verifier does with a parsed bundle before any file is read:
//  - an accepted bundle serializes and re-parses to the same fields;
//  - its payload goes through the statement parser;
//  - every signature is checked against a fixed P-256 key (OpenSSL's DER
//    decoder sees arbitrary bytes) and must not verify;
//  - refusals are InvalidArgument or ResourceExhausted and name the bundle.
// Any disagreement aborts, so libFuzzer reports it as a crash.
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "trust/bundle.h"
#include "trust/dsse.h"
#include "trust/ec_key.h"
#include "trust/statement.h"
#include "util/strings.h"

namespace {

using kgate::trust::Bundle;

[[noreturn]] void Fail(const char* what, std::string_view detail) {
  std::fprintf(stderr, "trust_bundle_fuzzer: %s: %.*s\n", what, static_cast<int>(detail.size()), detail.data());
  std::abort();
}

const kgate::trust::PublicKey& FixedKey() {
  static const kgate::trust::PublicKey* key = [] {
    EVP_PKEY* raw = EVP_EC_gen("P-256");
    BIO* bio = BIO_new(BIO_s_mem());
    PEM_write_bio_PUBKEY(bio, raw);
    char* data = nullptr;
    const long len = BIO_get_mem_data(bio, &data);
    auto parsed = kgate::trust::PublicKey::FromPem(std::string_view(data, static_cast<size_t>(len)), "fuzz");
    BIO_free(bio);
    EVP_PKEY_free(raw);
    if (!parsed.ok()) Fail("key setup", kgate::util::ToStd(parsed.status().message()));
    return new kgate::trust::PublicKey(*parsed);
  }();
  return *key;
}

void CheckRefusal(const absl::Status& s, std::string_view prefix) {
  const std::string_view message = kgate::util::ToStd(s.message());
  if (s.code() != absl::StatusCode::kInvalidArgument && s.code() != absl::StatusCode::kResourceExhausted) {
    Fail("unexpected error code", message);
  }
  if (message.find(prefix) == std::string_view::npos) Fail("error does not name what it read", message);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  absl::StatusOr<Bundle> bundle = kgate::trust::ParseBundle(text);
  if (!bundle.ok()) {
    CheckRefusal(bundle.status(), "signature bundle");
    return 0;
  }
  const std::string again_text = kgate::trust::SerializeBundle(*bundle);
  absl::StatusOr<Bundle> again = kgate::trust::ParseBundle(again_text);
  if (!again.ok()) Fail("serialized bundle does not re-parse", kgate::util::ToStd(again.status().message()));
  if (again->payload != bundle->payload || again->payload_type != bundle->payload_type ||
      again->public_key_hint != bundle->public_key_hint || again->signatures.size() != bundle->signatures.size()) {
    Fail("round trip changed the bundle", again_text);
  }
  const std::string pae = kgate::trust::Pae(bundle->payload_type, bundle->payload);
  for (const kgate::trust::EnvelopeSignature& sig : bundle->signatures) {
    if (FixedKey().Verify(pae, sig.sig)) Fail("a fuzzed signature verified", sig.sig);
  }
  absl::StatusOr<kgate::trust::SignedStatement> statement = kgate::trust::ParseStatement(bundle->payload);
  if (!statement.ok()) CheckRefusal(statement.status(), "signed statement");
  return 0;
}
