#include "deps/toml.h"

#include <cctype>
#include <cerrno>
#include <cmath>
#include <limits>
#include <cstdlib>
#include <memory>
#include <utility>
#include <vector>

#include "util/status_macros.h"
#include "util/strings.h"

namespace kgate::deps {
namespace {

using io::json::Value;

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

bool ValidUtf8(std::string_view s, size_t* bad) {
  for (size_t i = 0; i < s.size();) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    size_t n = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 0;
    if (n == 0 || i + n > s.size()) {
      *bad = i;
      return false;
    }
    uint32_t cp = n == 1 ? c : n == 2 ? (c & 0x1F) : n == 3 ? (c & 0x0F) : (c & 0x07);
    for (size_t k = 1; k < n; ++k) {
      unsigned char cc = static_cast<unsigned char>(s[i + k]);
      if ((cc & 0xC0) != 0x80) {
        *bad = i;
        return false;
      }
      cp = (cp << 6) | (cc & 0x3F);
    }
    static constexpr uint32_t kMin[] = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < kMin[n] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
      *bad = i;
      return false;
    }
    i += n;
  }
  return true;
}

void AppendUtf8(uint32_t cp, std::string* out) {
  if (cp < 0x80) {
    out->push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out->push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out->push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out->push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsBareKeyChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || IsDigit(c) || c == '-' || c == '_';
}

class Parser {
 public:
  Parser(std::string_view text, std::string_view name) : s_(text), name_(name) {}

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
  bool AtEnd() const { return pos_ >= s_.size(); }
  char Peek(size_t ahead = 0) const { return pos_ + ahead < s_.size() ? s_[pos_ + ahead] : '\0'; }
  bool Eat(char c) {
    if (Peek() != c) return false;
    ++pos_;
    return true;
  }
  bool EatWord(std::string_view w) {
    if (s_.substr(pos_, w.size()) != w) return false;
    pos_ += w.size();
    return true;
  }
  void SkipBlanks() {
    while (Peek() == ' ' || Peek() == '\t') ++pos_;
  }

  absl::Status Error(std::string_view what) const {
    int line = 1, col = 1;
    for (size_t i = 0; i < pos_ && i < s_.size(); ++i) {
      if (s_[i] == '\n') {
        ++line;
        col = 1;
      } else {
        ++col;
      }
    }
    return absl::InvalidArgumentError(util::StrCat(name_, ":", line, ":", col, ": ", what));
  }

  absl::Status EatNewline() {
    if (Eat('\n')) return absl::OkStatus();
    if (Peek() == '\r' && Peek(1) == '\n') {
      pos_ += 2;
      return absl::OkStatus();
    }
    return Error(util::StrCat("expected the end of the line, found '", std::string(1, Peek()), "'"));
  }

  absl::Status SkipComment() {
    while (!AtEnd() && Peek() != '\n') {
      char c = Peek();
      if ((static_cast<unsigned char>(c) < 0x20 && c != '\t' && !(c == '\r' && Peek(1) == '\n')) || c == 0x7F) {
        return Error("control character in a comment");
      }
      ++pos_;
    }
    return absl::OkStatus();
  }

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

  absl::StatusOr<std::string> ParseString() {
    const char quote = Peek();
    const bool literal = quote == '\'';
    const bool multiline = Peek(1) == quote && Peek(2) == quote;
    pos_ += multiline ? 3 : 1;
    if (multiline) {
      // A newline right after the opening delimiter is trimmed.
      if (Peek() == '\n') {
        ++pos_;
      } else if (Peek() == '\r' && Peek(1) == '\n') {
        pos_ += 2;
      }
    }
    std::string out;
    while (true) {
      if (AtEnd()) return Error("unterminated string");
      char c = Peek();
      if (c == quote) {
        if (!multiline) {
          ++pos_;
          return out;
        }
        if (Peek(1) == quote && Peek(2) == quote) {
          // Up to two quotes may sit right before the closing delimiter.
          size_t run = 3;
          while (run < 5 && Peek(run) == quote) ++run;
          out.append(run - 3, quote);
          pos_ += run;
          return out;
        }
        out.push_back(c);
        ++pos_;
        continue;
      }
      if (c == '\n' || (c == '\r' && Peek(1) == '\n')) {
        if (!multiline) return Error("newline in a single-line string");
        if (c == '\r') ++pos_;
        ++pos_;
        out.push_back('\n');
        continue;
      }
      if ((static_cast<unsigned char>(c) < 0x20 && c != '\t') || c == 0x7F) {
        return Error("control character in a string (escape it)");
      }
      if (c == '\\' && !literal) {
        KGATE_RETURN_IF_ERROR(ParseEscape(multiline, &out));
        continue;
      }
      out.push_back(c);
      ++pos_;
    }
  }

  absl::Status ParseEscape(bool multiline, std::string* out) {
    ++pos_;  // '\'
    char e = Peek();
    if (multiline && (e == ' ' || e == '\t' || e == '\n' || e == '\r')) {
      // Line-ending backslash: skip whitespace up to and across newlines.
      size_t save = pos_;
      SkipBlanks();
      if (Peek() != '\n' && !(Peek() == '\r' && Peek(1) == '\n')) {
        pos_ = save;
        return Error("'\\' followed by spaces must end the line");
      }
      while (Peek() == ' ' || Peek() == '\t' || Peek() == '\n' || (Peek() == '\r' && Peek(1) == '\n')) ++pos_;
      return absl::OkStatus();
    }
    ++pos_;
    switch (e) {
      case 'b': out->push_back('\b'); return absl::OkStatus();
      case 't': out->push_back('\t'); return absl::OkStatus();
      case 'n': out->push_back('\n'); return absl::OkStatus();
      case 'f': out->push_back('\f'); return absl::OkStatus();
      case 'r': out->push_back('\r'); return absl::OkStatus();
      case '"': out->push_back('"'); return absl::OkStatus();
      case '\\': out->push_back('\\'); return absl::OkStatus();
      case 'u':
      case 'U': {
        int digits = e == 'u' ? 4 : 8;
        uint32_t cp = 0;
        for (int i = 0; i < digits; ++i) {
          char h = Peek();
          int d = IsDigit(h) ? h - '0' : (h >= 'a' && h <= 'f') ? h - 'a' + 10 : (h >= 'A' && h <= 'F') ? h - 'A' + 10 : -1;
          if (d < 0) return Error(util::StrCat("expected ", digits, " hex digits after \\", std::string(1, e)));
          cp = cp * 16 + static_cast<uint32_t>(d);
          ++pos_;
        }
        if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return Error("escape is not a Unicode scalar value");
        AppendUtf8(cp, out);
        return absl::OkStatus();
      }
      default:
        --pos_;
        return Error(util::StrCat("unknown escape '\\", std::string(1, e), "'"));
    }
  }

  bool IsDateTimeStart() const {
    auto d = [&](size_t i) { return IsDigit(Peek(i)); };
    return (d(0) && d(1) && d(2) && d(3) && Peek(4) == '-') || (d(0) && d(1) && Peek(2) == ':');
  }

  // Date, time, or date-time; kept as text after a shape check.
  absl::StatusOr<std::string> ParseDateTime() {
    size_t start = pos_;
    auto digits = [&](int n) {
      for (int i = 0; i < n; ++i) {
        if (!IsDigit(Peek())) return false;
        ++pos_;
      }
      return true;
    };
    auto time = [&]() {
      if (!digits(2) || !Eat(':') || !digits(2) || !Eat(':') || !digits(2)) return false;
      if (Eat('.') && !digits(1)) return false;
      while (IsDigit(Peek())) ++pos_;
      return true;
    };
    if (Peek(2) == ':') {
      if (!time()) return Error("malformed local time (expected HH:MM:SS)");
      return std::string(s_.substr(start, pos_ - start));
    }
    if (!digits(4) || !Eat('-') || !digits(2) || !Eat('-') || !digits(2)) {
      return Error("malformed date (expected YYYY-MM-DD)");
    }
    if ((Peek() == 'T' || Peek() == 't' || Peek() == ' ') && IsDigit(Peek(1))) {
      ++pos_;
      if (!time()) return Error("malformed time in a date-time (expected HH:MM:SS)");
      if (Peek() == 'Z' || Peek() == 'z') {
        ++pos_;
      } else if (Peek() == '+' || Peek() == '-') {
        ++pos_;
        if (!digits(2) || !Eat(':') || !digits(2)) return Error("malformed offset (expected +HH:MM)");
      }
    }
    return std::string(s_.substr(start, pos_ - start));
  }

  absl::StatusOr<Value> ParseNumber() {
    size_t start = pos_;
    while (!AtEnd() && (IsBareKeyChar(Peek()) || Peek() == '+' || Peek() == '.')) ++pos_;
    std::string_view tok = s_.substr(start, pos_ - start);
    std::string_view body = tok;
    bool negative = false;
    if (!body.empty() && (body[0] == '+' || body[0] == '-')) {
      negative = body[0] == '-';
      body.remove_prefix(1);
    }
    if (body == "inf") return Value::Double(negative ? -HUGE_VAL : HUGE_VAL);
    if (body == "nan") return Value::Double(std::numeric_limits<double>::quiet_NaN());
    auto bad = [&]() {
      pos_ = start;
      return Error(util::StrCat("'", tok, "' is not a TOML number"));
    };
    // Underscores only between digits.
    std::string clean;
    for (size_t i = 0; i < body.size(); ++i) {
      if (body[i] == '_') {
        if (i == 0 || i + 1 == body.size() || !std::isxdigit(static_cast<unsigned char>(body[i - 1])) ||
            !std::isxdigit(static_cast<unsigned char>(body[i + 1]))) {
          return bad();
        }
        continue;
      }
      clean.push_back(body[i]);
    }
    if (clean.empty()) return bad();
    int base = 10;
    if (clean.size() > 2 && clean[0] == '0' && (clean[1] == 'x' || clean[1] == 'o' || clean[1] == 'b')) {
      if (tok[0] == '+' || tok[0] == '-') return bad();
      base = clean[1] == 'x' ? 16 : clean[1] == 'o' ? 8 : 2;
      clean = clean.substr(2);
    }
    const bool is_float = base == 10 && clean.find_first_of(".eE") != std::string::npos;
    if (base == 10) {
      // Leading zeros are not allowed ("0", "0.5" and "0e1" are).
      if (clean.size() > 1 && clean[0] == '0' && IsDigit(clean[1])) return bad();
      for (char c : clean) {
        if (!IsDigit(c) && c != '.' && c != 'e' && c != 'E' && c != '+' && c != '-') return bad();
      }
    }
    if (is_float) {
      size_t dot = clean.find('.');
      if (dot != std::string::npos && (dot == 0 || dot + 1 >= clean.size() || !IsDigit(clean[dot + 1]))) return bad();
      errno = 0;
      char* end = nullptr;
      std::string full = (negative ? "-" : "") + clean;
      double d = std::strtod(full.c_str(), &end);
      if (end != full.c_str() + full.size() || errno == ERANGE) return bad();
      return Value::Double(d);
    }
    errno = 0;
    char* end = nullptr;
    unsigned long long magnitude = std::strtoull(clean.c_str(), &end, base);
    if (end != clean.c_str() + clean.size() || errno == ERANGE) return bad();
    if (clean.find_first_of("+-") != std::string::npos) return bad();
    const unsigned long long limit = negative ? 9223372036854775808ull : 9223372036854775807ull;
    if (magnitude > limit) return bad();
    return Value::Int(negative ? static_cast<int64_t>(0 - magnitude) : static_cast<int64_t>(magnitude));
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

  std::string_view s_;
  std::string_view name_;
  size_t pos_ = 0;
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
