// The chunk filter pipeline, undone in reverse order: fletcher32, deflate,
// shuffle.
#include <zlib.h>

#include <cstring>

#include "io/hdf5/internal/checksum.h"
#include "io/hdf5/internal/chunks.h"
#include "util/status_macros.h"

namespace kgate::io::hdf5::internal {

using util::StrCat;

Inflater::Inflater() : stream_(new z_stream) {
  std::memset(stream_.get(), 0, sizeof(z_stream));
}

Inflater::~Inflater() {
  if (initialized_) inflateEnd(stream_.get());
}

// Inflates a zlib stream, refusing output beyond `cap` bytes. The buffer grows
// with the output, so memory follows what the stream really holds.
absl::StatusOr<std::vector<uint8_t>> Inflater::Inflate(std::span<const uint8_t> in, uint64_t cap,
                                                       uint64_t address) {
  z_stream& zs = *stream_;
  if (!initialized_) {
    if (inflateInit(&zs) != Z_OK) return absl::InternalError("hdf5: inflateInit failed");
    initialized_ = true;
  } else if (inflateReset(&zs) != Z_OK) {
    return absl::InternalError("hdf5: inflateReset failed");
  }
  std::vector<uint8_t> out;
  const uint64_t initial = in.size() * 4 + 1024;
  out.resize(initial < cap + 1 ? initial : cap + 1);
  zs.next_in = const_cast<Bytef*>(in.data());
  uint64_t in_left = in.size();
  int rc = Z_OK;
  uint64_t produced = 0;
  while (true) {
    if (produced == out.size()) {
      if (out.size() > cap) break;  // more than cap bytes: stop
      const uint64_t grown = out.size() * 2;
      out.resize(grown < cap + 1 ? grown : cap + 1);
    }
    const uInt in_step = in_left > (1u << 30) ? (1u << 30) : static_cast<uInt>(in_left);
    const uint64_t space = out.size() - produced;
    const uInt out_step = space > (1u << 30) ? (1u << 30) : static_cast<uInt>(space);
    zs.avail_in = in_step;
    zs.next_out = out.data() + produced;
    zs.avail_out = out_step;
    rc = inflate(&zs, Z_NO_FLUSH);
    in_left -= in_step - zs.avail_in;
    produced += out_step - zs.avail_out;
    if (rc == Z_STREAM_END) break;
    if (rc != Z_OK && rc != Z_BUF_ERROR) break;
    if (rc == Z_BUF_ERROR && zs.avail_out != 0) break;  // input exhausted before the end
  }
  if (produced > cap) {
    return SizeError(StrCat("deflated chunk at offset ", address, " inflates beyond the chunk size ", cap));
  }
  if (rc != Z_STREAM_END) {
    return Malformed(StrCat("deflated chunk at offset ", address, ": corrupt or truncated zlib stream (",
                            zs.msg ? zs.msg : "no end of stream", ")"));
  }
  out.resize(produced);
  return out;
}

namespace {

std::vector<uint8_t> Unshuffle(std::span<const uint8_t> in, uint64_t element_size) {
  std::vector<uint8_t> out(in.size());
  const uint64_t n = in.size() / element_size;
  if (n <= 1) {  // nothing was shuffled
    std::memcpy(out.data(), in.data(), in.size());
    return out;
  }
  const uint8_t* src = in.data();
  for (uint64_t b = 0; b < element_size; ++b) {
    uint8_t* dst = out.data() + b;
    for (uint64_t i = 0; i < n; ++i) dst[i * element_size] = *src++;
  }
  // Bytes that do not fill a whole element are stored as they are.
  std::memcpy(out.data() + n * element_size, src, in.size() - n * element_size);
  return out;
}

absl::Status VerifyFletcher(std::span<const uint8_t> data, uint64_t address) {
  if (data.size() < 4) return Malformed(StrCat("chunk at offset ", address, ": too short for its fletcher32 checksum"));
  const auto body = data.first(data.size() - 4);
  uint32_t stored;
  std::memcpy(&stored, data.data() + body.size(), 4);
  const uint32_t computed = Fletcher32(body);
  // HDF5 before 1.6.3 stored the checksum byte-reversed; libhdf5 accepts both.
  const uint32_t reversed = __builtin_bswap32(computed);
  if (stored != computed && stored != reversed) {
    return Malformed(StrCat("chunk at offset ", address, ": fletcher32 checksum mismatch (stored ", stored,
                            ", computed ", computed, ")"));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<DecodedChunk> DecodeChunk(const Context& ctx, const DatasetInfo& d, const ChunkEntry& e,
                                         bool edge, uint64_t chunk_bytes, Inflater* inflater) {
  DecodedChunk out;
  out.bytes = ctx.file.subspan(e.address, e.size);  // in the file: checked when listed
  const bool filtered = !d.filters.empty() && !(edge && !d.layout.filter_edge_chunks);
  uint64_t fletchers = 0;
  for (const Filter& f : d.filters) fletchers += f.id == kFilterFletcher32;
  if (filtered) {
    for (size_t i = d.filters.size(); i-- > 0;) {
      if (i < 32 && (e.filter_mask >> i) & 1) continue;  // not applied to this chunk
      const Filter& f = d.filters[i];
      std::span<const uint8_t> in = out.bytes;
      switch (f.id) {
        case kFilterFletcher32:
          KGATE_RETURN_IF_ERROR(VerifyFletcher(in, e.address));
          out.bytes = in.first(in.size() - 4);
          break;
        case kFilterDeflate: {
          KGATE_ASSIGN_OR_RETURN(auto inflated, inflater->Inflate(in, chunk_bytes + 4 * fletchers, e.address));
          out.owned = std::move(inflated);
          out.bytes = out.owned;
          break;
        }
        case kFilterShuffle: {
          const uint64_t element = d.type.type.size;  // equal to the filter's parameter (checked at open)
          if (element > 1) {
            auto shuffled = Unshuffle(in, element);
            out.owned = std::move(shuffled);
            out.bytes = out.owned;
          }
          break;
        }
        default:
          return Unsupported(StrCat("filter ", f.id));  // refused at open already
      }
    }
  }
  if (out.bytes.size() != chunk_bytes) {
    return SizeError(StrCat("chunk at offset ", e.address, " decodes to ", out.bytes.size(),
                            " bytes, expected the chunk size ", chunk_bytes));
  }
  return out;
}

}  // namespace kgate::io::hdf5::internal
