#include "trust/ec_key.h"

#include <fcntl.h>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "absl/cleanup/cleanup.h"
#include "trust/digest.h"
#include "util/strings.h"

namespace kgate::trust {
namespace {

struct BioDeleter {
  void operator()(BIO* b) const { BIO_free(b); }
};
using BioPtr = std::unique_ptr<BIO, BioDeleter>;
struct MdCtxDeleter {
  void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
};
using MdCtxPtr = std::unique_ptr<EVP_MD_CTX, MdCtxDeleter>;

std::shared_ptr<EVP_PKEY> Own(EVP_PKEY* key) { return std::shared_ptr<EVP_PKEY>(key, EVP_PKEY_free); }

// The oldest queued OpenSSL error as text; clears the thread's queue so the
// next call starts clean.
std::string TakeOpenSslError() {
  const unsigned long code = ERR_peek_error();
  ERR_clear_error();
  if (code == 0) return "unknown OpenSSL error";
  char buf[256];
  ERR_error_string_n(code, buf, sizeof(buf));
  return buf;
}

BioPtr MemoryBio(std::string_view bytes) {
  return BioPtr(BIO_new_mem_buf(bytes.data(), static_cast<int>(bytes.size())));
}

struct CurveInfo {
  std::string name;  // "P-256"
  const EVP_MD* md;
};

absl::StatusOr<CurveInfo> CheckCurve(EVP_PKEY* key, std::string_view source) {
  if (EVP_PKEY_get_base_id(key) != EVP_PKEY_EC) {
    return absl::InvalidArgumentError(util::StrCat(source, ": not an elliptic-curve key (", EVP_PKEY_get0_type_name(key),
                                                   "); model signatures use ECDSA on P-256, P-384 or P-521"));
  }
  char group[64] = {0};
  size_t len = 0;
  if (EVP_PKEY_get_group_name(key, group, sizeof(group), &len) != 1) {
    return absl::InvalidArgumentError(util::StrCat(source, ": elliptic-curve key without a named curve"));
  }
  const std::string_view g(group, len);
  if (g == "prime256v1" || g == "P-256") return CurveInfo{"P-256", EVP_sha256()};
  if (g == "secp384r1" || g == "P-384") return CurveInfo{"P-384", EVP_sha384()};
  if (g == "secp521r1" || g == "P-521") return CurveInfo{"P-521", EVP_sha512()};
  return absl::InvalidArgumentError(
      util::StrCat(source, ": unsupported curve ", g, "; expected P-256 (prime256v1), P-384 or P-521"));
}

const EVP_MD* DigestForCurve(const std::string& curve) {
  if (curve == "P-384") return EVP_sha384();
  if (curve == "P-521") return EVP_sha512();
  return EVP_sha256();
}

absl::StatusOr<std::string> PublicPem(EVP_PKEY* key) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (bio == nullptr || PEM_write_bio_PUBKEY(bio.get(), key) != 1) {
    return absl::InternalError(util::StrCat("cannot encode public key: ", TakeOpenSslError()));
  }
  char* data = nullptr;
  const long len = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<size_t>(len));
}

}  // namespace

absl::StatusOr<std::string> ReadSmallFile(const std::string& path, size_t max_bytes) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
  if (fd < 0) {
    if (errno == ENOENT) return absl::NotFoundError(util::StrCat(path, ": no such file"));
    return absl::PermissionDeniedError(util::StrCat(path, ": cannot open: ", std::strerror(errno)));
  }
  absl::Cleanup close_fd = [fd] { ::close(fd); };
  struct stat st;
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    return absl::FailedPreconditionError(util::StrCat(path, ": not a regular file"));
  }
  if (static_cast<uint64_t>(st.st_size) > max_bytes) {
    return absl::ResourceExhaustedError(
        util::StrCat(path, ": file is ", static_cast<uint64_t>(st.st_size), " bytes; the cap is ", max_bytes));
  }
  std::string out(static_cast<size_t>(st.st_size), '\0');
  size_t done = 0;
  while (done < out.size()) {
    const ssize_t got = ::read(fd, out.data() + done, out.size() - done);
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) return absl::DataLossError(util::StrCat(path, ": short read at byte ", done));
    done += static_cast<size_t>(got);
  }
  return out;
}

