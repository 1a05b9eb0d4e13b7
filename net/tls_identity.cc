#include "net/tls_identity.h"

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/sha.h>
#include <openssl/x509v3.h>

#include <cstdio>
#include <memory>
#include <string_view>

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

bool is_admin_certificate(X509* cert) {
  // Without an extendedKeyUsage extension every usage is allowed, serverAuth included.
  const uint32_t usage = X509_get_extended_key_usage(cert);
  if ((usage & XKU_SSL_CLIENT) == 0 || (usage & XKU_SSL_SERVER) != 0) return false;
  if (X509_check_ca(cert) != 0) return false;
  X509_NAME* subject = X509_get_subject_name(cert);
  for (int i = X509_NAME_get_index_by_NID(subject, NID_organizationName, -1); i >= 0;
       i = X509_NAME_get_index_by_NID(subject, NID_organizationName, i)) {
    const ASN1_STRING* value = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(subject, i));
    const std::string_view org(reinterpret_cast<const char*>(ASN1_STRING_get0_data(value)),
                               static_cast<size_t>(ASN1_STRING_length(value)));
    if (org == kAdminOrganization) return true;
  }
  return false;
}

absl::StatusOr<NodeId> node_id_from_cert_file(const std::string& pem_path) {
  std::unique_ptr<FILE, int (*)(FILE*)> f(std::fopen(pem_path.c_str(), "r"), &std::fclose);
  if (!f) return absl::NotFoundError(absl::StrCat("cannot open certificate ", pem_path));
  std::unique_ptr<X509, void (*)(X509*)> cert(PEM_read_X509(f.get(), nullptr, nullptr, nullptr), &X509_free);
  if (!cert) return absl::InvalidArgumentError(absl::StrCat(pem_path, " is not a PEM certificate"));
  return node_id_from_x509(cert.get());
}

}  // namespace garage
