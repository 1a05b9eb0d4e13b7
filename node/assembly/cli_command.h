// One `garage` command line, parsed (node/assembly/cli_parser.h) and not yet run
// (node/assembly/cli_run.h): which command, and its arguments as typed values.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "node/model/admin.h"
#include "node/table/debug_kv.h"

namespace garage {

// `garage layout assign|remove|apply`: what the command line gave (empty: not given).
struct LayoutArgs {
  std::string node;      // assign, remove: a node id or a unique prefix of one
  std::string zone;      // assign
  std::string capacity;  // assign: "500G", "2T"
  std::vector<std::string> tags;
  bool gateway = false;  // assign: the node stores nothing
  uint64_t version = 0;  // apply: the version `layout show` announced
};

// How the CLI reaches a node; empty fields take the configuration's values.
struct RpcConnectArgs {
  std::string rpc_host;     // default: the config's rpc_public_addr
  std::string ca_cert;      // default: rpc_tls.ca_cert
  std::string client_cert;  // default: rpc_tls.cli_cert
  std::string client_key;   // default: rpc_tls.cli_key
};

// `garage status` (and a node named by an id prefix) waits this long for the node's answer.
inline constexpr absl::Duration kCliStatusTimeout = absl::Seconds(5);

struct CliCommand {
  enum class Kind {
    kServer,   // garage server
    kNodeId,   // garage node id
    kStatus,   // garage status
    kLayout,   // garage layout show|assign|remove|apply|revert
    kDebugKv,  // garage debug kv-put|kv-get|kv-del
    kAdmin,    // garage key ..., garage bucket ...
  };
  enum class LayoutOp { kShow, kAssign, kRemove, kApply, kRevert };

  Kind kind = Kind::kServer;
  std::string config_path = "/etc/garage.toml";
  RpcConnectArgs connect;  // kStatus, kLayout, kDebugKv, kAdmin
  LayoutOp layout_op = LayoutOp::kShow;
  LayoutArgs layout;
  DebugKvRequest debug_kv;
  AdminRequest admin;
};

}  // namespace garage
