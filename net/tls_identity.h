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

}  // namespace garage
