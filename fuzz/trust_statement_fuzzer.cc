// Fuzzes the in-toto statement reader (trust/statement.h) directly, since
// inside a bundle the statement is base64 and mutations rarely reach it:
//  - refusals are InvalidArgument or ResourceExhausted and name the statement;
//  - an accepted v1.0 statement's resources hash to its subject digest, and
//    writing it back with StatementJson re-parses to the same resources.
// Any disagreement aborts, so libFuzzer reports it as a crash.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "trust/manifest.h"
#include "trust/statement.h"
#include "util/strings.h"

namespace {

[[noreturn]] void Fail(const char* what, std::string_view detail) {
  std::fprintf(stderr, "trust_statement_fuzzer: %s: %.*s\n", what, static_cast<int>(detail.size()), detail.data());
  std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  absl::StatusOr<kgate::trust::SignedStatement> statement = kgate::trust::ParseStatement(text);
  if (!statement.ok()) {
    const std::string_view message = kgate::util::ToStd(statement.status().message());
    if (statement.status().code() != absl::StatusCode::kInvalidArgument &&
        statement.status().code() != absl::StatusCode::kResourceExhausted) {
      Fail("unexpected error code", message);
    }
    if (message.find("signed statement") == std::string_view::npos) Fail("error does not name the statement", message);
    return 0;
  }
  if (kgate::trust::RootDigest(statement->manifest.resources) != statement->root_digest) {
    Fail("root digest is not over the listed resources", text);
  }
  if (statement->predicate_type != kgate::trust::kPredicateTypeV1) return 0;
  const std::string written = kgate::trust::StatementJson(statement->manifest);
  absl::StatusOr<kgate::trust::SignedStatement> again = kgate::trust::ParseStatement(written);
  if (!again.ok()) Fail("written statement does not re-parse", kgate::util::ToStd(again.status().message()));
  if (again->root_digest != statement->root_digest ||
      again->manifest.resources.size() != statement->manifest.resources.size()) {
    Fail("statement round trip changed the resources", written);
  }
  return 0;
}
