// Node identity from certificates: a node's id is the SHA-256 of its certificate's
// SubjectPublicKeyInfo (DER), so it is fixed by its key and checked by the TLS handshake.
#pragma once

#include <openssl/x509.h>

#include <string>

#include "absl/status/statusor.h"
#include "node/node_id.h"

namespace garage {

NodeId node_id_from_x509(X509* cert);
absl::StatusOr<NodeId> node_id_from_cert_file(const std::string& pem_path);

// Administration certificates (the CLI's; admin RPCs need one, node/rpc.h): the subject's
// organisation is kAdminOrganization and the extended key usage names clientAuth but not
// serverAuth. A node must serve TLS, so its certificate has serverAuth and is never one;
// scripts/genkeys.sh signs cli.crt this way. The cluster CA vouches for the mark, as it does
// for every certificate: whoever holds ca.key can make either kind.
inline constexpr char kAdminOrganization[] = "garage-admin";
bool is_admin_certificate(X509* cert);

}  // namespace garage
