// The YAML reader's tree builder: pulls libyaml events one at a time and
// keeps open collections on an explicit stack of frames, so no input can
// drive recursion here (libyaml's own parser is a state machine with heap
// stacks, bounded by the input-size cap). A finished collection moves,
// exactly once, into its parent. Every cap is checked before the node it
// guards is stored.

#include <yaml.h>

#include <algorithm>
#include <cstring>
#include <numeric>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "io/json/internal/scan.h"
#include "io/json/internal/utf8.h"
#include "io/yaml/internal/scalar.h"
#include "io/yaml/yaml.h"
#include "util/status_macros.h"
#include "util/strings.h"

namespace kgate::io::yaml {
namespace {

using internal::CoreTag;
using util::StrCat;

constexpr uint32_t kDepthCeiling = 128;  // the JSON reader's promise to tree walkers

struct Mark {
  uint64_t line = 0;    // 1-based
  uint64_t column = 0;  // 1-based, in characters
};

Mark ToMark(const yaml_mark_t& m) { return {m.line + 1, m.column + 1}; }

std::string MarkText(const Mark& m) { return StrCat(m.line, ":", m.column); }

// RAII for libyaml's parser and events.
class LibyamlParser {
 public:
  LibyamlParser() { ok_ = yaml_parser_initialize(&parser_) != 0; }
  ~LibyamlParser() {
    if (ok_) yaml_parser_delete(&parser_);
  }
  LibyamlParser(const LibyamlParser&) = delete;
  LibyamlParser& operator=(const LibyamlParser&) = delete;
  bool ok() const { return ok_; }
  yaml_parser_t* get() { return &parser_; }

 private:
  yaml_parser_t parser_;
  bool ok_ = false;
};

class Event {
 public:
  Event() { std::memset(&event_, 0, sizeof(event_)); }
  ~Event() { yaml_event_delete(&event_); }
  Event(const Event&) = delete;
  Event& operator=(const Event&) = delete;
  yaml_event_t* get() { return &event_; }
  const yaml_event_t& operator*() const { return event_; }

 private:
  yaml_event_t event_;
};

struct Key {
  std::string text;
  Mark mark;
};

struct Frame {
  bool is_map = false;
  json::Array items;      // values, in order
  std::vector<Key> keys;  // maps: one per value, plus the one awaiting its value
};

class Builder {
 public:
  Builder(std::string_view text, std::string_view name, const Limits& limits)
      : text_(text), name_(name), limits_(limits), max_depth_(std::min(limits.max_depth, kDepthCeiling)) {}

  absl::StatusOr<json::Value> Run();

 private:
  absl::Status Handle(const yaml_event_t& e);
  absl::Status OnDocumentStart(const yaml_event_t& e);
  absl::Status OnScalar(const yaml_event_t& e);
  absl::Status OnCollectionStart(const yaml_event_t& e, bool is_map);
  absl::Status OnCollectionEnd();
  absl::Status CheckDuplicateKeys(const std::vector<Key>& keys) const;
  absl::Status CountNode(const Mark& at);
  absl::Status CheckNoAnchor(const yaml_char_t* anchor, const Mark& at) const;
  absl::Status CheckUtf8(std::string_view s, const Mark& at) const;
  void AddValue(json::Value v);
  // In a mapping, every value is preceded by its key.
  bool AwaitingKey() const {
    return !frames_.empty() && frames_.back().is_map && frames_.back().keys.size() == frames_.back().items.size();
  }

  absl::Status Error(const Mark& at, std::string_view what) const {
    return absl::InvalidArgumentError(StrCat(name_, ":", MarkText(at), ": ", what));
  }
  absl::Status LimitError(const Mark& at, std::string_view what) const {
    return absl::ResourceExhaustedError(StrCat(name_, ":", MarkText(at), ": ", what));
  }
  absl::Status LibyamlError(yaml_parser_t* p) const;

