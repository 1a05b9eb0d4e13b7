// RPC envelope and router: every request names its method; the router dispatches to handlers.
//
// Request bytes: u8 version (1), u16 method, then the method's payload (its own versioned
// encoding). Unknown methods and malformed envelopes get an InvalidArgument/Unimplemented reply;
// a method the caller may not use (needs_administrator) gets PermissionDenied.
//
//   RpcRouter router;
//   router.add(RpcMethod::kPing, [&](NodeId from, std::string p) { return m.handle_ping(from, p); });
//   transport.set_handler(router.handler());
//   co_await transport.call(addr, encode_rpc(RpcMethod::kPing, payload), opts);
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "node/env.h"

namespace garage {

enum class RpcMethod : uint16_t {
  kPing = 1,           // membership: status + gossip exchange between nodes
  kClusterStatus = 2,  // CLI: what does this node know of the cluster
  kLayoutGet = 3,      // a peer's whole ClusterLayout, to merge (gossip pull)
  kLayoutAdmin = 4,    // CLI: show / assign / remove / apply / revert
  kTable = 5,          // replicated tables: writes, reads, anti-entropy, collection (node/table)
  kDebugKv = 6,        // CLI: put / get / delete in the debug_kv table (node/table/debug_kv.h)
  kBlock = 7,          // data blocks: put / get (node/block/block_manager.h)
  kAdmin = 8,          // CLI: keys and buckets (node/model/admin.h)
};

// The one rule for who may call what: the CLI's methods (status, layout, debug table, keys and
// buckets, which show secrets) answer administration certificates only; a node's certificate,
// which every node holds on its disk, cannot use them. Node-to-node methods answer any peer
// of the cluster's CA; tables and blocks further check that it is a node of the layout.
bool needs_administrator(RpcMethod method);

// "ping", "cluster_status", ...: how logs and service lists name a method.
std::string_view rpc_method_name(RpcMethod method);

std::string encode_rpc(RpcMethod method, std::string_view payload);

class RpcRouter {
 public:
  using MethodHandler = std::function<Task<absl::StatusOr<std::string>>(NodeId from, std::string payload)>;
  void add(RpcMethod method, MethodHandler handler) { handlers_[method] = std::move(handler); }
  // A Transport handler that decodes the envelope and dispatches. The router must outlive it.
  RpcHandler handler();
  // The methods it answers, in method order.
  std::vector<RpcMethod> methods() const;

 private:
  Task<absl::StatusOr<std::string>> dispatch(RpcCaller from, std::string request);
  std::map<RpcMethod, MethodHandler> handlers_;
};

}  // namespace garage
