// `garage server`: the daemon. Builds the real ports (Asio, the TLS transport, RocksDB for the
// metadata, files for the data), the Node over them (node/assembly/node.h) and the S3 HTTP
// server around it, then serves until SIGINT or SIGTERM.
//   absl::Status s = run_server(config);  // returns after a signal, or at once on a start error
#pragma once

#include "absl/status/status.h"
#include "node/config.h"

namespace garage {

absl::Status run_server(const Config& config);

}  // namespace garage