absl::StatusOr<PublicKey> PublicKey::FromPem(std::string_view pem, std::string_view source) {
  BioPtr bio = MemoryBio(pem);
  EVP_PKEY* raw = bio ? PEM_read_bio_PUBKEY(bio.get(), nullptr, nullptr, nullptr) : nullptr;
  if (raw == nullptr) {
    return absl::InvalidArgumentError(util::StrCat(source, ": not a PEM public key (expected '-----BEGIN PUBLIC KEY-----'): ",
                                                   TakeOpenSslError()));
  }
  PublicKey key;
  key.key_ = Own(raw);
  absl::StatusOr<CurveInfo> curve = CheckCurve(raw, source);
  if (!curve.ok()) return curve.status();
  absl::StatusOr<std::string> canonical = PublicPem(raw);
  if (!canonical.ok()) return canonical.status();
  key.curve_ = curve->name;
  key.pem_ = std::move(*canonical);
  key.hint_ = ToHex(HashBytes(key.pem_));
  key.source_ = std::string(source);
  return key;
}

absl::StatusOr<PublicKey> PublicKey::FromPemFile(const std::string& path) {
  absl::StatusOr<std::string> pem = ReadSmallFile(path, kMaxKeyFileBytes);
  if (!pem.ok()) return pem.status();
  return FromPem(*pem, path);
}

bool PublicKey::Verify(std::string_view message, std::string_view der_signature) const {
  MdCtxPtr ctx(EVP_MD_CTX_new());
  const bool ok = ctx != nullptr &&
                  EVP_DigestVerifyInit(ctx.get(), nullptr, DigestForCurve(curve_), nullptr, key_.get()) == 1 &&
                  EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char*>(der_signature.data()),
                                   der_signature.size(), reinterpret_cast<const unsigned char*>(message.data()),
                                   message.size()) == 1;
  ERR_clear_error();  // a bad signature leaves decoder errors queued
  return ok;
}

absl::StatusOr<PrivateKey> PrivateKey::FromPem(std::string_view pem, std::string_view source) {
  if (pem.find("ENCRYPTED") != std::string_view::npos) {
    return absl::InvalidArgumentError(
        util::StrCat(source, ": encrypted private keys are not supported; decrypt it to a file only you can read"));
  }
  BioPtr bio = MemoryBio(pem);
  // A null password callback with an empty password: encrypted keys fail
  // here instead of prompting on the terminal.
  static char kEmpty[] = "";
  EVP_PKEY* raw = bio ? PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, kEmpty) : nullptr;
  if (raw == nullptr) {
    return absl::InvalidArgumentError(util::StrCat(
        source, ": not a PEM private key (expected EC PRIVATE KEY or PRIVATE KEY): ", TakeOpenSslError()));
  }
  std::shared_ptr<EVP_PKEY> key = Own(raw);
  absl::StatusOr<CurveInfo> curve = CheckCurve(raw, source);
  if (!curve.ok()) return curve.status();
  absl::StatusOr<std::string> public_pem = PublicPem(raw);
  if (!public_pem.ok()) return public_pem.status();
  absl::StatusOr<PublicKey> public_key = PublicKey::FromPem(*public_pem, source);
  if (!public_key.ok()) return public_key.status();
  return PrivateKey(std::move(key), std::move(*public_key));
}

absl::StatusOr<PrivateKey> PrivateKey::FromPemFile(const std::string& path) {
  absl::StatusOr<std::string> pem = ReadSmallFile(path, kMaxKeyFileBytes);
  if (!pem.ok()) return pem.status();
  return FromPem(*pem, path);
}

absl::StatusOr<std::string> PrivateKey::Sign(std::string_view message) const {
  MdCtxPtr ctx(EVP_MD_CTX_new());
  size_t len = 0;
  if (ctx == nullptr ||
      EVP_DigestSignInit(ctx.get(), nullptr, DigestForCurve(public_key_.curve()), nullptr, key_.get()) != 1 ||
      EVP_DigestSign(ctx.get(), nullptr, &len, reinterpret_cast<const unsigned char*>(message.data()),
                     message.size()) != 1) {
    return absl::InternalError(util::StrCat("cannot sign: ", TakeOpenSslError()));
  }
  std::string sig(len, '\0');
  if (EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(sig.data()), &len,
                     reinterpret_cast<const unsigned char*>(message.data()), message.size()) != 1) {
    return absl::InternalError(util::StrCat("cannot sign: ", TakeOpenSslError()));
  }
  sig.resize(len);
  return sig;
}

}  // namespace kgate::trust
