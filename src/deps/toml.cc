#include "deps/toml.h"

#include <memory>
#include <utility>
#include <vector>

#include "deps/toml_scanner.h"
#include "util/status_macros.h"
#include "util/strings.h"

namespace kgate::deps {
namespace {

using io::json::Value;
using toml_internal::IsBareKeyChar;
using toml_internal::IsDigit;
using toml_internal::ValidUtf8;

// Tables and arrays deeper than this (headers, dotted keys and inline values
// together) are refused, which also bounds the recursion that converts the
// tree.
constexpr int kMaxTreeDepth = 64;

struct Node {
  enum class Kind { kTable, kArray, kScalar };
  explicit Node(Kind k, int d) : kind(k), depth(d) {}
  Kind kind;
  int depth;
  // Tables: how they came to be decides what may later add to them.
  enum class Origin { kImplicit, kHeader, kDotted, kInline } origin = Origin::kImplicit;
  std::vector<std::pair<std::string, std::unique_ptr<Node>>> members;
  // Arrays: [[x]] arrays may be appended to; inline arrays may not.
  bool array_of_tables = false;
  std::vector<std::unique_ptr<Node>> items;
  Value scalar;

  Node* Find(std::string_view key) {
    for (auto& [k, v] : members) {
      if (k == key) return v.get();
    }
    return nullptr;
  }
};

class Parser : private toml_internal::Scanner {
 public:
  Parser(std::string_view text, std::string_view name) : Scanner(text, name) {}

  absl::StatusOr<Value> Run() {
    size_t bad = 0;
    if (!ValidUtf8(s_, &bad)) {
      pos_ = bad;
      return Error("invalid UTF-8");
    }
    if (s_.substr(0, 3) == "\xEF\xBB\xBF") pos_ = 3;
    root_ = std::make_unique<Node>(Node::Kind::kTable, 0);
    root_->origin = Node::Origin::kHeader;
    Node* current = root_.get();
    while (true) {
      SkipBlanks();
      if (AtEnd()) break;
      char c = Peek();
      if (c == '#') {
        KGATE_RETURN_IF_ERROR(SkipComment());
      } else if (c == '\n' || c == '\r') {
        KGATE_RETURN_IF_ERROR(EatNewline());
        continue;
      } else if (c == '[') {
        KGATE_ASSIGN_OR_RETURN(current, ParseHeader());
      } else {
        KGATE_RETURN_IF_ERROR(ParseKeyValue(current, /*inline_table=*/false));
      }
      SkipBlanks();
      if (Peek() == '#') KGATE_RETURN_IF_ERROR(SkipComment());
      if (!AtEnd()) KGATE_RETURN_IF_ERROR(EatNewline());
    }
    return Convert(*root_);
  }

 private:
  // Blanks, newlines and comments inside an array.
  absl::Status SkipArraySpace() {
    while (true) {
      SkipBlanks();
      if (Peek() == '#') {
        KGATE_RETURN_IF_ERROR(SkipComment());
      } else if (Peek() == '\n' || Peek() == '\r') {
        KGATE_RETURN_IF_ERROR(EatNewline());
      } else {
        return absl::OkStatus();
      }
    }
  }

  absl::Status CountValue() {
    if (++values_ > kMaxTomlValues) {
      return absl::ResourceExhaustedError(util::StrCat(name_, ": more than ", kMaxTomlValues, " values"));
    }
    return absl::OkStatus();
  }

  absl::StatusOr<std::unique_ptr<Node>> NewNode(Node::Kind kind, int depth) {
    if (depth > kMaxTreeDepth) return Error(util::StrCat("nesting deeper than ", kMaxTreeDepth, " levels"));
    KGATE_RETURN_IF_ERROR(CountValue());
    return std::make_unique<Node>(kind, depth);
  }

  // key = simple-key *( "." simple-key )
  absl::StatusOr<std::vector<std::string>> ParseKey() {
    std::vector<std::string> parts;
    while (true) {
      SkipBlanks();
      std::string part;
      if (Peek() == '"' || Peek() == '\'') {
        if (Peek(1) == Peek() && Peek(2) == Peek()) return Error("a multi-line string cannot be a key");
        KGATE_ASSIGN_OR_RETURN(part, ParseString());
      } else {
        size_t start = pos_;
        while (IsBareKeyChar(Peek())) ++pos_;
        if (start == pos_) return Error("expected a key");
        part = std::string(s_.substr(start, pos_ - start));
      }
      parts.push_back(std::move(part));
      if (parts.size() > static_cast<size_t>(kMaxTomlDepth)) return Error("key has too many dotted parts");
      SkipBlanks();
      if (!Eat('.')) return parts;
    }
  }

