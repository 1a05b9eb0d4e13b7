#include "node/rpc.h"

#include "absl/strings/str_cat.h"
#include "node/codec.h"

namespace garage {
namespace {
constexpr uint8_t kEnvelopeVersion = 1;
constexpr size_t kEnvelopeHeader = 3;
}  // namespace

std::string encode_rpc(RpcMethod method, std::string_view payload) {
  Encoder e;
  e.u8(kEnvelopeVersion);
  e.u16(static_cast<uint16_t>(method));
  std::string out = e.take();
  out.append(payload.data(), payload.size());
  return out;
}

bool needs_administrator(RpcMethod method) {
  switch (method) {
    case RpcMethod::kClusterStatus:
    case RpcMethod::kLayoutAdmin:
    case RpcMethod::kDebugKv:
    case RpcMethod::kAdmin:
      return true;
    case RpcMethod::kPing:
    case RpcMethod::kLayoutGet:
    case RpcMethod::kTable:
    case RpcMethod::kBlock:
      return false;
  }
  return true;  // a method added without a rule is closed until it has one
}

std::string_view rpc_method_name(RpcMethod method) {
  switch (method) {
    case RpcMethod::kPing:
      return "ping";
    case RpcMethod::kClusterStatus:
      return "cluster_status";
    case RpcMethod::kLayoutGet:
      return "layout_get";
    case RpcMethod::kLayoutAdmin:
      return "layout_admin";
    case RpcMethod::kTable:
      return "table";
    case RpcMethod::kDebugKv:
      return "debug_kv";
    case RpcMethod::kBlock:
      return "block";
    case RpcMethod::kAdmin:
      return "admin";
  }
  return "unknown";
}

std::vector<RpcMethod> RpcRouter::methods() const {
  std::vector<RpcMethod> out;
  for (const auto& [method, handler] : handlers_) out.push_back(method);
  return out;
}

RpcHandler RpcRouter::handler() {
  return [this](RpcCaller from, std::string request) { return dispatch(std::move(from), std::move(request)); };
}

Task<absl::StatusOr<std::string>> RpcRouter::dispatch(RpcCaller from, std::string request) {
  Decoder d(std::string_view(request).substr(0, kEnvelopeHeader));
  d.version(kEnvelopeVersion, kEnvelopeVersion);
  const uint16_t method = d.u16();
  if (absl::Status s = d.finish(); !s.ok()) co_return s;
  auto it = handlers_.find(static_cast<RpcMethod>(method));
  if (it == handlers_.end()) co_return absl::UnimplementedError(absl::StrCat("unknown RPC method ", method));
  if (needs_administrator(it->first) && !from.administrator) {
    co_return absl::PermissionDeniedError(
        "this request needs an administration certificate (scripts/genkeys.sh makes cli.crt); a node's "
        "certificate is not one");
  }
  std::string payload = request.substr(kEnvelopeHeader);
  co_return co_await it->second(from.id, std::move(payload));
}

}  // namespace garage
