// The simulated cluster's operator: admin operations (`garage key ...`, `garage bucket ...`)
// sent to a node through its RPC router as an administrator caller, as the CLI's call arrives
// over the node's loopback: the same encoding, the same rights check (needs_administrator),
// the same Admin::execute and the same typed reply. The workloads set up keys and buckets this
// way rather than through the model.
//
//   absl::StatusOr<AdminReply> r = co_await admin_call(node.rpc_handler(), {Op::kBucketCreate, {"b"}});
//
// Spawn the caller on the node's spawner: a crash destroys it with the node's other frames.
#pragma once

#include "node/env.h"
#include "node/model/admin.h"

namespace garage::sim {

Task<absl::StatusOr<AdminReply>> admin_call(RpcHandler handler, AdminRequest request);

}  // namespace garage::sim