  // Walks `table` along all but the last key part for a dotted key.
  absl::StatusOr<Node*> WalkDotted(Node* table, const std::vector<std::string>& key) {
    for (size_t i = 0; i + 1 < key.size(); ++i) {
      Node* next = table->Find(key[i]);
      if (next == nullptr) {
        KGATE_ASSIGN_OR_RETURN(std::unique_ptr<Node> made, NewNode(Node::Kind::kTable, table->depth + 1));
        made->origin = Node::Origin::kDotted;
        next = made.get();
        table->members.emplace_back(key[i], std::move(made));
      } else if (next->kind != Node::Kind::kTable || next->origin != Node::Origin::kDotted) {
        return Error(util::StrCat("key '", key[i], "' is already defined; dotted keys cannot extend it"));
      }
      table = next;
    }
    return table;
  }

  absl::Status ParseKeyValue(Node* table, bool inline_table) {
    KGATE_ASSIGN_OR_RETURN(std::vector<std::string> key, ParseKey());
    if (!Eat('=')) return Error("expected '=' after the key");
    SkipBlanks();
    KGATE_ASSIGN_OR_RETURN(Node * parent, WalkDotted(table, key));
    if (parent->Find(key.back()) != nullptr) return Error(util::StrCat("key '", key.back(), "' is defined twice"));
    KGATE_ASSIGN_OR_RETURN(std::unique_ptr<Node> value, ParseValue(parent->depth + 1));
    parent->members.emplace_back(key.back(), std::move(value));
    (void)inline_table;
    return absl::OkStatus();
  }

  absl::StatusOr<Node*> ParseHeader() {
    bool array = Peek(1) == '[';
    pos_ += array ? 2 : 1;
    KGATE_ASSIGN_OR_RETURN(std::vector<std::string> key, ParseKey());
    if (!Eat(']') || (array && !Eat(']'))) return Error(array ? "expected ']]'" : "expected ']'");
    Node* table = root_.get();
    for (size_t i = 0; i + 1 < key.size(); ++i) {
      Node* next = table->Find(key[i]);
      if (next == nullptr) {
        KGATE_ASSIGN_OR_RETURN(std::unique_ptr<Node> made, NewNode(Node::Kind::kTable, table->depth + 1));
        next = made.get();
        table->members.emplace_back(key[i], std::move(made));
      } else if (next->kind == Node::Kind::kArray && next->array_of_tables) {
        next = next->items.back().get();
      } else if (next->kind != Node::Kind::kTable || next->origin == Node::Origin::kInline) {
        return Error(util::StrCat("'", key[i], "' is not a table"));
      }
      table = next;
    }
    Node* last = table->Find(key.back());
    if (array) {
      if (last == nullptr) {
        KGATE_ASSIGN_OR_RETURN(std::unique_ptr<Node> made, NewNode(Node::Kind::kArray, table->depth + 1));
        made->array_of_tables = true;
        last = made.get();
        table->members.emplace_back(key.back(), std::move(made));
      } else if (last->kind != Node::Kind::kArray || !last->array_of_tables) {
        return Error(util::StrCat("'", key.back(), "' is already defined and is not an array of tables"));
      }
      KGATE_ASSIGN_OR_RETURN(std::unique_ptr<Node> item, NewNode(Node::Kind::kTable, last->depth + 1));
      item->origin = Node::Origin::kHeader;
      last->items.push_back(std::move(item));
      return last->items.back().get();
    }
    if (last == nullptr) {
      KGATE_ASSIGN_OR_RETURN(std::unique_ptr<Node> made, NewNode(Node::Kind::kTable, table->depth + 1));
      made->origin = Node::Origin::kHeader;
      last = made.get();
      table->members.emplace_back(key.back(), std::move(made));
      return last;
    }
    if (last->kind != Node::Kind::kTable || last->origin != Node::Origin::kImplicit) {
      return Error(util::StrCat("table '", key.back(), "' is defined twice"));
    }
    last->origin = Node::Origin::kHeader;
    return last;
  }

