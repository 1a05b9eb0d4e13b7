#include "net/tls_identity.h"

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/sha.h>

#include <cstdio>
#include <memory>

#include "absl/strings/str_cat.h"

namespace garage {

NodeId node_id_from_x509(X509* cert) {
  NodeId id;
  unsigned char* der = nullptr;
  const int len = i2d_X509_PUBKEY(X509_get_X509_PUBKEY(cert), &der);
  if (len > 0) SHA256(der, static_cast<size_t>(len), id.bytes.data());
  OPENSSL_free(der);
  return id;
}

absl::StatusOr<NodeId> node_id_from_cert_file(const std::string& pem_path) {
  std::unique_ptr<FILE, int (*)(FILE*)> f(std::fopen(pem_path.c_str(), "r"), &std::fclose);
  if (!f) return absl::NotFoundError(absl::StrCat("cannot open certificate ", pem_path));
  std::unique_ptr<X509, void (*)(X509*)> cert(PEM_read_X509(f.get(), nullptr, nullptr, nullptr), &X509_free);
  if (!cert) return absl::InvalidArgumentError(absl::StrCat(pem_path, " is not a PEM certificate"));
  return node_id_from_x509(cert.get());
}

}  // namespace garage
