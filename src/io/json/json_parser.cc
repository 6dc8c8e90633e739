// The JSON reader's grammar: an iterative pushdown parser. Completed values
// wait on one value stack (and object keys on a key stack) until their
// container closes; then they move, exactly once, into an exact-sized Array or
// Object. No input can drive recursion, and every cap in Limits is checked
// before the memory it protects is allocated.

#include <algorithm>
#include <cstring>
#include <functional>
#include <iterator>
#include <string>
#include <utility>
#include <vector>

#include "io/json/internal/scan.h"
#include "io/json/json.h"
#include "util/rules.h"
#include "util/status_macros.h"
#include "util/strings.h"

namespace kgate::io::json {
namespace {

using internal::ErrorAt;
using internal::Source;
using util::StrCat;
namespace rules = util::rules;

// The nesting cap whatever Limits asks for: code that walks a Value (its
// destructor, config readers, the Keras loader) recurses once per level, and
// the header promises that the depth cap keeps that shallow.
constexpr uint32_t kDepthCeiling = 128;

// Objects with at most this many members are checked for duplicate keys
// pair by pair (no allocation); larger ones by sorting, O(n log n).
constexpr size_t kPairwiseDuplicateCheckMax = 16;

// A JSON pointer in a message is cut after this many bytes.
constexpr size_t kMaxPointerInMessage = 256;

struct Frame {
  bool is_object;
  size_t value_start;  // first slot of this container's values in values_
  size_t key_start;    // first slot of its keys in keys_ (objects)
};

struct PendingKey {
  std::string text;
  const char* at;  // its opening quote, for messages
};

class Parser {
 public:
  Parser(std::string_view text, const Limits& limits)
      : src_{text.data(), text.data() + text.size()},
        p_(text.data()),
        limits_(limits),
        max_depth_(std::min(limits.max_depth, kDepthCeiling)) {}

  absl::StatusOr<Value> Run();

 private:
  // Parses one value. Scalars and empty containers land on values_ and set
  // *complete; a non-empty container is opened (with its first key read, for
  // an object) and leaves *complete false.
  absl::Status ParseValue(bool* complete);
  absl::Status OpenContainer(bool is_object, bool* complete);
  // At a key's opening quote: reads the key and the ':' after it.
  absl::Status ParseMemberKey(bool first);
  absl::Status CloseContainer();
  absl::Status CheckDuplicateKeys(const Frame& frame);
  absl::Status CountValue(const char* at);
  absl::Status ParseLiteral();
  absl::Status Unexpected(std::string_view expected) const;
  // JSON pointer of the container in frames_[index]; only its first
  // kMaxPointerInMessage bytes are exact (it is for messages).
  std::string PointerOf(size_t index) const;

  void SkipWhitespace() {
    while (p_ < src_.end && (*p_ == ' ' || *p_ == '\n' || *p_ == '\r' || *p_ == '\t')) ++p_;
  }

