#include "node/table/debug_kv.h"

#include "absl/strings/str_cat.h"
#include "node/codec.h"

namespace garage {

std::string DebugKvRequest::encode() const {
  Encoder e;
  e.u8(kVersion);
  e.u8(static_cast<uint8_t>(op));
  e.str(key);
  e.str(value);
  return e.take();
}

absl::StatusOr<DebugKvRequest> DebugKvRequest::decode(std::string_view bytes) {
  Decoder d(bytes);
  d.version(kVersion, kVersion);
  DebugKvRequest r;
  const uint8_t op = d.u8();
  if (op < 1 || op > 3) d.fail("unknown debug_kv op");
  r.op = static_cast<Op>(op);
  r.key = d.str(1024);
  r.value = d.str(1 << 20);
  if (absl::Status s = d.finish(); !s.ok()) return s;
  if (r.key.empty()) return absl::InvalidArgumentError("debug_kv: empty key");
  return r;
}

std::optional<LwwRegister> decode_debug_kv_reply(std::string_view bytes, absl::Status* error) {
  *error = absl::OkStatus();
  if (bytes.empty()) return std::nullopt;
  absl::StatusOr<LwwRegister> r = LwwRegister::decode(bytes);
  if (!r.ok()) {
    *error = r.status();
    return std::nullopt;
  }
  return *r;
}

void DebugKv::register_rpcs(RpcRouter& router) {
  router.add(RpcMethod::kDebugKv, [this](NodeId from, std::string p) { return handle(from, std::move(p)); });
}

Task<absl::StatusOr<std::string>> DebugKv::handle(NodeId from, std::string payload) {
  absl::StatusOr<DebugKvRequest> req = DebugKvRequest::decode(payload);
  if (!req.ok()) co_return req.status();
  const std::string tree_key = make_tree_key(req->key, "");
  if (req->op == DebugKvRequest::Op::kGet) {
    absl::StatusOr<std::optional<std::string>> got = co_await table_.get(tree_key);
    if (!got.ok()) co_return got.status();
    co_return got->value_or("");
  }
  LwwRegister entry{absl::ToUnixMillis(env_.clock->now_wall()), env_.rng->next_u64(),
                    req->op == DebugKvRequest::Op::kPut ? std::optional<std::string>(req->value) : std::nullopt};
  std::vector<TableItem> items{TableItem{tree_key, entry.encode()}};
  absl::Status s = co_await table_.insert(std::move(items));
  if (!s.ok()) co_return s;
  co_return std::string();
}

}  // namespace garage
