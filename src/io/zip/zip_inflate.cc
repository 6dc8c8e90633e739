// Bounded raw-DEFLATE inflation and CRC-32, both with zlib.
//
// The output buffer starts small and doubles with the output actually
// produced, capped at the declared size, so memory follows real data and a
// member that lies about its size cannot make us allocate what it declares.
// Once the declared size is reached, one more byte of output is a bomb
// (KG-Z009); the stream must also end exactly there and consume exactly the
// compressed bytes (KG-Z002), or it is damaged (KG-Z001).
#include <zlib.h>

#include <algorithm>
#include <climits>

#include "io/zip/zip_internal.h"
#include "util/rules.h"
#include "util/strings.h"

namespace kgate::io::zip::internal {
namespace {

using util::StrCat;
namespace rules = util::rules;

// First output buffer: enough for small members in one step, and grown
// geometrically after that.
constexpr uint64_t kInitialOutputBytes = uint64_t{64} << 10;
// zlib counts in uInt; feed it at most this much per call.
constexpr uint64_t kMaxZlibChunk = uint64_t{1} << 30;

// Owns an initialised z_stream.
class Inflater {
 public:
  Inflater() = default;
  Inflater(const Inflater&) = delete;
  Inflater& operator=(const Inflater&) = delete;
  ~Inflater() {
    if (initialised_) inflateEnd(&stream_);
  }
  bool Init() {
    initialised_ = inflateInit2(&stream_, -MAX_WBITS) == Z_OK;  // raw deflate, no zlib header
    return initialised_;
  }
  z_stream* stream() { return &stream_; }

 private:
  z_stream stream_{};
  bool initialised_ = false;
};

absl::Status DataError(std::string_view what, const z_stream& s, std::string_view detail) {
  return util::RuleError(rules::kZipMalformed,
                         StrCat("zip: ", what, ": invalid DEFLATE data after ", s.total_in,
                                " compressed bytes: ", detail));
}

}  // namespace

absl::StatusOr<std::vector<uint8_t>> Inflate(std::span<const uint8_t> compressed, uint64_t declared,
                                             std::string_view what) {
  if (compressed.size() > UINT_MAX) {
    // Cannot happen without zip64, which Open refuses.
    return util::RuleError(rules::kZipUnsupported, StrCat("zip: ", what, ": member too large"));
  }
  Inflater inflater;
  if (!inflater.Init()) return absl::ResourceExhaustedError("zip: zlib inflateInit2 failed");
  z_stream* s = inflater.stream();
  s->next_in = const_cast<Bytef*>(compressed.data());
  s->avail_in = static_cast<uInt>(compressed.size());

  std::vector<uint8_t> out;
  out.resize(std::min(declared, std::max(kInitialOutputBytes, uint64_t{4} * compressed.size())));
  uint64_t produced = 0;
  for (;;) {
    int ret;
    if (produced == declared) {
      // Everything declared is there: the stream must end now, without
      // producing another byte.
      uint8_t probe;
      s->next_out = &probe;
      s->avail_out = 1;
      ret = inflate(s, Z_NO_FLUSH);
      if (s->avail_out == 0) {
        return util::RuleLimitError(rules::kZipBomb,
                                    StrCat("zip: ", what, ": inflates past its declared size of ", declared,
                                           " bytes (stopped there): decompression bomb or lying header"));
      }
    } else {
      if (produced == out.size()) {
        out.resize(std::min(declared, std::max(kInitialOutputBytes, uint64_t{2} * out.size())));
      }
      const uint64_t room = std::min(out.size() - produced, kMaxZlibChunk);
      s->next_out = out.data() + produced;
      s->avail_out = static_cast<uInt>(room);
      ret = inflate(s, Z_NO_FLUSH);
      produced += room - s->avail_out;
    }
    if (ret == Z_STREAM_END) break;
    if (ret == Z_OK) continue;
    if (ret == Z_BUF_ERROR && s->avail_in == 0) {
      return util::RuleError(rules::kZipMalformed,
                             StrCat("zip: ", what, ": DEFLATE stream is truncated: all ", compressed.size(),
                                    " compressed bytes consumed after ", produced,
                                    " bytes of output, without an end-of-stream block"));
    }
    if (ret == Z_MEM_ERROR) return absl::ResourceExhaustedError(StrCat("zip: ", what, ": zlib out of memory"));
    if (ret == Z_NEED_DICT) return DataError(what, *s, "the stream asks for a preset dictionary");
    return DataError(what, *s, s->msg != nullptr ? s->msg : "zlib error");
  }
  if (s->avail_in != 0) {
    return util::RuleError(rules::kZipHeaderMismatch,
                           StrCat("zip: ", what, ": DEFLATE stream ends after ", s->total_in, " of the ",
                                  compressed.size(), " compressed bytes the header declares"));
  }
  if (produced != declared) {
    return util::RuleError(rules::kZipHeaderMismatch,
                           StrCat("zip: ", what, ": inflates to ", produced, " bytes but the header declares ",
                                  declared));
  }
  out.resize(produced);
  return out;
}

uint32_t Crc32(std::span<const uint8_t> bytes) {
  uLong crc = crc32(0L, Z_NULL, 0);
  while (!bytes.empty()) {
    const size_t n = std::min<uint64_t>(bytes.size(), kMaxZlibChunk);
    crc = crc32(crc, bytes.data(), static_cast<uInt>(n));
    bytes = bytes.subspan(n);
  }
  return static_cast<uint32_t>(crc);
}

}  // namespace kgate::io::zip::internal
