// The CLI side of admin RPCs: one call to a node over mutual TLS, run to completion.
//   absl::StatusOr<std::string> reply = call_node(files, "127.0.0.1:3901", RpcMethod::kLayoutAdmin, payload);
#pragma once

#include <string>

#include "net/tls_transport.h"
#include "node/rpc.h"

namespace garage {

absl::StatusOr<std::string> call_node(const TlsFiles& files, const std::string& address, RpcMethod method,
                                      const std::string& payload, absl::Duration timeout = absl::Seconds(10));

}  // namespace garage
