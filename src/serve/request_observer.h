// File: request_observer.h
// The `observe` stage of the pipeline: after a request is answered (or
// refused, by the router or by the HTTP server before routing), count it in
// the server's metrics and, for a refusal or a flagged output, write one line
// to the audit log with the rules it broke and a SHA-256 of its body, never
// the body; the same for a model the repository refused. What routing learned on the way (protocol, which loaded model,
// why it was refused) travels in a RequestOutcome.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "serve/http_types.h"
#include "serve/inference.h"
#include "serve/repository_loader.h"

namespace kgate::serve {

struct RequestOutcome {
  std::string_view protocol;     // ProtocolOf(target)
  std::string model;             // set only once the repository matched the name
  int64_t version = 0;
  std::vector<std::string> rules;  // why it was refused; empty when answered
  bool input_refused = false;      // the rules are input validation's
};

// "tfserving" (/v1/...), "kserve" (/v2...), "metrics" (/metrics), "other".
std::string_view ProtocolOf(std::string_view target);

// The distinct rules behind a refusal: the violation rules when input
// validation refused it, the kRefusalRulesPayloadUrl list (error_response.h) when a stage named
// some, otherwise one category from the HTTP status ("not_found", ...).
// Sets `*input_refused` when the rules are validation's.
std::vector<std::string> RefusalRules(const absl::Status& status, int http_status, bool* input_refused);

// A model version the repository refused at load or reload (kRefused; other
// events are ignored): counted in kgate_model_refusals_total and audited as
// a model_refused line whose rule is the reason ("unsigned", "scan", ...).
void ObserveRepositoryEvent(const ServeOptions& options, const RepositoryEvent& event);

// Counts the request and audits it when it was refused or flagged.
void ObserveRequest(const ServeOptions& options, const HttpRequest& request, std::string_view request_id,
                    const RequestOutcome& outcome, const HttpResponse& response, absl::Duration elapsed);

}  // namespace kgate::serve