  absl::StatusOr<std::unique_ptr<Node>> Scalar(Value v, int depth) {
    KGATE_ASSIGN_OR_RETURN(std::unique_ptr<Node> n, NewNode(Node::Kind::kScalar, depth));
    n->scalar = std::move(v);
    return n;
  }

  absl::StatusOr<std::unique_ptr<Node>> ParseValue(int depth) {
    if (depth > kMaxTreeDepth) return Error(util::StrCat("nesting deeper than ", kMaxTreeDepth, " levels"));
    char c = Peek();
    if (c == '"' || c == '\'') {
      KGATE_ASSIGN_OR_RETURN(std::string s, ParseString());
      return Scalar(Value::String(std::move(s)), depth);
    }
    if (c == '[') return ParseArray(depth);
    if (c == '{') return ParseInlineTable(depth);
    if (EatWord("true")) return Scalar(Value::Bool(true), depth);
    if (EatWord("false")) return Scalar(Value::Bool(false), depth);
    if (IsDateTimeStart()) {
      KGATE_ASSIGN_OR_RETURN(std::string s, ParseDateTime());
      return Scalar(Value::String(std::move(s)), depth);
    }
    if (IsDigit(c) || c == '+' || c == '-' || c == 'i' || c == 'n') {
      KGATE_ASSIGN_OR_RETURN(Value v, ParseNumber());
      return Scalar(std::move(v), depth);
    }
    return Error("expected a value (string, number, boolean, date-time, array or inline table)");
  }

  absl::StatusOr<std::unique_ptr<Node>> ParseArray(int depth) {
    ++pos_;  // '['
    KGATE_ASSIGN_OR_RETURN(std::unique_ptr<Node> array, NewNode(Node::Kind::kArray, depth));
    while (true) {
      KGATE_RETURN_IF_ERROR(SkipArraySpace());
      if (Eat(']')) return array;
      KGATE_ASSIGN_OR_RETURN(std::unique_ptr<Node> item, ParseValue(depth + 1));
      array->items.push_back(std::move(item));
      KGATE_RETURN_IF_ERROR(SkipArraySpace());
      if (Eat(']')) return array;
      if (!Eat(',')) return Error("expected ',' or ']' in the array");
    }
  }

  absl::StatusOr<std::unique_ptr<Node>> ParseInlineTable(int depth) {
    ++pos_;  // '{'
    KGATE_ASSIGN_OR_RETURN(std::unique_ptr<Node> table, NewNode(Node::Kind::kTable, depth));
    table->origin = Node::Origin::kInline;
    SkipBlanks();
    if (Eat('}')) return table;
    while (true) {
      KGATE_RETURN_IF_ERROR(ParseKeyValue(table.get(), /*inline_table=*/true));
      SkipBlanks();
      if (Eat('}')) return table;
      if (!Eat(',')) return Error("expected ',' or '}' in the inline table (inline tables are one line)");
      SkipBlanks();
    }
  }

  static Value Convert(const Node& n) {
    switch (n.kind) {
      case Node::Kind::kScalar:
        return n.scalar;
      case Node::Kind::kArray: {
        io::json::Array a;
        a.reserve(n.items.size());
        for (const auto& item : n.items) a.push_back(Convert(*item));
        return Value::MakeArray(std::move(a));
      }
      case Node::Kind::kTable: {
        io::json::Object o;
        o.reserve(n.members.size());
        for (const auto& [k, v] : n.members) o.emplace_back(k, Convert(*v));
        return Value::MakeObject(std::move(o));
      }
    }
    return Value();
  }

  size_t values_ = 0;
  std::unique_ptr<Node> root_;
};

}  // namespace

absl::StatusOr<io::json::Value> ParseToml(std::string_view text, std::string_view display_name) {
  if (text.size() > kMaxTomlBytes) {
    return absl::ResourceExhaustedError(
        util::StrCat(display_name, ": ", text.size(), " bytes exceeds the TOML cap of ", kMaxTomlBytes));
  }
  Parser parser(text, display_name);
  return parser.Run();
}

}  // namespace kgate::deps
