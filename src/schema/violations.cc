#include "schema/violations.h"

#include <utility>

#include "absl/strings/cord.h"
#include "io/json/json_writer.h"
#include "util/strings.h"

namespace kgate::schema {

void Violations::Add(Violation v) {
  ++total_;
  if (list_.size() < cap_) list_.push_back(std::move(v));
}

absl::Status Violations::ToStatus() const {
  if (empty()) return absl::OkStatus();
  const Violation& first = list_.front();
  std::string message = util::StrCat("request refused: ", total_, " violation(s); first: ");
  if (!first.input.empty()) util::StrAppend(&message, "input '", first.input, "' ");
  if (!first.index.empty()) {
    message += "at [";
    for (size_t i = 0; i < first.index.size(); ++i) util::StrAppend(&message, i ? ", " : "", first.index[i]);
    message += "] ";
  }
  util::StrAppend(&message, first.rule, ": expected ", first.expected, ", got ", first.actual);

  io::json::Writer w;
  w.BeginObject().Key("violations").BeginArray();
  for (const Violation& v : list_) {
    w.BeginObject().Key("input").String(v.input).Key("index").BeginArray();
    for (int64_t i : v.index) w.Int(i);
    w.EndArray().Key("rule").String(v.rule).Key("expected").String(v.expected).Key("actual").String(v.actual);
    w.EndObject();
  }
  w.EndArray().Key("violation_count").UInt(total_).Key("truncated").Bool(total_ > list_.size()).EndObject();
  absl::Status status = absl::InvalidArgumentError(message);
  status.SetPayload(kViolationsPayloadUrl, absl::Cord(w.Take()));
  return status;
}

}  // namespace kgate::schema
