#include "serve/content_encoding.h"

#include <zlib.h>

#include <algorithm>
#include <climits>

#include "util/strings.h"

namespace kgate::serve {
namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return (x >= 'A' && x <= 'Z' ? x - 'A' + 'a' : x) == y;
         });
}

// Owns an initialised gzip-only inflate stream.
class GzipInflater {
 public:
  GzipInflater() { ok_ = inflateInit2(&stream_, 16 + MAX_WBITS) == Z_OK; }
  ~GzipInflater() {
    if (ok_) inflateEnd(&stream_);
  }
  GzipInflater(const GzipInflater&) = delete;
  GzipInflater& operator=(const GzipInflater&) = delete;
  bool ok() const { return ok_; }
  z_stream* stream() { return &stream_; }

 private:
  z_stream stream_{};
  bool ok_ = false;
};

constexpr size_t kOutputStep = size_t{64} << 10;

}  // namespace

bool IsIdentityEncoding(std::string_view content_encoding) {
  content_encoding = Trim(content_encoding);
  return content_encoding.empty() || EqualsIgnoreCase(content_encoding, "identity");
}

absl::StatusOr<std::string> DecodeBody(std::string_view content_encoding, std::string_view body,
                                       const DecodeLimits& limits) {
  const std::string_view encoding = Trim(content_encoding);
  if (!EqualsIgnoreCase(encoding, "gzip") && !EqualsIgnoreCase(encoding, "x-gzip")) {
    return absl::UnimplementedError(util::StrCat("Content-Encoding '", encoding.substr(0, 64),
                                                 "' is not supported; send gzip or identity"));
  }
  if (body.size() > UINT_MAX) return absl::ResourceExhaustedError("gzip request body too large to decode");
  // The ratio cap in bytes, saturating; never below the ratio-free allowance.
  const uint64_t ratio_cap = std::max<uint64_t>(
      kRatioFreeBytes,
      body.size() > UINT64_MAX / std::max<uint32_t>(limits.max_ratio, 1) ? UINT64_MAX : body.size() * limits.max_ratio);
  const uint64_t cap = std::min(limits.max_bytes, ratio_cap);

  GzipInflater inflater;
  if (!inflater.ok()) return absl::ResourceExhaustedError("zlib could not start a gzip stream");
  z_stream* s = inflater.stream();
  s->next_in = reinterpret_cast<Bytef*>(const_cast<char*>(body.data()));
  s->avail_in = static_cast<uInt>(body.size());
  std::string out;
  uint64_t produced = 0;
  for (;;) {
    if (produced == out.size()) {
      // One byte beyond the cap is enough to know the body is over it.
      const uint64_t room = cap + 1 - produced;
      out.resize(produced + static_cast<size_t>(std::min<uint64_t>(room, kOutputStep)));
    }
    s->next_out = reinterpret_cast<Bytef*>(out.data() + produced);
    s->avail_out = static_cast<uInt>(out.size() - produced);
    const int ret = inflate(s, Z_NO_FLUSH);
    produced = out.size() - s->avail_out;
    if (produced > cap) {
      if (cap == limits.max_bytes) {
        return absl::ResourceExhaustedError(util::StrCat("gzip request body decodes to more than the ",
                                                         limits.max_bytes, "-byte body limit"));
      }
      return absl::ResourceExhaustedError(
          util::StrCat("gzip request body decodes to more than ", limits.max_ratio, " times its ", body.size(),
                       " compressed bytes (", cap, " bytes); refused as a decompression bomb"));
    }
    if (ret == Z_STREAM_END) {
      if (s->avail_in == 0) break;
      // Another gzip member follows (RFC 1952 allows several).
      if (inflateReset(s) != Z_OK) return absl::InvalidArgumentError("gzip request body: cannot reset the stream");
      continue;
    }
    if (ret == Z_BUF_ERROR && s->avail_in == 0) {
      return absl::InvalidArgumentError(util::StrCat("gzip request body is truncated after ", body.size(),
                                                     " bytes (the stream does not end)"));
    }
    // Z_BUF_ERROR with room left on both sides means zlib cannot go on.
    if ((ret != Z_OK && ret != Z_BUF_ERROR) || (ret == Z_BUF_ERROR && s->avail_out > 0)) {
      return absl::InvalidArgumentError(util::StrCat("gzip request body is malformed at compressed byte ",
                                                     body.size() - s->avail_in, ": ",
                                                     s->msg != nullptr ? s->msg : "invalid data"));
    }
  }
  out.resize(produced);
  return out;
}

}  // namespace kgate::serve
