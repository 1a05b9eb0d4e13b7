#include "sim/operator.h"

#include <string>
#include <utility>

#include "node/rpc.h"

namespace garage::sim {
namespace {

// The operator's certificate id: any id no node holds (node ids are hashes of their keys).
NodeId operator_id() {
  NodeId id;
  id.bytes.fill(0xad);
  return id;
}

}  // namespace

Task<absl::StatusOr<AdminReply>> admin_call(RpcHandler handler, AdminRequest request) {
  RpcCaller caller{operator_id(), /*administrator=*/true};
  std::string body = encode_rpc(RpcMethod::kAdmin, request.encode());
  absl::StatusOr<std::string> reply = co_await handler(std::move(caller), std::move(body));
  if (!reply.ok()) co_return reply.status();
  co_return AdminReply::decode(*reply);
}

}  // namespace garage::sim