  std::string_view text_;
  std::string_view name_;
  Limits limits_;
  uint32_t max_depth_;
  std::vector<Frame> frames_;
  std::optional<json::Value> root_;
  uint64_t nodes_ = 0;
  int documents_ = 0;
  bool done_ = false;
};

absl::StatusOr<json::Value> Builder::Run() {
  if (text_.size() > limits_.max_input_bytes) {
    return absl::ResourceExhaustedError(StrCat(name_, ": ", text_.size(), " bytes is over the cap of ",
                                               limits_.max_input_bytes, " bytes for a YAML file"));
  }
  LibyamlParser parser;
  if (!parser.ok()) return absl::ResourceExhaustedError(StrCat(name_, ": cannot initialize the YAML parser"));
  yaml_parser_set_input_string(parser.get(), reinterpret_cast<const unsigned char*>(text_.data()), text_.size());
  // UTF-8 only: a UTF-16 byte-order mark is then an encoding error, not a
  // silent conversion.
  yaml_parser_set_encoding(parser.get(), YAML_UTF8_ENCODING);
  while (!done_) {
    Event event;
    if (!yaml_parser_parse(parser.get(), event.get())) return LibyamlError(parser.get());
    KGATE_RETURN_IF_ERROR(Handle(*event));
  }
  if (!root_) return json::Value::Null();  // an empty stream
  return std::move(*root_);
}

absl::Status Builder::Handle(const yaml_event_t& e) {
  const Mark at = ToMark(e.start_mark);
  switch (e.type) {
    case YAML_STREAM_START_EVENT:
    case YAML_DOCUMENT_END_EVENT:
      return absl::OkStatus();
    case YAML_STREAM_END_EVENT:
      done_ = true;
      return absl::OkStatus();
    case YAML_DOCUMENT_START_EVENT:
      return OnDocumentStart(e);
    case YAML_ALIAS_EVENT:
      return Error(at, "aliases (*name) are not accepted: write the value out where it is used");
    case YAML_SCALAR_EVENT:
      return OnScalar(e);
    case YAML_SEQUENCE_START_EVENT:
      return OnCollectionStart(e, /*is_map=*/false);
    case YAML_MAPPING_START_EVENT:
      return OnCollectionStart(e, /*is_map=*/true);
    case YAML_SEQUENCE_END_EVENT:
    case YAML_MAPPING_END_EVENT:
      return OnCollectionEnd();
    case YAML_NO_EVENT:
      break;
  }
  return Error(at, "unexpected YAML event");
}

absl::Status Builder::OnDocumentStart(const yaml_event_t& e) {
  const Mark at = ToMark(e.start_mark);
  if (++documents_ > 1) return Error(at, "a second document: expected exactly one YAML document");
  if (e.data.document_start.version_directive != nullptr ||
      e.data.document_start.tag_directives.start != e.data.document_start.tag_directives.end) {
    return Error(at, "%YAML and %TAG directives are not accepted");
  }
  return absl::OkStatus();
}

absl::Status Builder::CountNode(const Mark& at) {
  if (++nodes_ > limits_.max_nodes) {
    return LimitError(at, StrCat("more than ", limits_.max_nodes, " nodes in the document"));
  }
  return absl::OkStatus();
}

absl::Status Builder::CheckNoAnchor(const yaml_char_t* anchor, const Mark& at) const {
  if (anchor == nullptr) return absl::OkStatus();
  return Error(at, "anchors (&name) are not accepted: write the value out where it is used");
}

absl::Status Builder::CheckUtf8(std::string_view s, const Mark& at) const {
  // libyaml validates its input, but escapes ("\x80") build text it did
  // not read; every string in the tree is valid UTF-8 either way.
  json::internal::Utf8Error error;
  const size_t bad = json::internal::FindInvalidUtf8(s, &error);
  if (bad == std::string_view::npos) return absl::OkStatus();
  return Error(at, StrCat("invalid UTF-8 in a scalar at byte ", bad, " of its text (",
                          json::internal::Utf8ErrorName(error), ")"));
}

std::string_view TagName(CoreTag t) {
  switch (t) {
    case CoreTag::kStr: return "!!str";
    case CoreTag::kInt: return "!!int";
    case CoreTag::kFloat: return "!!float";
    case CoreTag::kBool: return "!!bool";
    case CoreTag::kNull: return "!!null";
    case CoreTag::kMap: return "!!map";
    case CoreTag::kSeq: return "!!seq";
  }
  return "?";
}

absl::Status Builder::OnScalar(const yaml_event_t& e) {
  const Mark at = ToMark(e.start_mark);
  const auto& s = e.data.scalar;
  KGATE_RETURN_IF_ERROR(CountNode(at));
  KGATE_RETURN_IF_ERROR(CheckNoAnchor(s.anchor, at));
  if (s.length > limits_.max_scalar_bytes) {
    return LimitError(at, StrCat("a scalar of ", s.length, " bytes is over the cap of ", limits_.max_scalar_bytes));
  }
  std::string_view text(reinterpret_cast<const char*>(s.value), s.length);
  KGATE_RETURN_IF_ERROR(CheckUtf8(text, at));

  absl::StatusOr<json::Value> value;
  if (s.tag != nullptr) {
    std::string_view tag(reinterpret_cast<const char*>(s.tag));
    std::optional<CoreTag> core = internal::ParseCoreTag(tag);
    if (!core) {
      return Error(at, StrCat("tag ", json::internal::QuoteForMessage(tag),
                              " is not accepted: expected no tag or one of !!str !!int !!float !!bool !!null"));
    }
    value = internal::ResolveTagged(*core, text);
  } else if (s.style == YAML_PLAIN_SCALAR_STYLE) {
    value = internal::ResolvePlain(text);
  } else {
    value = json::Value::String(std::string(text));  // quoted and block scalars are strings
  }
  if (!value.ok()) return Error(at, util::ToStd(value.status().message()));

  if (AwaitingKey()) {
    Key key{std::string(), at};
    if (value->is_string()) {
      key.text = value->string();
    } else if (value->is_number() && value->number().integer) {
      key.text = StrCat(*value->number().integer);  // "0:" in a per-feature map
    } else {
      return Error(at, StrCat("a key must be a string (or an integer), found ", json::Value::KindName(value->kind()),
                              " ", json::internal::QuoteForMessage(text), ": quote it"));
    }
    frames_.back().keys.push_back(std::move(key));
    return absl::OkStatus();
  }
  AddValue(*std::move(value));
  return absl::OkStatus();
}

absl::Status Builder::OnCollectionStart(const yaml_event_t& e, bool is_map) {
  const Mark at = ToMark(e.start_mark);
  const yaml_char_t* anchor = is_map ? e.data.mapping_start.anchor : e.data.sequence_start.anchor;
  const yaml_char_t* tag = is_map ? e.data.mapping_start.tag : e.data.sequence_start.tag;
  KGATE_RETURN_IF_ERROR(CountNode(at));
  KGATE_RETURN_IF_ERROR(CheckNoAnchor(anchor, at));
  if (tag != nullptr) {
    std::string_view tag_text(reinterpret_cast<const char*>(tag));
    std::optional<CoreTag> core = internal::ParseCoreTag(tag_text);
    const CoreTag want = is_map ? CoreTag::kMap : CoreTag::kSeq;
    if (core != want) {
      return Error(at, StrCat("tag ", core ? std::string(TagName(*core)) : json::internal::QuoteForMessage(tag_text),
                              " is not accepted on a ", is_map ? "mapping" : "sequence", ": expected no tag or ",
                              TagName(want)));
    }
  }
  if (AwaitingKey()) {
    return Error(at, StrCat("a key must be a string, found a ", is_map ? "mapping" : "sequence"));
  }
  if (frames_.size() >= max_depth_) {
    return LimitError(at, StrCat("nesting deeper than ", max_depth_, " levels"));
  }
  Frame frame;
  frame.is_map = is_map;
  frames_.push_back(std::move(frame));
  return absl::OkStatus();
}

absl::Status Builder::CheckDuplicateKeys(const std::vector<Key>& keys) const {
  std::vector<size_t> order(keys.size());
  std::iota(order.begin(), order.end(), size_t{0});
  // Stable, so equal keys stay in document order: the later one is reported.
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return keys[a].text < keys[b].text; });
  std::optional<size_t> first_dup;
  for (size_t i = 1; i < order.size(); ++i) {
    if (keys[order[i]].text == keys[order[i - 1]].text && (!first_dup || order[i] < *first_dup)) first_dup = order[i];
  }
  if (!first_dup) return absl::OkStatus();
  const Key& dup = keys[*first_dup];
  const Key* first = nullptr;
  for (const Key& k : keys) {
    if (k.text == dup.text) {
      first = &k;
      break;
    }
  }
  return Error(dup.mark, StrCat("duplicate key ", json::internal::QuoteForMessage(dup.text), " (first at ",
                                MarkText(first->mark), ")"));
}

