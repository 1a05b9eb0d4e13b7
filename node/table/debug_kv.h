// The debug_kv table: last-writer-wins strings by key, replicated like every table, reachable
// from the CLI (`garage debug kv-put | kv-get | kv-del`). It lets an operator (and the real
// process test) see replication work end to end before the S3 tables exist.
#pragma once

#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "node/env.h"
#include "node/rpc.h"
#include "node/table/lww.h"
#include "node/table/table.h"

namespace garage {

inline constexpr char kDebugKvTable[] = "debug_kv";

struct DebugKvRequest {
  static constexpr uint8_t kVersion = 1;
  enum class Op : uint8_t { kPut = 1, kGet = 2, kDelete = 3 };
  Op op = Op::kGet;
  std::string key;
  std::string value;  // kPut
  std::string encode() const;
  static absl::StatusOr<DebugKvRequest> decode(std::string_view bytes);
};

// kGet's reply: the register as stored (absent or a tombstone: not found).
std::optional<LwwRegister> decode_debug_kv_reply(std::string_view bytes, absl::Status* error);

class DebugKv {
 public:
  DebugKv(Env env, Table& table) : env_(env), table_(table) {}
  void register_rpcs(RpcRouter& router);

 private:
  Task<absl::StatusOr<std::string>> handle(NodeId from, std::string payload);
  Env env_;
  Table& table_;
};

}  // namespace garage
