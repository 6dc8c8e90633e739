// File: output_validation.h
// The validate-output stage of the request pipeline: after inference, each
// output a model's OutputSpec (schema/output_spec.h) names is checked, and
// each broken rule acts as configured. `reject` ends the request with
// INTERNAL carrying kOutputRefusedPayloadUrl, which error_response.h turns
// into a 500 whose message says nothing of the output (the detail goes to
// the server log); `flag` returns an OutputFlag the protocols put in the
// reply (a "kgate_flags" field and the X-Kgate-Flags header); `log` writes a
// line to the server log and returns an OutputFlag that only the audit log
// sees. Every broken rule is also handed to the OutputEventSink, if one is
// set (metrics). Stateless and thread-safe.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "engine/tensor.h"
#include "io/json/json_writer.h"
#include "schema/output_spec.h"
#include "serve/http_types.h"

namespace kgate::serve {

struct ServedModel;

// One broken output rule in one reply.
struct OutputFlag {
  std::string output;
  schema::OutputRuleKind rule = schema::OutputRuleKind::kFinite;
  schema::OutputAction action = schema::OutputAction::kFlag;
  std::vector<int64_t> rows;  // the first batch indexes that broke it
  int64_t count = 0;          // how many did
};

// Told of every broken rule, whatever its action; must be thread-safe.
using OutputEventSink = std::function<void(const ServedModel& served, const OutputFlag& event)>;

// The broken `flag` and `log` rules (each with its action), or the INTERNAL
// refusal when a `reject` rule broke.
absl::StatusOr<std::vector<OutputFlag>> ValidateOutputs(const ServedModel& served,
                                                        const std::vector<engine::HostTensor>& outputs,
                                                        const OutputEventSink& sink = nullptr);

// Payload URL marking an INTERNAL status as an output refusal (generic reply).
inline constexpr char kOutputRefusedPayloadUrl[] = "kgate.dev/serve/output_refused";
// What the client is told when an output is refused.
inline constexpr char kOutputRefusedMessage[] = "the model's output did not pass the server's output checks";

// "probs:simplex": the output (header-token characters only) and the rule.
// Names a broken rule in the X-Kgate-Flags header, metrics and the audit log.
std::string OutputFlagName(const OutputFlag& flag);
// True when any of `flags` has the action `flag` (the client sees only those).
bool AnyFlagged(const std::vector<OutputFlag>& flags);
// "probs:simplex,probs:min_confidence": the X-Kgate-Flags header value (`flag` rules).
std::string FlagsHeaderValue(const std::vector<OutputFlag>& flags);
// Adds X-Kgate-Flags to `response` when a `flag` rule broke, and names every
// rule in its flagged_rules for the audit log (`log` ones as "probs:range(log)").
void AddFlagsHeader(const std::vector<OutputFlag>& flags, HttpResponse* response);
// [{"output": ..., "rule": ..., "rows": [...], "count": N}, ...] for the `flag` rules.
void WriteFlags(const std::vector<OutputFlag>& flags, io::json::Writer* w);

}  // namespace kgate::serve
