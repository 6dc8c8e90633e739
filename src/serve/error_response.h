// File: error_response.h
// The one place where a refusal becomes an HTTP reply, for every protocol:
// the canonical status code picks the HTTP status (DESIGN.md: INVALID_ARGUMENT
// 400, UNAUTHENTICATED 401, PERMISSION_DENIED 403, NOT_FOUND 404,
// RESOURCE_EXHAUSTED 429 with Retry-After, DEADLINE_EXCEEDED 504, UNAVAILABLE
// 503, anything else 500) and the body is {"error": "..."} as both TF Serving
// and KServe clients expect, plus "violations" when input validation refused
// the request. INTERNAL errors get a generic message (a distinct one when the
// output checks refused the model's output); the detail goes to the server's
// log, not to the client.
#pragma once

#include "absl/status/status.h"
#include "serve/http_types.h"

namespace kgate::serve {

int HttpStatusFor(absl::StatusCode code);

HttpResponse ErrorResponse(const absl::Status& status);

// Payload under which any stage may name the rules behind a refusal, comma
// separated ("probs:range", "signature_missing,untrusted_key"): metrics and
// the audit log report them (request_observer.h); the client never sees them.
inline constexpr char kRefusalRulesPayloadUrl[] = "kgate.dev/serve/rules";

}  // namespace kgate::serve
