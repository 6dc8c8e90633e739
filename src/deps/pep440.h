// File: pep440.h
// PEP 440 versions: parsing with every alternate spelling the spec (and the
// `packaging` library) accepts, normalised printing, and the total order
// pip uses. Numeric components are kept as decimal digit strings, so release
// numbers, epochs and pre/post/dev numbers of any length compare exactly
// (no overflow on "1.0.99999999999999999999"). A Version is a value type,
// safe to share between threads.
#pragma once

#include <compare>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace kgate::deps {

// Versions longer than this are refused: real ones are < 40 bytes, and the
// cap bounds the work an adversarial lockfile can ask for.
inline constexpr size_t kMaxVersionBytes = 256;

// A non-negative integer of any length, as its digits without leading zeros
// ("0" for zero).
struct BigNumber {
  std::string digits = "0";
  static BigNumber From(std::string_view digits);
  friend std::strong_ordering operator<=>(const BigNumber& a, const BigNumber& b);
  friend bool operator==(const BigNumber& a, const BigNumber& b) = default;
};

class Version {
 public:
  enum class PreKind { kAlpha, kBeta, kRc };  // in PEP 440 order
  struct Pre {
    PreKind kind;
    BigNumber number;
  };
  // One dot-separated piece of a local label: numeric pieces sort above
  // alphanumeric ones and compare as numbers.
  struct LocalPart {
    bool numeric;
    std::string text;  // lower case; digits without leading zeros when numeric
  };

  // Parses `text` (surrounding whitespace and a leading "v" allowed, case
  // insensitive). The error names the text and the first offending byte.
  static absl::StatusOr<Version> Parse(std::string_view text);

  // The canonical spelling ("1.0a1.post2.dev3+ubuntu.1"), as packaging's str().
  std::string ToString() const;
  // The version without its local label.
  Version Public() const;

  const BigNumber& epoch() const { return epoch_; }
  const std::vector<BigNumber>& release() const { return release_; }
  const std::optional<Pre>& pre() const { return pre_; }
  const std::optional<BigNumber>& post() const { return post_; }
  const std::optional<BigNumber>& dev() const { return dev_; }
  const std::vector<LocalPart>& local() const { return local_; }
  bool is_prerelease() const { return pre_.has_value() || dev_.has_value(); }

  // PEP 440 order: 1.0.dev0 < 1.0a0.dev0 < 1.0a0 < 1.0rc1 < 1.0 < 1.0.post0.dev0
  // < 1.0.post0 < 1.0+local; trailing zeros of the release do not count.
  friend std::strong_ordering operator<=>(const Version& a, const Version& b);
  friend bool operator==(const Version& a, const Version& b) { return (a <=> b) == 0; }

 private:
  BigNumber epoch_;
  std::vector<BigNumber> release_;
  std::optional<Pre> pre_;
  std::optional<BigNumber> post_;
  std::optional<BigNumber> dev_;
  std::vector<LocalPart> local_;
};

// The longest prefix of `text` that is a valid version on its own and is
// followed by the end or a character other than a letter or digit, if any
// ("2.6.0" for "2.6.0-NA" and for "2.6.0-cu124", never "2.6.0-c" = rc0). Used only for OSV events that are not PEP
// 440 (see docs/audit.md, "Event versions that are not PEP 440").
std::optional<Version> LeadingVersion(std::string_view text);

}  // namespace kgate::deps
