// The .npy header dictionary: a strict literal grammar (see npy_internal.h)
// and the table of descr strings kgate accepts.
#include <array>
#include <limits>
#include <utility>

#include "absl/status/status.h"
#include "io/npy/npy_internal.h"
#include "util/status_macros.h"
#include "util/strings.h"

namespace kgate::io::npy::internal {
namespace {

using util::StrCat;

// The longest string literal the grammar reads; real keys and descrs are
// under 16 bytes. Bounds the text copied into messages.
constexpr size_t kMaxLiteralBytes = 64;

struct DescrEntry {
  std::string_view descr;
  util::DType dtype;
};

constexpr std::array<DescrEntry, 12> kDescrs = {{
    {"|b1", util::DType::kBool},    {"|i1", util::DType::kInt8},    {"|u1", util::DType::kUInt8},
    {"<i2", util::DType::kInt16},   {"<u2", util::DType::kUInt16},  {"<i4", util::DType::kInt32},
    {"<u4", util::DType::kUInt32},  {"<i8", util::DType::kInt64},   {"<u8", util::DType::kUInt64},
    {"<f2", util::DType::kFloat16}, {"<f4", util::DType::kFloat32}, {"<f8", util::DType::kFloat64},
}};

// Printable form of a byte for messages.
std::string Show(char c) {
  if (c >= 0x20 && c < 0x7f) return StrCat("'", c, "'");
  static constexpr char kDigits[] = "0123456789abcdef";
  const auto u = static_cast<unsigned char>(c);
  return StrCat("byte 0x", kDigits[u >> 4], kDigits[u & 0xF]);
}

class HeaderParser {
 public:
  HeaderParser(std::string_view text, uint64_t base, uint32_t max_rank)
      : text_(text), base_(base), max_rank_(max_rank) {}

  absl::StatusOr<Header> Parse() {
    if (text_.empty() || text_.back() != '\n') {
      return absl::InvalidArgumentError(
          StrCat("npy: the header (", text_.size(), " bytes at offset ", base_, ") does not end with '\\n'"));
    }
    KGATE_RETURN_IF_ERROR(Expect('{', "'{' opening the header dictionary"));
    bool seen[3] = {false, false, false};
    Header h;
    SkipSpaces();
    while (Peek() != '}') {
      const uint64_t key_at = pos_;
      absl::StatusOr<std::string> key = String("a key");
      if (!key.ok()) return key.status();
      SkipSpaces();
      KGATE_RETURN_IF_ERROR(Expect(':', StrCat("':' after the key '", *key, "'")));
      SkipSpaces();
      int index;
      absl::Status s;
      if (*key == "descr") {
        index = 0;
        s = Descr(&h.descr);
      } else if (*key == "fortran_order") {
        index = 1;
        s = Bool(&h.fortran_order);
      } else if (*key == "shape") {
        index = 2;
        s = Shape(&h.shape);
      } else {
        return Error(key_at, StrCat("unexpected key '", *key, "' (expected 'descr', 'fortran_order' and 'shape')"));
      }
      if (seen[index]) return Error(key_at, StrCat("duplicate key '", *key, "'"));
      seen[index] = true;
      if (!s.ok()) return s;
      SkipSpaces();
      if (Peek() == ',') {
        ++pos_;
        SkipSpaces();
      } else if (Peek() != '}') {
        return Error(pos_, StrCat("expected ',' or '}' after the value of '", *key, "', found ", Found()));
      }
    }
    ++pos_;  // '}'
    const uint64_t after = pos_;
    SkipSpaces();
    if (pos_ != text_.size() - 1) {
      return Error(pos_, StrCat("expected only spaces and a final '\\n' after the dictionary (which ends at byte ",
                                base_ + after, "), found ", Found()));
    }
    static constexpr std::string_view kKeys[] = {"descr", "fortran_order", "shape"};
    for (int i = 0; i < 3; ++i) {
      if (!seen[i]) return Error(after, StrCat("missing key '", kKeys[i], "'"));
    }
    return h;
  }

 private:
  char Peek() const { return pos_ < text_.size() ? text_[pos_] : '\0'; }
  std::string Found() const { return pos_ < text_.size() ? Show(text_[pos_]) : "the end of the header"; }
  void SkipSpaces() {
    while (pos_ < text_.size() && text_[pos_] == ' ') ++pos_;
  }

  absl::Status Error(uint64_t at, std::string_view what) const {
    return absl::InvalidArgumentError(StrCat("npy: header at byte ", base_ + at, ": ", what));
  }

  absl::Status Expect(char c, std::string_view what) {
    if (Peek() != c) return Error(pos_, StrCat("expected ", what, ", found ", Found()));
    ++pos_;
    return absl::OkStatus();
  }

  absl::StatusOr<std::string> String(std::string_view what) {
    const char quote = Peek();
    if (quote != '\'' && quote != '"') return Error(pos_, StrCat("expected ", what, " (a quoted string), found ", Found()));
    const uint64_t start = ++pos_;
    while (pos_ < text_.size() && text_[pos_] != quote) {
      const char c = text_[pos_];
      if (c == '\\') return Error(pos_, "escape sequences are not allowed in header strings");
      if (c < 0x20 || c >= 0x7f) return Error(pos_, StrCat("unexpected ", Show(c), " in a header string"));
      if (pos_ - start >= kMaxLiteralBytes) {
        return Error(start, StrCat("string longer than ", kMaxLiteralBytes, " bytes"));
      }
      ++pos_;
    }
    if (pos_ >= text_.size()) return Error(start - 1, "unterminated string");
    std::string out(text_.substr(start, pos_ - start));
    ++pos_;  // closing quote
    return out;
  }

