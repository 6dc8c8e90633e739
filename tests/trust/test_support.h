// File: test_support.h
// Helpers for trust tests: a temporary directory removed at scope exit,
// file writing, and ECDSA key pairs generated in-process with OpenSSL (no key
// material is committed).
#pragma once

#include <string>
#include <string_view>

#include "trust/ec_key.h"

namespace kgate::trust::testing {

class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }
  std::string Sub(std::string_view rel) const { return path_ + "/" + std::string(rel); }

 private:
  std::string path_;
};

void WriteFile(const std::string& path, std::string_view bytes);
std::string ReadFile(const std::string& path);
void MakeDirs(const std::string& path);

struct KeyPair {
  std::string private_pem;
  std::string public_pem;
  PrivateKey private_key;
  PublicKey public_key;
};

// A fresh key pair on `curve` ("P-256", "P-384" or "P-521").
KeyPair GenerateKeyPair(std::string_view curve = "P-256");

}  // namespace kgate::trust::testing