  Source src_;
  const char* p_;
  const Limits& limits_;
  const uint32_t max_depth_;
  uint64_t values_seen_ = 0;
  std::vector<Frame> frames_;
  std::vector<Value> values_;
  std::vector<PendingKey> keys_;
  struct HashedKey {
    size_t hash;
    uint32_t index;  // member position in its object
  };
  std::vector<HashedKey> scratch_;  // for the duplicate check
};

absl::Status Parser::Unexpected(std::string_view expected) const {
  if (p_ == src_.end) return ErrorAt(src_, p_, rules::kJsonMalformed, "unexpected end of input", expected);
  return ErrorAt(src_, p_, rules::kJsonMalformed,
                 StrCat("unexpected ", internal::DescribeByte(static_cast<unsigned char>(*p_))), expected);
}

absl::Status Parser::CountValue(const char* at) {
  if (values_seen_ >= limits_.max_elements) {
    return ErrorAt(src_, at, rules::kJsonLimit,
                   StrCat("more than ", limits_.max_elements, " values in the document"),
                   StrCat("at most ", limits_.max_elements, " values"), /*limit=*/true);
  }
  ++values_seen_;
  return absl::OkStatus();
}

absl::StatusOr<Value> Parser::Run() {
  const size_t size = static_cast<size_t>(src_.end - src_.begin);
  if (size > limits_.max_input_bytes) {
    return ErrorAt(src_, src_.begin + limits_.max_input_bytes, rules::kJsonLimit,
                   StrCat("input of ", size, " bytes longer than the cap of ", limits_.max_input_bytes, " bytes"),
                   StrCat("at most ", limits_.max_input_bytes, " bytes"), /*limit=*/true);
  }
  if (size >= 3 && std::memcmp(src_.begin, "\xEF\xBB\xBF", 3) == 0) {
    return ErrorAt(src_, p_, rules::kJsonMalformed, "UTF-8 byte order mark", "a JSON value without a BOM");
  }
  SkipWhitespace();
  if (p_ == src_.end) return ErrorAt(src_, p_, rules::kJsonMalformed, "empty input", "a JSON value");
  for (;;) {
    bool complete;
    KGATE_RETURN_IF_ERROR(ParseValue(&complete));
    if (!complete) continue;
    // A value is done: close every container that ends here, then go on
    // with the next element or member.
    for (;;) {
      SkipWhitespace();
      if (frames_.empty()) {
        if (p_ != src_.end) {
          return ErrorAt(src_, p_, rules::kJsonMalformed,
                         StrCat("trailing ", internal::DescribeByte(static_cast<unsigned char>(*p_)),
                                " after the document"),
                         "end of input");
        }
        return std::move(values_.back());
      }
      const bool is_object = frames_.back().is_object;
      if (p_ < src_.end && *p_ == ',') {
        ++p_;
        if (is_object) {
          SkipWhitespace();
          KGATE_RETURN_IF_ERROR(ParseMemberKey(/*first=*/false));
        }
        break;
      }
      if (p_ < src_.end && *p_ == (is_object ? '}' : ']')) {
        ++p_;
        KGATE_RETURN_IF_ERROR(CloseContainer());
        continue;
      }
      return Unexpected(is_object ? "',' or '}'" : "',' or ']'");
    }
  }
}

absl::Status Parser::ParseValue(bool* complete) {
  SkipWhitespace();
  if (p_ == src_.end) return Unexpected("a value");
  *complete = true;
  switch (*p_) {
    case '{':
      return OpenContainer(/*is_object=*/true, complete);
    case '[':
      return OpenContainer(/*is_object=*/false, complete);
    case '"': {
      KGATE_RETURN_IF_ERROR(CountValue(p_));
      std::string s;
      KGATE_RETURN_IF_ERROR(internal::ScanString(src_, &p_, limits_.max_string_bytes, &s));
      values_.push_back(Value::String(std::move(s)));
      return absl::OkStatus();
    }
    case 't':
    case 'f':
    case 'n':
      return ParseLiteral();
    case '-':
    case '0': case '1': case '2': case '3': case '4':
    case '5': case '6': case '7': case '8': case '9': {
      KGATE_RETURN_IF_ERROR(CountValue(p_));
      Value::Number n;
      KGATE_RETURN_IF_ERROR(internal::ScanNumber(src_, &p_, &n));
      values_.push_back(n.integer ? Value::Int(*n.integer) : Value::Double(n.value));
      return absl::OkStatus();
    }
    default:
      break;
  }
  if (size_t n = internal::MatchNonFiniteWord(p_, src_.end); n > 0) {
    return ErrorAt(src_, p_, rules::kJsonNonFinite,
                   StrCat(internal::QuoteForMessage(std::string_view(p_, n)), " is not a JSON number"),
                   "a finite number (JSON has no NaN or Infinity)");
  }
  if (*p_ == '+') {
    return ErrorAt(src_, p_, rules::kJsonMalformed, "'+' before a number", "a number without a '+' sign");
  }
  return Unexpected("a value");
}

absl::Status Parser::ParseLiteral() {
  const char* start = p_;
  std::string_view word = *p_ == 't' ? "true" : *p_ == 'f' ? "false" : "null";
  if (static_cast<size_t>(src_.end - p_) >= word.size() && std::memcmp(p_, word.data(), word.size()) == 0) {
    KGATE_RETURN_IF_ERROR(CountValue(start));
    p_ += word.size();
    values_.push_back(word == "null" ? Value::Null() : Value::Bool(word == "true"));
    return absl::OkStatus();
  }
  if (size_t n = internal::MatchNonFiniteWord(p_, src_.end); n > 0) {  // "nan"
    return ErrorAt(src_, p_, rules::kJsonNonFinite,
                   StrCat(internal::QuoteForMessage(std::string_view(p_, n)), " is not a JSON number"),
                   "a finite number (JSON has no NaN or Infinity)");
  }
  return ErrorAt(src_, start, rules::kJsonMalformed, "invalid literal", StrCat("'", word, "'"));
}

absl::Status Parser::OpenContainer(bool is_object, bool* complete) {
  if (frames_.size() >= max_depth_) {
    return ErrorAt(src_, p_, rules::kJsonLimit, StrCat("nesting deeper than the cap of ", max_depth_),
                   StrCat("at most ", max_depth_, " nested arrays and objects"), /*limit=*/true);
  }
  KGATE_RETURN_IF_ERROR(CountValue(p_));
  ++p_;
  SkipWhitespace();
  if (p_ < src_.end && *p_ == (is_object ? '}' : ']')) {
    ++p_;
    values_.push_back(is_object ? Value::MakeObject({}) : Value::MakeArray({}));
    *complete = true;
    return absl::OkStatus();
  }
  frames_.push_back(Frame{is_object, values_.size(), keys_.size()});
  *complete = false;
  if (is_object) return ParseMemberKey(/*first=*/true);
  return absl::OkStatus();
}

absl::Status Parser::ParseMemberKey(bool first) {
  if (p_ == src_.end || *p_ != '"') return Unexpected(first ? "a string key or '}'" : "a string key");
  PendingKey key{std::string(), p_};
  KGATE_RETURN_IF_ERROR(internal::ScanString(src_, &p_, limits_.max_string_bytes, &key.text));
  keys_.push_back(std::move(key));
  SkipWhitespace();
  if (p_ == src_.end || *p_ != ':') return Unexpected("':' after the key");
  ++p_;
  return absl::OkStatus();
}

absl::Status Parser::CloseContainer() {
  const Frame frame = frames_.back();
  const size_t n = values_.size() - frame.value_start;
  Value closed;
  if (frame.is_object) {
    KGATE_RETURN_IF_ERROR(CheckDuplicateKeys(frame));
    Object members;
    members.reserve(n);
    for (size_t i = 0; i < n; ++i) {
      members.emplace_back(std::move(keys_[frame.key_start + i].text), std::move(values_[frame.value_start + i]));
    }
    keys_.resize(frame.key_start);
    closed = Value::MakeObject(std::move(members));
  } else {
    closed = Value::MakeArray(Array(std::make_move_iterator(values_.begin() + static_cast<ptrdiff_t>(frame.value_start)),
                                    std::make_move_iterator(values_.end())));
  }
  frames_.pop_back();
  values_.resize(frame.value_start);
  values_.push_back(std::move(closed));
  return absl::OkStatus();
}

absl::Status Parser::CheckDuplicateKeys(const Frame& frame) {
  const PendingKey* keys = keys_.data() + frame.key_start;
  const size_t n = keys_.size() - frame.key_start;
  size_t dup = n;  // the first member whose key an earlier member already has
  if (n <= kPairwiseDuplicateCheckMax) {
    for (size_t j = 1; j < n && dup == n; ++j) {
      for (size_t i = 0; i < j; ++i) {
        if (keys[i].text == keys[j].text) {
          dup = j;
          break;
        }
      }
    }
  } else {
    // n <= max_elements, far below 2^32 for any sane Limits; guard anyway.
    if (n > UINT32_MAX) {
      return ErrorAt(src_, p_, rules::kJsonLimit, "object with more than 2^32 members", "fewer members",
                     /*limit=*/true);
    }
    // Sort member indices by (hash, key, index): mostly integer compares;
    // keys are compared only when hashes tie, so even colliding hashes
    // (chosen by an attacker) keep the sort O(n log n).
    scratch_.resize(n);
    for (uint32_t i = 0; i < n; ++i) scratch_[i] = {std::hash<std::string_view>()(keys[i].text), i};
    std::sort(scratch_.begin(), scratch_.end(), [keys](const HashedKey& a, const HashedKey& b) {
      if (a.hash != b.hash) return a.hash < b.hash;
      int c = keys[a.index].text.compare(keys[b.index].text);
      return c < 0 || (c == 0 && a.index < b.index);
    });
    for (size_t t = 1; t < n; ++t) {
      const HashedKey& a = scratch_[t - 1];
      const HashedKey& b = scratch_[t];
      if (a.hash == b.hash && keys[a.index].text == keys[b.index].text) dup = std::min<size_t>(dup, b.index);
    }
  }
  if (dup == n) return absl::OkStatus();
  const PendingKey& key = keys[dup];
  size_t first_at = 0;
  for (size_t i = 0; i < dup; ++i) {
    if (keys[i].text == key.text) {
      first_at = static_cast<size_t>(keys[i].at - src_.begin);
      break;
    }
  }
  std::string pointer = PointerOf(frames_.size() - 1);
  std::string where = pointer.empty() ? std::string("the root object")
                                      : StrCat("the object at ", internal::QuoteForMessage(pointer, kMaxPointerInMessage));
  return ErrorAt(src_, key.at, rules::kJsonDuplicateKey,
                 StrCat("duplicate key ", internal::QuoteForMessage(key.text), " in ", where,
                        " (first at byte ", first_at, ")"),
                 "each key at most once in an object");
}

std::string Parser::PointerOf(size_t index) const {
  std::string pointer;
  for (size_t k = 0; k < index && pointer.size() <= kMaxPointerInMessage; ++k) {
    const Frame& parent = frames_[k];
    const Frame& child = frames_[k + 1];
    pointer.push_back('/');
    if (parent.is_object) {
      std::string_view key = keys_[child.key_start - 1].text;
      pointer.append(PointerToken(key.substr(0, kMaxPointerInMessage + 1)));
    } else {
      util::StrAppend(&pointer, child.value_start - parent.value_start);
    }
  }
  return pointer;
}

}  // namespace

absl::StatusOr<Value> Parse(std::string_view text, const Limits& limits) { return Parser(text, limits).Run(); }

}  // namespace kgate::io::json
