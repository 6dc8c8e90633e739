// File: statement.h
// The in-toto Statement (v1) inside a model signature, to and from a
// Manifest. Two predicates are understood:
//   - https://model_signing/signature/v1.0 (written and read): one subject
//     named after the model whose sha256 is the root digest over all resource
//     digests; the predicate lists the serialization and every resource.
//   - https://model_signing/Digests/v0.1 (read only, model-signing 0.2): one
//     subject per file, files serialization with SHA-256 and no symlinks.
// Parsing checks every field it uses, refuses duplicate resource names and
// hash types other than sha256, and checks that the resources hash to the
// subject digest, so a statement cannot say one thing in its subject and
// another in its predicate. Unknown predicate fields are ignored, as the
// v1.0 format asks of verifiers.
#pragma once

#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "trust/manifest.h"

namespace kgate::trust {

inline constexpr std::string_view kStatementType = "https://in-toto.io/Statement/v1";
inline constexpr std::string_view kPredicateTypeV1 = "https://model_signing/signature/v1.0";
inline constexpr std::string_view kPredicateTypeV01 = "https://model_signing/Digests/v0.1";

struct SignedStatement {
  std::string predicate_type;
  Manifest manifest;  // resources in the order the statement lists them
  Sha256 root_digest{};
};

// The v1.0 statement for `manifest` (resources must be in canonical order),
// as indented JSON.
std::string StatementJson(const Manifest& manifest);

absl::StatusOr<SignedStatement> ParseStatement(std::string_view payload);

}  // namespace kgate::trust
