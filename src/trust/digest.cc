#include "trust/digest.h"

#include <fcntl.h>
#include <openssl/evp.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <memory>
#include <vector>

#include "absl/cleanup/cleanup.h"
#include "util/strings.h"

namespace kgate::trust {
namespace {

struct MdCtxDeleter {
  void operator()(EVP_MD_CTX* ctx) const { EVP_MD_CTX_free(ctx); }
};
using MdCtxPtr = std::unique_ptr<EVP_MD_CTX, MdCtxDeleter>;

MdCtxPtr NewSha256Context() {
  MdCtxPtr ctx(EVP_MD_CTX_new());
  // Allocation failure or a FIPS provider without SHA-256 leaves nothing to
  // recover: every caller needs the hash.
  if (ctx == nullptr || EVP_DigestInit_ex(ctx.get(), EVP_sha256(), nullptr) != 1) std::abort();
  return ctx;
}

Sha256 Finish(EVP_MD_CTX* ctx) {
  Sha256 out{};
  unsigned int len = 0;
  if (EVP_DigestFinal_ex(ctx, out.data(), &len) != 1 || len != out.size()) std::abort();
  return out;
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

Sha256 HashBytes(std::span<const uint8_t> bytes) {
  MdCtxPtr ctx = NewSha256Context();
  if (EVP_DigestUpdate(ctx.get(), bytes.data(), bytes.size()) != 1) std::abort();
  return Finish(ctx.get());
}

Sha256 HashBytes(std::string_view bytes) {
  return HashBytes(std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()));
}

std::string ToHex(const Sha256& digest) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out(digest.size() * 2, '\0');
  for (size_t i = 0; i < digest.size(); ++i) {
    out[2 * i] = kDigits[digest[i] >> 4];
    out[2 * i + 1] = kDigits[digest[i] & 0xf];
  }
  return out;
}

std::optional<Sha256> Sha256FromHex(std::string_view hex) {
  Sha256 out{};
  if (hex.size() != out.size() * 2) return std::nullopt;
  for (size_t i = 0; i < out.size(); ++i) {
    const int hi = HexValue(hex[2 * i]);
    const int lo = HexValue(hex[2 * i + 1]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out[i] = static_cast<uint8_t>(hi << 4 | lo);
  }
  return out;
}

absl::StatusOr<Sha256> HashFile(const std::string& path, const FileRange& range) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK | O_NOFOLLOW);
  if (fd < 0) {
    const int err = errno;
    if (err == ELOOP) return absl::FailedPreconditionError(util::StrCat(path, ": is a symlink; only regular files are hashed"));
    if (err == ENOENT) return absl::NotFoundError(util::StrCat(path, ": no such file"));
    return absl::PermissionDeniedError(util::StrCat(path, ": cannot open: ", std::strerror(err)));
  }
  absl::Cleanup close_fd = [fd] { ::close(fd); };
  struct stat st;
  if (::fstat(fd, &st) != 0) {
    return absl::PermissionDeniedError(util::StrCat(path, ": cannot stat: ", std::strerror(errno)));
  }
  if (!S_ISREG(st.st_mode)) {
    return absl::FailedPreconditionError(util::StrCat(path, ": not a regular file; only regular files are hashed"));
  }
  const uint64_t size = static_cast<uint64_t>(st.st_size);
  if (range.offset > size) {
    return absl::DataLossError(util::StrCat(path, ": range starts at byte ", range.offset, " but the file has ", size, " bytes"));
  }
  const uint64_t length = range.length.value_or(size - range.offset);
  ::posix_fadvise(fd, static_cast<off_t>(range.offset), static_cast<off_t>(length), POSIX_FADV_SEQUENTIAL);

  MdCtxPtr ctx = NewSha256Context();
  std::vector<uint8_t> buffer(static_cast<size_t>(std::min<uint64_t>(std::max<uint64_t>(length, 1), kHashReadBytes)));
  uint64_t done = 0;
  while (done < length) {
    const size_t want = static_cast<size_t>(std::min<uint64_t>(length - done, buffer.size()));
    const ssize_t got = ::pread(fd, buffer.data(), want, static_cast<off_t>(range.offset + done));
    if (got < 0) {
      if (errno == EINTR) continue;
      return absl::DataLossError(util::StrCat(path, ": read failed at byte ", range.offset + done, ": ", std::strerror(errno)));
    }
    if (got == 0) {
      return absl::DataLossError(util::StrCat(path, ": file ended at byte ", range.offset + done, ", expected ",
                                              range.offset + length, " bytes (was it truncated while being hashed?)"));
    }
    if (EVP_DigestUpdate(ctx.get(), buffer.data(), static_cast<size_t>(got)) != 1) std::abort();
    done += static_cast<uint64_t>(got);
  }
  return Finish(ctx.get());
}

}  // namespace kgate::trust
