#include "deps/pep440.h"

#include <algorithm>

#include "util/strings.h"

namespace kgate::deps {
namespace {

bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsAlnum(char c) { return IsDigit(c) || (c >= 'a' && c <= 'z'); }
bool IsSeparator(char c) { return c == '.' || c == '-' || c == '_'; }
bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }

// A cursor over the lower-cased text. Every optional group of packaging's
// VERSION_PATTERN is possessive, so a group that matched is never given back:
// each Try* below either consumes its whole group or restores the position.
class Cursor {
 public:
  explicit Cursor(std::string text) : s_(std::move(text)) {}
  bool AtEnd() const { return pos_ >= s_.size(); }
  char Peek() const { return AtEnd() ? '\0' : s_[pos_]; }
  size_t pos() const { return pos_; }
  void Reset(size_t p) { pos_ = p; }
  bool Eat(char c) {
    if (Peek() != c) return false;
    ++pos_;
    return true;
  }
  bool EatSeparator() {
    if (!IsSeparator(Peek())) return false;
    ++pos_;
    return true;
  }
  bool EatWord(std::string_view w) {
    if (s_.compare(pos_, w.size(), w) != 0) return false;
    pos_ += w.size();
    return true;
  }
  std::optional<BigNumber> EatNumber() {
    size_t start = pos_;
    while (IsDigit(Peek())) ++pos_;
    if (start == pos_) return std::nullopt;
    return BigNumber::From(std::string_view(s_).substr(start, pos_ - start));
  }
  std::string_view Rest() const { return std::string_view(s_).substr(pos_); }
  const std::string& text() const { return s_; }

 private:
  std::string s_;
  size_t pos_ = 0;
};

std::strong_ordering CompareReleases(const std::vector<BigNumber>& a, const std::vector<BigNumber>& b) {
  static const BigNumber kZero;
  const size_t n = std::max(a.size(), b.size());
  for (size_t i = 0; i < n; ++i) {
    const BigNumber& x = i < a.size() ? a[i] : kZero;
    const BigNumber& y = i < b.size() ? b[i] : kZero;
    if (auto c = x <=> y; c != 0) return c;
  }
  return std::strong_ordering::equal;
}

// packaging's _cmpkey maps missing parts to -inf or +inf; these ranks do the
// same with small integers before the number comparison.
int PreRank(const Version& v) {
  if (!v.pre() && !v.post() && v.dev()) return -1;  // 1.0.dev0 sorts before 1.0a0
  if (!v.pre()) return 3;                          // a final release sorts after its pre-releases
  return static_cast<int>(v.pre()->kind);
}

std::strong_ordering CompareLocal(const std::vector<Version::LocalPart>& a,
                                  const std::vector<Version::LocalPart>& b) {
  const size_t n = std::min(a.size(), b.size());
  for (size_t i = 0; i < n; ++i) {
    if (a[i].numeric != b[i].numeric) {
      return a[i].numeric ? std::strong_ordering::greater : std::strong_ordering::less;
    }
    if (a[i].numeric) {
      if (auto c = BigNumber::From(a[i].text) <=> BigNumber::From(b[i].text); c != 0) return c;
    } else if (auto c = a[i].text <=> b[i].text; c != 0) {
      return c;
    }
  }
  return a.size() <=> b.size();
}

}  // namespace

BigNumber BigNumber::From(std::string_view digits) {
  size_t first = digits.find_first_not_of('0');
  BigNumber n;
  if (first != std::string_view::npos) n.digits = std::string(digits.substr(first));
  return n;
}

std::strong_ordering operator<=>(const BigNumber& a, const BigNumber& b) {
  if (a.digits.size() != b.digits.size()) return a.digits.size() <=> b.digits.size();
  return a.digits <=> b.digits;
}