  absl::Status Descr(std::string* out) {
    if (Peek() == '[') {
      return Error(pos_, "'descr' is a list: structured (record) dtypes are not supported");
    }
    absl::StatusOr<std::string> s = String("the 'descr' string");
    if (!s.ok()) return s.status();
    *out = std::move(*s);
    return absl::OkStatus();
  }

  absl::Status Bool(bool* out) {
    const std::string_view rest = text_.substr(pos_);
    if (rest.substr(0, 4) == "True") {
      *out = true;
      pos_ += 4;
    } else if (rest.substr(0, 5) == "False") {
      *out = false;
      pos_ += 5;
    } else {
      return Error(pos_, StrCat("'fortran_order' must be True or False, found ", Found()));
    }
    return absl::OkStatus();
  }

  absl::StatusOr<int64_t> Int() {
    const uint64_t start = pos_;
    if (Peek() == '-') return Error(pos_, "negative dimension in 'shape'");
    if (Peek() < '0' || Peek() > '9') return Error(pos_, StrCat("expected a dimension (an integer), found ", Found()));
    if (Peek() == '0' && pos_ + 1 < text_.size() && text_[pos_ + 1] >= '0' && text_[pos_ + 1] <= '9') {
      return Error(pos_, "dimension with a leading zero");
    }
    uint64_t v = 0;
    while (Peek() >= '0' && Peek() <= '9') {
      v = v * 10 + static_cast<uint64_t>(Peek() - '0');
      if (v > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
        return Error(start, "dimension larger than 2^63 - 1");
      }
      ++pos_;
    }
    return static_cast<int64_t>(v);
  }

  absl::Status Shape(std::vector<int64_t>* out) {
    const uint64_t start = pos_;
    if (Peek() != '(') return Error(pos_, StrCat("'shape' must be a tuple, found ", Found()));
    ++pos_;
    SkipSpaces();
    bool comma_after_last = false;
    while (Peek() != ')') {
      if (out->size() == max_rank_) {
        return absl::ResourceExhaustedError(StrCat("npy: header at byte ", base_ + pos_, ": 'shape' has more than ",
                                                   max_rank_, " dimensions"));
      }
      absl::StatusOr<int64_t> dim = Int();
      if (!dim.ok()) return dim.status();
      out->push_back(*dim);
      SkipSpaces();
      comma_after_last = Peek() == ',';
      if (comma_after_last) {
        ++pos_;
        SkipSpaces();
      } else if (Peek() != ')') {
        return Error(pos_, StrCat("expected ',' or ')' in 'shape', found ", Found()));
      }
    }
    ++pos_;
    if (out->size() == 1 && !comma_after_last) {
      return Error(start, StrCat("'shape' (", (*out)[0], ") is a number in parentheses, not a tuple (NumPy writes (",
                                 (*out)[0], ",))"));
    }
    return absl::OkStatus();
  }

  std::string_view text_;
  uint64_t base_;
  uint32_t max_rank_;
  uint64_t pos_ = 0;
};

}  // namespace

absl::StatusOr<Header> ParseHeader(std::string_view text, uint64_t base, uint32_t max_rank) {
  return HeaderParser(text, base, max_rank).Parse();
}

absl::StatusOr<util::DType> DTypeFromDescr(std::string_view descr) {
  for (const DescrEntry& e : kDescrs) {
    if (e.descr == descr) return e.dtype;
  }
  auto refuse = [&](std::string_view why) {
    return absl::InvalidArgumentError(StrCat("npy: 'descr' '", descr, "': ", why));
  };
  if (descr.size() < 2) return refuse("not a NumPy dtype descriptor");
  const char order = descr[0];
  const char kind = descr[1];
  if (kind == 'O') return refuse("object arrays are Python pickles and are never loaded");
  if (kind == 'U' || kind == 'S' || kind == 'a') return refuse("string dtypes are not supported");
  if (kind == 'V') return refuse("void / structured dtypes are not supported");
  if (kind == 'c') return refuse("complex dtypes are not supported");
  if (kind == 'M' || kind == 'm') return refuse("datetime and timedelta dtypes are not supported");
  if (order == '>') return refuse("big-endian data is not supported (NumPy writes '<' on little-endian hosts)");
  if (order == '=' || order == '!' || order == '^') {
    return refuse("byte order must be explicit: '<' for multi-byte types, '|' for single bytes");
  }
  const std::string_view rest = descr.substr(1);
  for (const DescrEntry& e : kDescrs) {
    if (e.descr.substr(1) != rest) continue;
    if (order == '<') return refuse(StrCat("a single-byte type has no byte order; NumPy writes '", e.descr, "'"));
    if (order == '|') return refuse(StrCat("a multi-byte type needs a byte order; NumPy writes '", e.descr, "'"));
  }
  return refuse("unsupported dtype (kgate reads bool, int8-64, uint8-64, float16, float32, float64)");
}

std::optional<std::string_view> DescrForDType(util::DType dtype) {
  for (const DescrEntry& e : kDescrs) {
    if (e.dtype == dtype) return e.descr;
  }
  return std::nullopt;
}

std::string ShapeRepr(std::span<const int64_t> shape) {
  std::string out = "(";
  for (size_t i = 0; i < shape.size(); ++i) {
    if (i > 0) out += ", ";
    util::StrAppend(&out, shape[i]);
  }
  if (shape.size() == 1) out += ",";
  out += ")";
  return out;
}

}  // namespace kgate::io::npy::internal