absl::Status Builder::OnCollectionEnd() {
  Frame frame = std::move(frames_.back());
  frames_.pop_back();
  if (!frame.is_map) {
    AddValue(json::Value::MakeArray(std::move(frame.items)));
    return absl::OkStatus();
  }
  KGATE_RETURN_IF_ERROR(CheckDuplicateKeys(frame.keys));
  json::Object object;
  object.reserve(frame.items.size());
  for (size_t i = 0; i < frame.items.size(); ++i) {
    object.emplace_back(std::move(frame.keys[i].text), std::move(frame.items[i]));
  }
  AddValue(json::Value::MakeObject(std::move(object)));
  return absl::OkStatus();
}

void Builder::AddValue(json::Value v) {
  if (frames_.empty()) {
    root_ = std::move(v);
  } else {
    frames_.back().items.push_back(std::move(v));
  }
}

absl::Status Builder::LibyamlError(yaml_parser_t* p) const {
  const char* problem = p->problem != nullptr ? p->problem : "malformed YAML";
  if (p->error == YAML_MEMORY_ERROR) return absl::ResourceExhaustedError(StrCat(name_, ": out of memory parsing YAML"));
  if (p->error == YAML_READER_ERROR) {
    auto lc = json::internal::LocateOffset(text_, p->problem_offset);
    return Error({lc.line, lc.column}, StrCat(problem, " (byte ", p->problem_offset, ")"));
  }
  std::string what = problem;
  if (p->context != nullptr) {
    util::StrAppend(&what, " (", p->context, " at ", MarkText(ToMark(p->context_mark)), ")");
  }
  return Error(ToMark(p->problem_mark), what);
}

}  // namespace

absl::StatusOr<json::Value> Parse(std::string_view text, std::string_view display_name, const Limits& limits) {
  Builder builder(text, display_name, limits);
  return builder.Run();
}

}  // namespace kgate::io::yaml