absl::StatusOr<Version> Version::Parse(std::string_view text) {
  if (text.size() > kMaxVersionBytes) {
    return absl::InvalidArgumentError(
        util::StrCat("version of ", text.size(), " bytes exceeds the ", kMaxVersionBytes, "-byte cap"));
  }
  std::string lower(text);
  for (char& c : lower) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  Cursor cur(std::move(lower));
  auto fail = [&](std::string_view expected) {
    return absl::InvalidArgumentError(util::StrCat("'", text, "' is not a PEP 440 version: at offset ", cur.pos(),
                                                   " expected ", expected));
  };
  while (IsSpace(cur.Peek())) cur.Reset(cur.pos() + 1);
  cur.Eat('v');
  Version v;
  // Epoch "N!" or the first release number.
  std::optional<BigNumber> first = cur.EatNumber();
  if (!first) return fail("a release number");
  if (cur.Eat('!')) {
    v.epoch_ = *first;
    first = cur.EatNumber();
    if (!first) return fail("a release number after the epoch");
  }
  v.release_.push_back(*first);
  while (cur.Peek() == '.') {
    size_t save = cur.pos();
    cur.Eat('.');
    std::optional<BigNumber> n = cur.EatNumber();
    if (!n) {
      cur.Reset(save);
      break;
    }
    v.release_.push_back(*n);
  }
  // Pre-release: [._-]? (alpha|a|beta|b|preview|pre|c|rc) [._-]? N?
  {
    size_t save = cur.pos();
    cur.EatSeparator();
    static constexpr std::pair<std::string_view, PreKind> kPreLabels[] = {
        {"alpha", PreKind::kAlpha}, {"a", PreKind::kAlpha},  {"beta", PreKind::kBeta}, {"b", PreKind::kBeta},
        {"preview", PreKind::kRc},  {"pre", PreKind::kRc},   {"c", PreKind::kRc},      {"rc", PreKind::kRc}};
    bool matched = false;
    for (const auto& [word, kind] : kPreLabels) {
      if (cur.EatWord(word)) {
        cur.EatSeparator();
        v.pre_ = Pre{kind, cur.EatNumber().value_or(BigNumber{})};
        matched = true;
        break;
      }
    }
    if (!matched) cur.Reset(save);
  }
  // Post-release: -N | [._-]? (post|rev|r) [._-]? N?
  {
    size_t save = cur.pos();
    if (cur.Eat('-') && IsDigit(cur.Peek())) {
      v.post_ = cur.EatNumber();
    } else {
      cur.Reset(save);
      cur.EatSeparator();
      if (cur.EatWord("post") || cur.EatWord("rev") || cur.EatWord("r")) {
        cur.EatSeparator();
        v.post_ = cur.EatNumber().value_or(BigNumber{});
      } else {
        cur.Reset(save);
      }
    }
  }
  // Development release: [._-]? dev [._-]? N?
  {
    size_t save = cur.pos();
    cur.EatSeparator();
    if (cur.EatWord("dev")) {
      cur.EatSeparator();
      v.dev_ = cur.EatNumber().value_or(BigNumber{});
    } else {
      cur.Reset(save);
    }
  }
  // Local label: + [a-z0-9]+ ([._-][a-z0-9]+)*
  if (cur.Eat('+')) {
    while (true) {
      size_t start = cur.pos();
      while (IsAlnum(cur.Peek())) cur.Reset(cur.pos() + 1);
      if (start == cur.pos()) return fail("a letter or digit in the local label");
      std::string part = cur.text().substr(start, cur.pos() - start);
      bool numeric = std::all_of(part.begin(), part.end(), IsDigit);
      v.local_.push_back({numeric, numeric ? BigNumber::From(part).digits : part});
      size_t save = cur.pos();
      if (!cur.EatSeparator()) break;
      if (!IsAlnum(cur.Peek())) {
        cur.Reset(save);
        break;
      }
    }
  }
  while (IsSpace(cur.Peek())) cur.Reset(cur.pos() + 1);
  if (!cur.AtEnd()) return fail("the end of the version");
  return v;
}

std::string Version::ToString() const {
  std::string out;
  if (epoch_.digits != "0") util::StrAppend(&out, epoch_.digits, "!");
  for (size_t i = 0; i < release_.size(); ++i) util::StrAppend(&out, i ? "." : "", release_[i].digits);
  if (pre_) {
    static constexpr std::string_view kNames[] = {"a", "b", "rc"};
    util::StrAppend(&out, kNames[static_cast<int>(pre_->kind)], pre_->number.digits);
  }
  if (post_) util::StrAppend(&out, ".post", post_->digits);
  if (dev_) util::StrAppend(&out, ".dev", dev_->digits);
  for (size_t i = 0; i < local_.size(); ++i) util::StrAppend(&out, i ? "." : "+", local_[i].text);
  return out;
}

Version Version::Public() const {
  Version v = *this;
  v.local_.clear();
  return v;
}

std::strong_ordering operator<=>(const Version& a, const Version& b) {
  if (auto c = a.epoch_ <=> b.epoch_; c != 0) return c;
  if (auto c = CompareReleases(a.release_, b.release_); c != 0) return c;
  if (auto c = PreRank(a) <=> PreRank(b); c != 0) return c;
  if (a.pre_ && b.pre_) {
    if (auto c = a.pre_->number <=> b.pre_->number; c != 0) return c;
  }
  // Missing post sorts below post0; missing dev sorts above every devN.
  if (a.post_.has_value() != b.post_.has_value()) return a.post_.has_value() <=> b.post_.has_value();
  if (a.post_) {
    if (auto c = *a.post_ <=> *b.post_; c != 0) return c;
  }
  if (a.dev_.has_value() != b.dev_.has_value()) return b.dev_.has_value() <=> a.dev_.has_value();
  if (a.dev_) {
    if (auto c = *a.dev_ <=> *b.dev_; c != 0) return c;
  }
  if (a.local_.empty() != b.local_.empty()) return b.local_.empty() <=> a.local_.empty();
  return CompareLocal(a.local_, b.local_);
}

std::optional<Version> LeadingVersion(std::string_view text) {
  for (size_t n = std::min(text.size(), kMaxVersionBytes); n > 0; --n) {
    // The prefix must end where a word ends: "2.6.0-cu124" reads as 2.6.0,
    // not as "2.6.0-c" (= 2.6.0rc0).
    if (n < text.size() && (IsAlnum(text[n]) || (text[n] >= 'A' && text[n] <= 'Z'))) continue;
    absl::StatusOr<Version> v = Version::Parse(text.substr(0, n));
    if (v.ok()) return *std::move(v);
  }
  return std::nullopt;
}

}  // namespace kgate::deps
