#include "deps/requirement.h"

#include "util/strings.h"

namespace kgate::deps {
namespace {

bool IsNameChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '-' ||
         c == '_';
}
bool IsAlnumAscii(char c) { return IsNameChar(c) && c != '.' && c != '-' && c != '_'; }
bool IsBlank(char c) { return c == ' ' || c == '\t'; }

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (IsBlank(s.front()) || s.front() == '\r' || s.front() == '\n')) s.remove_prefix(1);
  while (!s.empty() && (IsBlank(s.back()) || s.back() == '\r' || s.back() == '\n')) s.remove_suffix(1);
  return s;
}

class Scanner {
 public:
  explicit Scanner(std::string_view s) : s_(s) {}
  void SkipBlanks() {
    while (pos_ < s_.size() && IsBlank(s_[pos_])) ++pos_;
  }
  bool AtEnd() const { return pos_ >= s_.size(); }
  char Peek() const { return AtEnd() ? '\0' : s_[pos_]; }
  bool Eat(char c) {
    if (Peek() != c) return false;
    ++pos_;
    return true;
  }
  std::string_view TakeName() {
    size_t start = pos_;
    while (!AtEnd() && IsNameChar(s_[pos_])) ++pos_;
    return s_.substr(start, pos_ - start);
  }
  std::string_view TakeUntilAny(std::string_view stops) {
    size_t start = pos_;
    while (!AtEnd() && stops.find(s_[pos_]) == std::string_view::npos) ++pos_;
    return s_.substr(start, pos_ - start);
  }
  std::string_view Rest() const { return s_.substr(pos_); }
  size_t pos() const { return pos_; }

 private:
  std::string_view s_;
  size_t pos_ = 0;
};

// The comparison operators of PEP 440, longest first so "===" wins over "==".
constexpr std::string_view kOperators[] = {"===", "~=", "==", "!=", "<=", ">=", "<", ">"};

}  // namespace

std::string NormalizeName(std::string_view name) {
  std::string out;
  out.reserve(name.size());
  bool in_run = false;
  for (char c : name) {
    if (c == '-' || c == '_' || c == '.') {
      if (!in_run) out.push_back('-');
      in_run = true;
      continue;
    }
    in_run = false;
    out.push_back(c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c);
  }
  return out;
}

bool IsValidName(std::string_view name) {
  if (name.empty() || !IsAlnumAscii(name.front()) || !IsAlnumAscii(name.back())) return false;
  for (char c : name) {
    if (!IsNameChar(c)) return false;
  }
  return true;
}

std::optional<std::string> Requirement::PinnedVersion() const {
  std::optional<std::string> pin;
  for (const Specifier& s : specifiers) {
    bool exact = (s.op == "==" && s.version.find('*') == std::string::npos) || s.op == "===";
    if (!exact) continue;
    if (pin && *pin != s.version) return std::nullopt;  // two different pins: unsatisfiable, not guessed
    pin = s.version;
  }
  return pin;
}

absl::StatusOr<Requirement> ParseRequirement(std::string_view text) {
  if (text.size() > kMaxRequirementBytes) {
    return absl::InvalidArgumentError(
        util::StrCat("requirement of ", text.size(), " bytes exceeds the ", kMaxRequirementBytes, "-byte cap"));
  }
  const std::string_view trimmed = Trim(text);
  Scanner sc(trimmed);
  auto fail = [&](std::string_view expected) {
    return absl::InvalidArgumentError(
        util::StrCat("'", trimmed, "' is not a PEP 508 requirement: at offset ", sc.pos(), " expected ", expected));
  };
  Requirement req;
  req.name = std::string(sc.TakeName());
  if (!IsValidName(req.name)) return fail("a project name (letters, digits, '.', '-', '_')");
  sc.SkipBlanks();
  if (sc.Eat('[')) {
    while (true) {
      sc.SkipBlanks();
      if (sc.Eat(']')) break;
      std::string_view extra = sc.TakeName();
      if (!IsValidName(extra)) return fail("an extra name");
      req.extras.emplace_back(extra);
      sc.SkipBlanks();
      if (sc.Eat(']')) break;
      if (!sc.Eat(',')) return fail("',' or ']' in the extras");
    }
    sc.SkipBlanks();
  }
  if (sc.Eat('@')) {
    sc.SkipBlanks();
    // PEP 508: the URL ends at whitespace; a marker follows after " ;".
    std::string_view url = sc.TakeUntilAny(" \t");
    if (url.empty()) return fail("a URL after '@'");
    req.url = std::string(url);
    sc.SkipBlanks();
  } else {
    bool parenthesized = sc.Eat('(');
    while (true) {
      sc.SkipBlanks();
      if (sc.AtEnd() || sc.Peek() == ';' || sc.Peek() == ')') break;
      std::string_view op;
      for (std::string_view candidate : kOperators) {
        if (sc.Rest().substr(0, candidate.size()) == candidate) {
          op = candidate;
          break;
        }
      }
      if (op.empty()) return fail("a version operator (==, !=, <=, >=, <, >, ~=, ===)");
      for (size_t i = 0; i < op.size(); ++i) sc.Eat(op[i]);
      sc.SkipBlanks();
      std::string_view version = Trim(sc.TakeUntilAny(",;) \t"));
      if (version.empty()) return fail(util::StrCat("a version after '", op, "'"));
      req.specifiers.push_back({std::string(op), std::string(version)});
      sc.SkipBlanks();
      if (!sc.Eat(',')) break;
    }
    if (parenthesized && !sc.Eat(')')) return fail("')' closing the version specifiers");
    sc.SkipBlanks();
  }
  if (sc.Eat(';')) {
    req.marker = std::string(Trim(sc.Rest()));
    if (req.marker.empty()) return fail("a marker after ';'");
    return req;
  }
  if (!sc.AtEnd()) return fail("';' and a marker, or the end of the requirement");
  return req;
}

std::optional<std::string> WheelVersionFromUrl(std::string_view url) {
  size_t cut = url.find_first_of("#?");
  if (cut != std::string_view::npos) url = url.substr(0, cut);
  size_t slash = url.find_last_of('/');
  std::string_view file = slash == std::string_view::npos ? url : url.substr(slash + 1);
  constexpr std::string_view kSuffix = ".whl";
  if (file.size() <= kSuffix.size() || file.substr(file.size() - kSuffix.size()) != kSuffix) return std::nullopt;
  // {name}-{version}(-{build})?-{python}-{abi}-{platform}.whl: 5 or 6 parts.
  std::vector<std::string_view> parts;
  std::string_view stem = file.substr(0, file.size() - kSuffix.size());
  for (size_t start = 0;;) {
    size_t dash = stem.find('-', start);
    parts.push_back(stem.substr(start, dash == std::string_view::npos ? std::string_view::npos : dash - start));
    if (dash == std::string_view::npos) break;
    start = dash + 1;
  }
  if (parts.size() != 5 && parts.size() != 6) return std::nullopt;
  if (parts[1].empty()) return std::nullopt;
  return std::string(parts[1]);
}

}  // namespace kgate::deps
