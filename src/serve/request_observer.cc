#include "serve/request_observer.h"

#include <algorithm>

#include "absl/strings/cord.h"
#include "io/json/json.h"
#include "observe/audit_log.h"
#include "schema/violations.h"
#include "serve/error_response.h"
#include "serve/serve_metrics.h"
#include "trust/digest.h"
#include "util/strings.h"

namespace kgate::serve {
namespace {

void AddDistinct(std::string rule, std::vector<std::string>* rules) {
  if (std::find(rules->begin(), rules->end(), rule) == rules->end()) rules->push_back(std::move(rule));
}

std::string_view CategoryOf(int http_status) {
  switch (http_status) {
    case 400: return "bad_request";
    case 401: return "unauthenticated";
    case 403: return "permission_denied";
    case 404: return "not_found";
    case 413: return "body_too_large";
    case 415: return "unsupported_content_encoding";
    case 429: return "resource_exhausted";
    case 431: return "headers_too_large";
    case 503: return "unavailable";
    case 504: return "deadline_exceeded";
    default: return "internal";
  }
}

// The body's digest as the client sent it; "" when there was no body.
std::string BodyDigest(const HttpRequest& request) {
  if (request.encoded) {
    if (!request.encoded->sha256.empty()) return request.encoded->sha256;
    return trust::ToHex(trust::HashBytes(request.encoded->sent));
  }
  if (request.body.empty()) return "";
  return trust::ToHex(trust::HashBytes(request.body));
}

}  // namespace

std::string_view ProtocolOf(std::string_view target) {
  target = target.substr(0, target.find('?'));
  if (target == "/v1" || target.starts_with("/v1/")) return "tfserving";
  if (target == "/v2" || target.starts_with("/v2/")) return "kserve";
  if (target == "/metrics") return "metrics";
  return "other";
}

std::vector<std::string> RefusalRules(const absl::Status& status, int http_status, bool* input_refused) {
  std::vector<std::string> rules;
  *input_refused = false;
  if (auto payload = status.GetPayload(schema::kViolationsPayloadUrl)) {
    // Written by schema::Violations::ToStatus: {"violations": [{"rule": ...}, ...], ...}, capped in count.
    absl::StatusOr<io::json::Value> v = io::json::Parse(std::string(*payload));
    const io::json::Value* list = v.ok() ? v->Find("violations") : nullptr;
    if (list != nullptr && list->is_array()) {
      for (const io::json::Value& item : list->array()) {
        const io::json::Value* rule = item.Find("rule");
        if (rule != nullptr && rule->is_string()) AddDistinct(rule->string(), &rules);
      }
    }
    *input_refused = !rules.empty();
  }
  if (auto payload = status.GetPayload(kRefusalRulesPayloadUrl)) {
    const std::string list(*payload);
    size_t start = 0;
    while (start <= list.size()) {
      size_t comma = list.find(',', start);
      if (comma == std::string::npos) comma = list.size();
      if (comma > start) AddDistinct(list.substr(start, comma - start), &rules);
      start = comma + 1;
    }
  }
  if (rules.empty()) rules.emplace_back(CategoryOf(http_status));
  return rules;
}

void ObserveRepositoryEvent(const ServeOptions& options, const RepositoryEvent& event) {
  if (event.kind != RepositoryEvent::Kind::kRefused) return;
  if (options.metrics != nullptr) options.metrics->model_refusals->With({event.model, event.reason}).Increment();
  if (options.audit_log == nullptr) return;
  observe::AuditRecord record;
  record.event = observe::kAuditModelRefused;
  record.model = event.model;
  record.version = event.version;
  record.rules = {event.reason};
  record.detail = event.message;
  options.audit_log->Write(record);
}

void ObserveRequest(const ServeOptions& options, const HttpRequest& request, std::string_view request_id,
                    const RequestOutcome& outcome, const HttpResponse& response, absl::Duration elapsed) {
  if (ServeMetrics* m = options.metrics) {
    const std::string code = util::StrCat(response.status);
    m->requests->With({outcome.protocol, outcome.model, code}).Increment();
    m->request_duration->With({outcome.protocol}).Observe(absl::ToDoubleSeconds(elapsed));
    if (request.method == "POST" || !request.body.empty()) {
      const uint64_t bytes = request.encoded ? request.encoded->bytes : request.body.size();
      m->body_bytes->With({outcome.protocol}).Observe(static_cast<double>(bytes));
    }
    if (outcome.input_refused) {
      for (const std::string& rule : outcome.rules) m->input_refusals->With({outcome.model, rule}).Increment();
    }
  }
  const bool refused = response.status >= 400;
  if (options.audit_log == nullptr || (!refused && response.flagged_rules.empty())) return;
  observe::AuditRecord record;
  record.event = refused ? observe::kAuditRefusal : observe::kAuditOutputFlagged;
  record.request_id = std::string(request_id);
  record.client = request.client;
  record.protocol = std::string(outcome.protocol);
  record.model = outcome.model;
  record.version = outcome.version;
  record.status = response.status;
  record.rules = outcome.rules;
  for (const std::string& rule : response.flagged_rules) AddDistinct(rule, &record.rules);
  record.input_sha256 = BodyDigest(request);
  options.audit_log->Write(record);
}

}  // namespace kgate::serve
