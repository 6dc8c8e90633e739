#include "serve/output_validation.h"

#include <cstdio>
#include <span>

#include "absl/strings/cord.h"
#include "serve/error_response.h"
#include "serve/model_repository.h"
#include "util/strings.h"

namespace kgate::serve {
namespace {

// The output's values as float: float32 outputs are read in place; int32 and
// bool outputs (rare) are widened into `scratch`.
std::span<const float> AsFloats(const engine::HostTensor& t, std::vector<float>* scratch) {
  const int64_t n = t.view().num_elements();
  if (t.dtype == util::DType::kFloat32) return {t.buffer.f32(), static_cast<size_t>(n)};
  scratch->resize(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) {
    (*scratch)[static_cast<size_t>(i)] = t.dtype == util::DType::kInt32
                                             ? static_cast<float>(static_cast<const int32_t*>(t.buffer.data())[i])
                                             : static_cast<float>(static_cast<const uint8_t*>(t.buffer.data())[i]);
  }
  return *scratch;
}

std::string Describe(const ServedModel& served, const OutputFlag& f, int64_t batch) {
  const bool more = f.count > static_cast<int64_t>(f.rows.size());
  return util::StrCat("model '", served.name, "' version ", served.version, ": output '", f.output, "' broke rule ",
                      schema::OutputRuleName(f.rule), " (", schema::OutputActionName(f.action), ") in ", f.count,
                      " of ", batch, " row(s): ", util::StrJoin(f.rows, ","), more ? ",..." : "");
}

}  // namespace

absl::StatusOr<std::vector<OutputFlag>> ValidateOutputs(const ServedModel& served,
                                                        const std::vector<engine::HostTensor>& outputs,
                                                        const OutputEventSink& sink) {
  std::vector<OutputFlag> flags;
  const schema::OutputSpec& spec = served.config->outputs;
  if (spec.empty()) return flags;
  const std::vector<std::string>& names = served.model->output_names();
  std::string rejected;
  std::vector<std::string> rejected_rules;
  std::vector<float> scratch;
  for (const schema::OutputRules& rules : spec.outputs) {
    size_t o = 0;
    while (o < names.size() && names[o] != rules.output) ++o;
    if (o >= names.size() || o >= outputs.size()) {
      return absl::InternalError(util::StrCat("output spec names '", rules.output, "', which the model lacks"));
    }
    const engine::HostTensor& t = outputs[o];
    const int64_t batch = t.shape.empty() ? 1 : t.shape[0];
    for (schema::RuleBreak& br : schema::EvaluateOutputRules(rules, AsFloats(t, &scratch), t.shape)) {
      OutputFlag f{rules.output, br.rule->kind, br.rule->action, std::move(br.rows), br.count};
      if (sink) sink(served, f);
      switch (f.action) {
        case schema::OutputAction::kReject:
          if (rejected.empty()) rejected = Describe(served, f, batch);
          rejected_rules.push_back(OutputFlagName(f));
          break;
        case schema::OutputAction::kLog:
          std::fprintf(stderr, "kgate serve: output check: %s\n", Describe(served, f, batch).c_str());
          flags.push_back(std::move(f));  // for the audit log; never shown to the client
          break;
        case schema::OutputAction::kFlag: flags.push_back(std::move(f)); break;
      }
    }
  }
  if (!rejected.empty()) {
    absl::Status status = absl::InternalError(util::StrCat("output refused: ", rejected));
    status.SetPayload(kOutputRefusedPayloadUrl, absl::Cord("1"));
    status.SetPayload(kRefusalRulesPayloadUrl, absl::Cord(util::StrJoin(rejected_rules, ",")));
    return status;
  }
  return flags;
}

std::string OutputFlagName(const OutputFlag& flag) {
  std::string name;
  // Output names come from the model file: only token characters reach a
  // header (or a metric label), so no name can split or inject one.
  for (char c : flag.output) {
    const bool token = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
                       c == '-' || c == '.' || c == '/';
    name += token ? c : '_';
  }
  util::StrAppend(&name, ":", schema::OutputRuleName(flag.rule));
  return name;
}

bool AnyFlagged(const std::vector<OutputFlag>& flags) {
  for (const OutputFlag& f : flags) {
    if (f.action == schema::OutputAction::kFlag) return true;
  }
  return false;
}

std::string FlagsHeaderValue(const std::vector<OutputFlag>& flags) {
  std::string value;
  for (const OutputFlag& f : flags) {
    if (f.action != schema::OutputAction::kFlag) continue;
    if (!value.empty()) value += ',';
    value += OutputFlagName(f);
  }
  return value;
}

void AddFlagsHeader(const std::vector<OutputFlag>& flags, HttpResponse* response) {
  if (AnyFlagged(flags)) response->headers.emplace_back("X-Kgate-Flags", FlagsHeaderValue(flags));
  for (const OutputFlag& f : flags) {
    response->flagged_rules.push_back(f.action == schema::OutputAction::kFlag ? OutputFlagName(f)
                                                                              : OutputFlagName(f) + "(log)");
  }
}

void WriteFlags(const std::vector<OutputFlag>& flags, io::json::Writer* w) {
  w->BeginArray();
  for (const OutputFlag& f : flags) {
    if (f.action != schema::OutputAction::kFlag) continue;
    w->BeginObject().Key("output").String(f.output).Key("rule").String(schema::OutputRuleName(f.rule));
    w->Key("rows").BeginArray();
    for (int64_t r : f.rows) w->Int(r);
    w->EndArray().Key("count").Int(f.count).EndObject();
  }
  w->EndArray();
}

}  // namespace kgate::serve
