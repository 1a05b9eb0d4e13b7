#include "node/block/block_manager.h"

#include <algorithm>
#include <set>

#include "absl/strings/str_cat.h"
#include "node/chaos.h"
#include "node/codec.h"
#include "node/hash.h"
#include "node/model/model.h"
#include "node/model/version.h"
#include "node/planted.h"
#include "node/runtime/combinators.h"
#include "node/table/quorum.h"

namespace garage {

namespace {
constexpr uint8_t kBlockRpcVersion = 1;
enum class BlockOp : uint8_t { kPut = 1, kGet = 2, kHas = 3 };

std::string encode_block_request(BlockOp op, std::string_view hash, std::string_view data) {
  Encoder e;
  e.u8(kBlockRpcVersion);
  e.u8(static_cast<uint8_t>(op));
  e.str(hash);
  e.str(data);
  return e.take();
}

bool is_hex_name(std::string_view name) {
  if (name.size() != 64) return false;
  for (char c : name)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  return true;
}
}  // namespace

BlockManager::BlockManager(Env env, Disk& disk, Spawner& spawner, ReplicaDirectory& replicas, Table& block_refs,
                           BlockOptions options)
    : env_(env), disk_(disk), spawner_(spawner), replicas_(replicas), block_refs_(block_refs), options_(options) {}

std::string BlockManager::path_of(std::string_view hash) {
  const std::string hex = to_hex(hash);
  return absl::StrCat(hex.substr(0, 2), "/", hex.substr(2, 2), "/", hex);
}

void BlockManager::register_rpcs(RpcRouter& router) {
  router.add(RpcMethod::kBlock, [this](NodeId from, std::string p) { return handle(from, std::move(p)); });
}

void BlockManager::start() {
  spawner_.spawn(resync_loop());
  spawner_.spawn(scrub_loop());
}

std::vector<NodeId> BlockManager::holders(std::string_view hash) {
  std::vector<NodeId> out;
  std::set<NodeId> seen;
  for (const auto& set : replicas_.replica_sets(partition_of(make_tree_key(hash, ""))))
    for (const NodeId& n : set)
      if (seen.insert(n).second) out.push_back(n);
  // Nearest first: this node, then its zone, then the others (stable: layout order within).
  const NodeId self = env_.transport->self_id();
  const std::string my_zone = replicas_.zone_of(self);
  auto distance = [&](const NodeId& n) { return n == self ? 0 : (!my_zone.empty() && replicas_.zone_of(n) == my_zone) ? 1 : 2; };
  std::stable_sort(out.begin(), out.end(), [&](const NodeId& a, const NodeId& b) { return distance(a) < distance(b); });
  return out;
}

Task<absl::StatusOr<bool>> BlockManager::verify(std::string hash, std::shared_ptr<std::string> data) {
  if (planted(options_.planted_skip_verify)) co_return true;
  // Hashing a MiB takes milliseconds: off the node's thread.
  auto ok = std::make_shared<bool>(false);
  std::function<void()> work = [ok, hash, data] { *ok = hash_bytes(sha256(*data)) == hash; };
  co_await env_.offload->run(std::move(work));
  co_return *ok;
}

Task<absl::StatusOr<std::string>> BlockManager::call(NodeId node, std::string payload) {
  if (node == env_.transport->self_id()) co_return co_await handle(node, std::move(payload));
  std::optional<std::string> address = replicas_.address_of(node);
  if (!address) co_return absl::UnavailableError(absl::StrCat("no address for ", node.short_hex()));
  std::string body = encode_rpc(RpcMethod::kBlock, payload);
  CallOptions opts{options_.rpc_timeout, RpcPriority::kNormal};
  absl::StatusOr<RpcReply> r = co_await env_.transport->call(std::move(*address), std::move(body), opts);
  if (!r.ok()) co_return r.status();
  co_return std::move(r->body);
}

Task<absl::Status> BlockManager::put(std::string hash, std::string data) {
  if (hash.size() != 32) co_return absl::InvalidArgumentError("block hash is not 32 bytes");
  if (data.size() > options_.block_size) co_return absl::InvalidArgumentError("block larger than block_size");
  const std::string payload = encode_block_request(BlockOp::kPut, hash, data);
  data.clear();
  std::vector<std::vector<NodeId>> sets = replicas_.replica_sets(partition_of(make_tree_key(hash, "")));
  NodeCall send = [this, payload](NodeId n) { return call(n, payload); };
  QuorumResult r = co_await quorum_call(spawner_, std::move(sets), options_.quorums.write, std::move(send));
  if (!r.reached) co_return absl::UnavailableError(absl::StrCat("block write quorum not reached: ", r.error));
  co_return absl::OkStatus();
}

Task<absl::StatusOr<std::string>> BlockManager::get(std::string hash) {
  if (hash.size() != 32) co_return absl::InvalidArgumentError("block hash is not 32 bytes");
  absl::StatusOr<std::string> local = co_await read_local(hash);
  if (local.ok()) co_return local;
  const bool was_corrupt = absl::IsDataLoss(local.status());
  absl::StatusOr<std::string> remote = co_await fetch_remote(hash, /*include_self=*/false);
  if (remote.ok() && was_corrupt) {
    // Repair our copy in the background; the reader does not wait for it.
    std::string h = hash, d = *remote;
    spawner_.spawn([](BlockManager* self, std::string h, std::string d) -> Task<> {
      absl::Status s = co_await self->store_local(std::move(h), std::move(d));
      if (s.ok()) ++self->stats_.repaired;
    }(this, std::move(h), std::move(d)));
  }
  co_return remote;
}

Task<absl::StatusOr<std::string>> BlockManager::fetch_remote(std::string hash, bool include_self) {
  // Holders nearest first (holders()): our zone before the others.
  absl::Status last = absl::NotFoundError(absl::StrCat("block ", to_hex(hash), " not found on any holder"));
  bool saw_corrupt = false;
  for (const NodeId& n : holders(hash)) {
    if (!include_self && n == env_.transport->self_id()) continue;
    std::string request = encode_block_request(BlockOp::kGet, hash, "");
    absl::StatusOr<std::string> r = co_await call(n, std::move(request));
    if (!r.ok()) {
      if (absl::IsDataLoss(r.status())) saw_corrupt = true;
      if (!absl::IsNotFound(r.status())) last = r.status();
      continue;
    }
    auto data = std::make_shared<std::string>(std::move(*r));
    absl::StatusOr<bool> good = co_await verify(hash, data);
    if (good.ok() && *good) co_return std::move(*data);
    ++stats_.corrupt_found;  // corrupted in flight or by a peer that does not check
    saw_corrupt = true;
  }
  if (saw_corrupt && absl::IsNotFound(last)) {
    co_return absl::DataLossError(absl::StrCat("block ", to_hex(hash), ": every copy found was corrupt"));
  }
  co_return last;
}

Task<absl::Status> BlockManager::store_local(std::string hash, std::string data) {
  const std::string path = path_of(hash);
  absl::Status s = co_await disk_.write_file(path, std::move(data));
  if (!s.ok()) co_return s;
  if (options_.fsync) s = co_await disk_.sync_file(path);
  co_return s;
}

Task<absl::StatusOr<std::string>> BlockManager::read_local(std::string hash) {
  const std::string path = path_of(hash);
  absl::StatusOr<std::string> raw = co_await disk_.read_file(path);
  if (!raw.ok()) co_return raw.status();
  auto data = std::make_shared<std::string>(std::move(*raw));
  absl::StatusOr<bool> good = co_await verify(hash, data);
  if (!good.ok()) co_return good.status();
  if (!*good) {
    ++stats_.corrupt_found;
    probe(env_, "block.corrupt_copy_refused");
    env_.tracer->event(Severity::kWarn, "BlockCorrupt", absl::StrCat(path, ": hash mismatch, copy removed"));
    (void)co_await disk_.remove_file(path);
    co_return absl::DataLossError(absl::StrCat("block ", to_hex(hash), ": local copy is corrupt"));
  }
  co_return std::move(*data);
}

Task<absl::StatusOr<std::string>> BlockManager::handle(NodeId from, std::string payload) {
  Decoder d(payload);
  d.version(kBlockRpcVersion, kBlockRpcVersion);
  const uint8_t op = d.u8();
  std::string hash = d.str(32);
  std::string data = d.str(options_.block_size);
  if (absl::Status s = d.finish(); !s.ok()) co_return s;
  if (hash.size() != 32) co_return absl::InvalidArgumentError("block hash is not 32 bytes");
  if (op == static_cast<uint8_t>(BlockOp::kPut)) {
    auto shared = std::make_shared<std::string>(std::move(data));
    absl::StatusOr<bool> good = co_await verify(hash, shared);
    if (!good.ok()) co_return good.status();
    if (!*good) co_return absl::InvalidArgumentError("block content does not match its hash");
    absl::Status s = co_await store_local(std::move(hash), std::move(*shared));
    if (!s.ok()) co_return s;
    co_return std::string();
  }
  if (op == static_cast<uint8_t>(BlockOp::kGet)) co_return co_await read_local(std::move(hash));
  if (op == static_cast<uint8_t>(BlockOp::kHas)) {
    // A verified copy, not just a file: the asker deletes its own copy on our word.
    absl::StatusOr<std::string> local = co_await read_local(std::move(hash));
    if (!local.ok()) co_return local.status();
    co_return std::string("1");
  }
  co_return absl::InvalidArgumentError("unknown block op");
}

Task<absl::StatusOr<std::vector<std::string>>> BlockManager::local_blocks() {
  std::vector<std::string> out;
  std::string root;
  absl::StatusOr<std::vector<std::string>> top = co_await disk_.list_files(root);
  if (!top.ok()) co_return absl::IsNotFound(top.status()) ? absl::StatusOr<std::vector<std::string>>(out) : top;
  for (const std::string& a : *top) {
    if (a.size() != 2) continue;
    absl::StatusOr<std::vector<std::string>> mid = co_await disk_.list_files(a);
    if (!mid.ok()) continue;
    for (const std::string& b : *mid) {
      if (b.size() != 2) continue;
      std::string dir = a + "/" + b;
      absl::StatusOr<std::vector<std::string>> files = co_await disk_.list_files(dir);
      if (!files.ok()) continue;
      for (const std::string& f : *files)
        if (is_hex_name(f)) out.push_back(from_hex(f));
    }
  }
  co_return out;
}

Task<absl::Status> BlockManager::resync_once() {
  // 1. The block_ref entries held here: which blocks are referenced (sort key = hash + uuid).
  std::set<std::string> live;
  std::set<std::string> mentioned;
  std::string start;
  for (;;) {
    absl::StatusOr<std::vector<TableItem>> items = block_refs_.store().range(start, "", 1024);
    if (!items.ok()) co_return items.status();
    for (const TableItem& it : *items) {
      if (it.tree_key.size() < 64) continue;
      const std::string hash = it.tree_key.substr(32, 32);
      mentioned.insert(hash);
      absl::StatusOr<BlockRefEntry> ref = BlockRefEntry::decode(it.entry);
      if (ref.ok() && !ref->deleted) live.insert(hash);
    }
    if (items->size() < 1024) break;
    start = items->back().tree_key + '\0';
  }
  absl::StatusOr<std::vector<std::string>> local = co_await local_blocks();
  if (!local.ok()) co_return local.status();
  const std::set<std::string> have(local->begin(), local->end());
  // 2. Fetch what we should hold but lack.
  absl::Status result = absl::OkStatus();
  for (const std::string& hash : live) {
    if (have.count(hash)) continue;
    const std::vector<NodeId> h = holders(hash);
    if (std::find(h.begin(), h.end(), env_.transport->self_id()) == h.end()) continue;
    absl::StatusOr<std::string> data = co_await fetch_remote(hash, /*include_self=*/false);
    if (!data.ok()) {
      result = data.status();
      continue;
    }
    absl::Status s = co_await store_local(hash, std::move(*data));
    if (s.ok()) {
      ++stats_.resynced;
      probe(env_, "block.resynced");
    }
    else result = s;
  }
  // 3. Blocks still referenced that this node no longer holds (a layout change moved their
  // partition): dropped once every holder confirms a verified copy.
  for (const std::string& hash : live) {
    if (!have.count(hash)) continue;
    const std::vector<NodeId> h = holders(hash);
    if (h.empty() || std::find(h.begin(), h.end(), env_.transport->self_id()) != h.end()) continue;
    bool all_have = true;
    for (const NodeId& n : h) {
      std::string request = encode_block_request(BlockOp::kHas, hash, "");
      absl::StatusOr<std::string> r = co_await call(n, std::move(request));
      if (!r.ok()) {
        all_have = false;
        break;
      }
    }
    if (!all_have) continue;
    absl::Status removed = co_await disk_.remove_file(path_of(hash));
    if (removed.ok()) {
      ++stats_.dropped;
      probe(env_, "block.dropped_no_longer_held");
    }
  }
  // 4. Delete blocks without a live reference once that has lasted gc_delay. A block with no
  // reference entry here at all may be one whose references have not arrived yet: the delay
  // covers that too.
  const absl::Duration now = env_.clock->now_monotonic();
  std::map<std::string, absl::Duration> still_unreferenced;
  for (const std::string& hash : have) {
    if (live.count(hash)) continue;
    auto it = unreferenced_since_.find(hash);
    const absl::Duration since = it == unreferenced_since_.end() ? now : it->second;
    if (now - since >= options_.gc_delay) {
      absl::Status removed = co_await disk_.remove_file(path_of(hash));
      if (removed.ok()) ++stats_.deleted;
      continue;
    }
    still_unreferenced[hash] = since;
  }
  unreferenced_since_ = std::move(still_unreferenced);
  co_return result;
}

Task<absl::Status> BlockManager::scrub_once() {
  absl::StatusOr<std::vector<std::string>> local = co_await local_blocks();
  if (!local.ok()) co_return local.status();
  for (const std::string& hash : *local) {
    absl::StatusOr<std::string> data = co_await read_local(hash);
    ++stats_.scrubbed;
    uint64_t bytes = data.ok() ? data->size() : options_.block_size;
    if (absl::IsDataLoss(data.status())) {
      absl::StatusOr<std::string> good = co_await fetch_remote(hash, /*include_self=*/false);
      if (good.ok()) {
        absl::Status stored = co_await store_local(hash, std::move(*good));
        if (stored.ok()) ++stats_.repaired;
      }
    }
    // Bounded rate: sleep as long as reading this block should take at scrub speed.
    const absl::Duration pause = absl::Seconds(static_cast<double>(bytes) / options_.scrub_bytes_per_second);
    absl::Status slept = co_await sleep_for(*env_.clock, pause);
    if (!slept.ok()) co_return slept;
  }
  co_return absl::OkStatus();
}

Task<> BlockManager::resync_loop() {
  // The first pass soon after start: a node back from a crash or a lost disk refills at once.
  absl::Duration wait = std::min(options_.resync_interval, absl::Seconds(5));
  for (;;) {
    absl::Status slept = co_await sleep_for(*env_.clock, wait);
    wait = options_.resync_interval;
    if (!slept.ok()) co_return;
    (void)co_await resync_once();
  }
}

Task<> BlockManager::scrub_loop() {
  for (;;) {
    absl::Status slept = co_await sleep_for(*env_.clock, absl::Hours(1));
    if (!slept.ok()) co_return;
    (void)co_await scrub_once();
  }
}

}  // namespace garage
