#include "test_support.h"

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "gtest/gtest.h"

namespace kgate::trust::testing {
namespace {

std::string PemOf(EVP_PKEY* key, bool private_part) {
  BIO* bio = BIO_new(BIO_s_mem());
  if (private_part) {
    PEM_write_bio_PrivateKey(bio, key, nullptr, nullptr, 0, nullptr, nullptr);
  } else {
    PEM_write_bio_PUBKEY(bio, key);
  }
  char* data = nullptr;
  const long len = BIO_get_mem_data(bio, &data);
  std::string out(data, static_cast<size_t>(len));
  BIO_free(bio);
  return out;
}

}  // namespace

TempDir::TempDir() {
  const char* base = std::getenv("TMPDIR");
  std::string pattern = std::string(base != nullptr ? base : "/tmp") + "/kgate_trust_XXXXXX";
  if (::mkdtemp(pattern.data()) == nullptr) std::abort();
  path_ = pattern;
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

void WriteFile(const std::string& path, std::string_view bytes) {
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  f.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  ASSERT_TRUE(f.good()) << path;
}

std::string ReadFile(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  std::stringstream s;
  s << f.rdbuf();
  return s.str();
}

void MakeDirs(const std::string& path) { std::filesystem::create_directories(path); }

KeyPair GenerateKeyPair(std::string_view curve) {
  EVP_PKEY* key = EVP_EC_gen(std::string(curve).c_str());
  if (key == nullptr) std::abort();
  const std::string private_pem = PemOf(key, true);
  const std::string public_pem = PemOf(key, false);
  EVP_PKEY_free(key);
  absl::StatusOr<PrivateKey> priv = PrivateKey::FromPem(private_pem, "test-private");
  absl::StatusOr<PublicKey> pub = PublicKey::FromPem(public_pem, "test-public");
  if (!priv.ok() || !pub.ok()) std::abort();
  return {private_pem, public_pem, *priv, *pub};
}

}  // namespace kgate::trust::testing
