#include "serve/error_response.h"

#include <cstdio>
#include <optional>
#include <string>

#include "absl/strings/cord.h"
#include "io/json/json.h"
#include "schema/violations.h"
#include "serve/output_validation.h"
#include "util/strings.h"

namespace kgate::serve {

int HttpStatusFor(absl::StatusCode code) {
  switch (code) {
    case absl::StatusCode::kOk: return 200;
    case absl::StatusCode::kInvalidArgument:
    case absl::StatusCode::kFailedPrecondition:
    case absl::StatusCode::kOutOfRange: return 400;
    case absl::StatusCode::kUnauthenticated: return 401;
    case absl::StatusCode::kPermissionDenied: return 403;
    case absl::StatusCode::kNotFound: return 404;
    case absl::StatusCode::kResourceExhausted: return 429;
    case absl::StatusCode::kDeadlineExceeded: return 504;
    case absl::StatusCode::kUnavailable: return 503;
    default: return 500;
  }
}

HttpResponse ErrorResponse(const absl::Status& status) {
  HttpResponse response;
  response.status = HttpStatusFor(status.code());
  std::string message(util::ToStd(status.message()));
  if (response.status == 500) {
    const bool output_refused = status.GetPayload(kOutputRefusedPayloadUrl).has_value();
    std::fprintf(stderr, "kgate serve: %s: %s\n", output_refused ? "output check" : "internal error", message.c_str());
    message = output_refused ? kOutputRefusedMessage : "internal error while serving the request";
  }
  response.body = "{\"error\":";
  io::json::AppendQuoted(message, &response.body);
  if (auto v = status.GetPayload(schema::kViolationsPayloadUrl)) {
    // The payload is an object {"violations": [...], ...}: splice its members.
    std::string members(*v);
    if (members.size() > 2) {
      response.body += ',';
      response.body.append(members, 1, members.size() - 2);
    }
  }
  response.body += '}';
  if (response.status == 429) response.headers.emplace_back("Retry-After", "1");
  return response;
}

}  // namespace kgate::serve
