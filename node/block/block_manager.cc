#include "node/block/block_manager.h"

#include <algorithm>
#include <cassert>
#include <set>

#include "absl/strings/str_cat.h"
#include "node/chaos.h"
#include "node/codec.h"
#include "node/hash.h"
#include "node/planted.h"
#include "node/rng.h"
#include "node/runtime/combinators.h"
#include "node/table/quorum.h"

namespace garage {

namespace {
constexpr uint8_t kBlockRpcVersion = 1;
// kHas: "do you hold a verified copy"; kNeed: "should you hold it and lack it" (answer "1"/"0").
enum class BlockOp : uint8_t { kPut = 1, kGet = 2, kHas = 3, kNeed = 4 };

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

BlockManager::BlockManager(Env env, Disk& data, Kv& meta, Spawner& spawner, ReplicaDirectory& replicas,
                           BlockOptions options)
    : env_(env), disk_(data), meta_(meta), rc_(meta), spawner_(spawner), replicas_(replicas), options_(options) {
  assert(options_.resync_batch > 0);
  assert(options_.resync_retry_min > absl::ZeroDuration() && options_.resync_retry_min <= options_.resync_retry_max);
}

int64_t BlockManager::now_ms() const { return absl::ToUnixMillis(env_.clock->now_wall()); }

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
  // Once after every start: a disk replaced or emptied while the node was down is refilled,
  // and files a crash left without a count entry are looked at.
  spawner_.spawn([](BlockManager* self) -> Task<> {
    absl::Status slept = co_await sleep_for(*self->env_.clock, self->options_.repair_scan_after_start);
    if (!slept.ok()) co_return;
    absl::StatusOr<size_t> queued = co_await self->repair_scan();
    if (!queued.ok())
      self->env_.tracer->event(Severity::kWarn, "BlockRepairScanFailed", std::string(queued.status().message()));
  }(this));
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
  auto distance = [&](const NodeId& n) {
    return n == self ? 0 : (!my_zone.empty() && replicas_.zone_of(n) == my_zone) ? 1 : 2;
  };
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
  // Our copy read corrupt and nobody else has one: that (a failed read), not "not found".
  if (!remote.ok() && was_corrupt && absl::IsNotFound(remote.status())) co_return local.status();
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
  // Holders nearest first (holders()): our zone before the others. Then the holders of retired
  // layout versions: blocks move to new holders after the tables, so a retired holder may
  // still have the only copy (it drops it only once the new holders have it).
  // A holder that could not be asked may have a good copy: then the answer is its error (retry
  // later), whatever the others said. Corrupt (DataLoss) only when every holder answered.
  std::optional<absl::Status> unreachable;
  bool saw_corrupt = false;
  std::vector<NodeId> order = holders(hash);
  const size_t active = order.size();
  std::set<NodeId> asked(order.begin(), order.end());
  for (const auto& set : replicas_.retired_replica_sets(partition_of(make_tree_key(hash, ""))))
    for (const NodeId& n : set)
      if (asked.insert(n).second) order.push_back(n);
  for (size_t i = 0; i < order.size(); ++i) {
    const NodeId& n = order[i];
    if (!include_self && n == env_.transport->self_id()) continue;
    std::string request = encode_block_request(BlockOp::kGet, hash, "");
    absl::StatusOr<std::string> r = co_await call(n, std::move(request));
    if (!r.ok()) {
      if (absl::IsDataLoss(r.status())) {
        saw_corrupt = true;  // a corrupt copy, or a dead disk: either way none from there
      } else if (!absl::IsNotFound(r.status())) {
        unreachable = r.status();
      }
      continue;
    }
    auto data = std::make_shared<std::string>(std::move(*r));
    absl::StatusOr<bool> good = co_await verify(hash, data);
    if (good.ok() && *good) {
      if (i >= active) probe(env_, "block.read_from_retired_holder");
      co_return std::move(*data);
    }
    ++stats_.corrupt_found;  // corrupted in flight or by a peer that does not check
    saw_corrupt = true;
  }
  if (unreachable) co_return *unreachable;
  if (saw_corrupt)
    co_return absl::DataLossError(absl::StrCat("block ", to_hex(hash), ": every copy found was corrupt"));
  co_return absl::NotFoundError(absl::StrCat("block ", to_hex(hash), " not found on any holder"));
}

Task<absl::Status> BlockManager::store_local(std::string hash, std::string data) {
  KeyedMutex::Guard guard = co_await locks_.lock(hash);
  // Grace first: once the file exists, a deletion must already see it (a crash in between
  // leaves only a grace entry without a block, which the worker forgets).
  KvBatch batch(meta_);
  absl::StatusOr<bool> staged = BlockRc::stage_stored_unreferenced(batch, hash, now_ms(), options_.gc_delay);
  if (!staged.ok()) co_return staged.status();
  if (*staged) {
    probe(env_, "block.stored_before_reference");
    if (absl::Status s = meta_.write(batch.writes(), /*sync=*/false); !s.ok()) co_return s;
  }
  const std::string path = path_of(hash);
  absl::Status s = co_await disk_.write_file(path, std::move(data));
  if (!s.ok()) co_return s;
  if (options_.fsync) s = co_await disk_.sync_file(path);
  co_return s;
}

Task<absl::StatusOr<std::string>> BlockManager::read_local(std::string hash) {
  const std::string path = path_of(hash);
  // A copy is condemned when two reads agree on the same wrong bytes (rot at rest), or after
  // three wrong reads. Reads that disagree are flips on the way from the disk, not rot: read
  // again, since this may be the only copy.
  constexpr int kReads = 3;
  std::shared_ptr<std::string> previous_bad;
  for (int attempt = 0; attempt < kReads; ++attempt) {
    absl::StatusOr<std::string> raw = co_await disk_.read_file(path);
    if (!raw.ok()) co_return raw.status();
    auto data = std::make_shared<std::string>(std::move(*raw));
    absl::StatusOr<bool> good = co_await verify(hash, data);
    if (!good.ok()) co_return good.status();
    if (*good) {
      if (attempt > 0) probe(env_, "block.transient_read_corruption");
      co_return std::move(*data);
    }
    if (previous_bad != nullptr && *previous_bad == *data) break;
    previous_bad = std::move(data);
  }
  // Refused, not removed: it may be the only copy and the flips may be on the way from the
  // disk. A good copy from another holder overwrites it (get(), scrub).
  ++stats_.corrupt_found;
  probe(env_, "block.corrupt_copy_refused");
  env_.tracer->event(Severity::kWarn, "BlockCorrupt", absl::StrCat(path, ": hash mismatch, copy refused"));
  co_return absl::DataLossError(absl::StrCat("block ", to_hex(hash), ": local copy is corrupt"));
}

Task<absl::StatusOr<std::string>> BlockManager::handle(NodeId from, std::string payload) {
  // Blocks are for the nodes of the layout: a certificate of the cluster's CA alone (the CLI's,
  // a node not yet or no longer assigned) reads and writes none.
  if (!replicas_.is_layout_node(from)) {
    probe(env_, "block.refused_caller_outside_layout");
    co_return absl::PermissionDeniedError("block requests are served to nodes of the layout only");
  }
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
  if (op == static_cast<uint8_t>(BlockOp::kNeed)) {
    absl::StatusOr<bool> need = co_await needs(std::move(hash));
    if (!need.ok()) co_return need.status();
    co_return std::string(*need ? "1" : "0");
  }
  co_return absl::InvalidArgumentError("unknown block op");
}

bool BlockManager::holds(std::string_view hash) {
  const std::vector<NodeId> h = holders(hash);
  return std::find(h.begin(), h.end(), env_.transport->self_id()) != h.end();
}

Task<absl::StatusOr<bool>> BlockManager::needs(std::string hash) {
  if (!holds(hash)) co_return false;
  absl::StatusOr<BlockRefcount> rc = rc_.get(hash);
  if (!rc.ok()) co_return rc.status();
  if (rc->count == 0) co_return false;
  absl::StatusOr<bool> have = co_await disk_.exists(path_of(hash));
  if (!have.ok()) co_return have.status();
  co_return !*have;
}

Task<absl::Status> BlockManager::offer_to_holders(std::string hash, bool every_holder) {
  std::optional<std::string> data;
  for (const NodeId& n : holders(hash)) {
    if (n == env_.transport->self_id()) continue;
    // A node that takes over our partition may not have the references yet: it gets a copy
    // unless it has a verified one. Otherwise only holders that need it (referenced, absent).
    std::string ask = encode_block_request(every_holder ? BlockOp::kHas : BlockOp::kNeed, hash, "");
    absl::StatusOr<std::string> answer = co_await call(n, std::move(ask));
    if (every_holder) {
      if (answer.ok()) continue;  // it has a verified copy
      if (!absl::IsNotFound(answer.status()) && !absl::IsDataLoss(answer.status())) co_return answer.status();
    } else {
      if (!answer.ok()) co_return answer.status();
      if (*answer != "1") continue;
    }
    if (!data) {
      absl::StatusOr<std::string> local = co_await read_local(hash);
      if (!local.ok()) co_return local.status();
      data = std::move(*local);
    }
    std::string send = encode_block_request(BlockOp::kPut, hash, *data);
    absl::StatusOr<std::string> sent = co_await call(n, std::move(send));
    if (!sent.ok()) co_return sent.status();
    ++stats_.offered;
    probe(env_, "block.offered_to_holder");
  }
  co_return absl::OkStatus();
}

Task<absl::Status> BlockManager::delete_if_unreferenced(std::string hash, bool is_holder) {
  const std::string path = path_of(hash);
  if (planted(options_.planted_stale_gc)) {
    // The bug the lock and the re-check exist for: act on the round's snapshot.
    absl::StatusOr<BlockRefcount> stale = count_for_decision(hash);
    if (!stale.ok()) co_return stale.status();
    absl::Status offered = co_await offer_to_holders(hash, !is_holder);
    (void)offered;
    // The same chaos as the path below: the fixed path survives it, this one must not.
    if (buggify(env_, "block.slow_delete"))
      (void)co_await sleep_for(*env_.clock, uniform_duration(*env_.rng, kChaosPauseMin, kChaosPauseMax));
    if ((stale->count == 0 && stale->deletable_at_ms <= now_ms()) || !is_holder) {
      absl::StatusOr<BlockRefcount> fresh = rc_.get(hash);
      if (is_holder && fresh.ok() && fresh->count > 0) {
        probe(env_, "block.planted_deleted_referenced");
        env_.tracer->event(Severity::kWarn, "PlantedStaleDelete", to_hex(hash));
      }
      if ((co_await disk_.remove_file(path)).ok()) ++stats_.deleted;
    }
    co_return absl::OkStatus();
  }
  // Copies that other holders need leave first (unlocked: sending takes a while).
  if (absl::Status s = co_await offer_to_holders(hash, !is_holder); !s.ok()) co_return s;
  if (buggify(env_, "block.slow_delete"))
    (void)co_await sleep_for(*env_.clock, uniform_duration(*env_.rng, kChaosPauseMin, kChaosPauseMax));
  KeyedMutex::Guard guard = co_await locks_.lock(hash);
  // Re-read under the lock, after every await: this, and nothing read before, decides.
  absl::StatusOr<BlockRefcount> rc = rc_.get(hash);
  if (!rc.ok()) co_return rc.status();
  const bool unreferenced = rc->count == 0 && rc->deletable_at_ms <= now_ms();
  if (!unreferenced && holds(hash)) co_return absl::OkStatus();  // referenced again meanwhile
  if (!unreferenced) {
    // Our partition moved and the holders have a copy (offered above), but ours stays until
    // the references leave this node too (the table drops the partition, the count falls to
    // zero, gc_delay passes): a reader that asked a new holder a moment before it had the copy
    // still finds ours when it asks us next.
    probe(env_, "block.handed_over_and_kept");
    co_return absl::OkStatus();
  }
  // Chaos: a slow removal, while new references and writes of this block arrive.
  if (buggify(env_, "block.slow_delete"))
    (void)co_await sleep_for(*env_.clock, uniform_duration(*env_.rng, kChaosPauseMin, kChaosPauseMax));
  if (absl::Status s = co_await disk_.remove_file(path); !s.ok() && !absl::IsNotFound(s)) co_return s;
  ++(is_holder ? stats_.deleted : stats_.dropped);
  probe(env_, is_holder ? "block.deleted_unreferenced" : "block.deleted_not_held");
  // The count may have moved while the file was being removed (a new reference, whose block
  // write waits for our lock and stores the block again): forget it only if still zero.
  co_return forget_if_zero(hash);
}

absl::Status BlockManager::forget_if_zero(std::string_view hash) {
  assert(locks_.is_locked(std::string(hash)) && "a count entry changes under its block's lock");
  KvBatch batch(meta_);
  if (absl::Status s = BlockRc::stage_forget_if_zero(batch, hash, now_ms()); !s.ok()) return s;
  if (batch.empty()) return absl::OkStatus();
  return meta_.write(batch.writes(), /*sync=*/false);
}

absl::StatusOr<BlockRefcount> BlockManager::count_for_decision(std::string_view hash) {
  if (planted(options_.planted_stale_gc)) {
    auto it = planted_round_counts_.find(std::string(hash));
    if (it != planted_round_counts_.end()) return it->second;
  }
  return rc_.get(hash);
}

Task<absl::Status> BlockManager::resync_step(std::string hash) {
  absl::StatusOr<BlockRefcount> rc = count_for_decision(hash);
  if (!rc.ok()) co_return rc.status();
  absl::StatusOr<bool> have = co_await disk_.exists(path_of(hash));
  if (!have.ok()) co_return have.status();
  const bool is_holder = holds(hash);
  const bool unreferenced = rc->count == 0 && rc->deletable_at_ms <= now_ms();
  if (!*have) {
    if (rc->count > 0 && is_holder) {
      // Referenced here, missing here: fetch it (a missed write, a lost disk, a new layout).
      absl::StatusOr<std::string> data = co_await fetch_remote(hash, /*include_self=*/false);
      if (!data.ok()) co_return data.status();
      if (absl::Status s = co_await store_local(hash, std::move(*data)); !s.ok()) co_return s;
      ++stats_.resynced;
      probe(env_, "block.resynced");
      co_return absl::OkStatus();
    }
    if (!unreferenced) co_return absl::OkStatus();
    // Under the lock, and only if still unreferenced and absent: a store_local that ran since
    // the reads above wrote a fresh grace entry, which must stay with its block.
    if (buggify(env_, "block.slow_forget"))  // chaos: a store of this block arrives meanwhile
      (void)co_await sleep_for(*env_.clock, uniform_duration(*env_.rng, kChaosPauseMin, kChaosPauseMax));
    KeyedMutex::Guard guard = co_await locks_.lock(hash);
    absl::StatusOr<bool> stored = co_await disk_.exists(path_of(hash));
    if (!stored.ok()) co_return stored.status();
    if (*stored) {
      probe(env_, "block.forget_raced_a_store");
      co_return absl::OkStatus();
    }
    probe(env_, "block.forgot_absent_block");
    co_return forget_if_zero(hash);
  }
  if (is_holder && !unreferenced) co_return absl::OkStatus();  // referenced, or still in its grace
  co_return co_await delete_if_unreferenced(std::move(hash), is_holder);
}

Task<absl::StatusOr<size_t>> BlockManager::resync_once() {
  // Until the layout is loaded this node holds nothing and knows no holder: every copy would
  // look like one to drop. The queue waits (a restarted node's entries are due at once).
  if (replicas_.layout_version() == 0) {
    probe(env_, "block.resync_waited_for_layout");
    co_return 0;
  }
  const int64_t now = now_ms();
  absl::StatusOr<std::vector<ResyncEntry>> due = rc_.due(now, options_.resync_batch);
  if (!due.ok()) co_return due.status();
  if (planted(options_.planted_stale_gc)) {
    // The old pass: every decision of the round from counts read at its start.
    planted_round_counts_.clear();
    for (const ResyncEntry& e : *due)
      if (absl::StatusOr<BlockRefcount> c = rc_.get(e.hash); c.ok()) planted_round_counts_[e.hash] = *c;
  }
  for (const ResyncEntry& e : *due) {
    absl::Status s;  // an entry whose key does not decode is only removed
    if (e.hash.size() == 32) s = co_await resync_step(e.hash);
    ++stats_.queue_steps;
    KvBatch batch(meta_);
    batch.set(e.queue_key, std::nullopt);
    if (!s.ok()) {
      ++stats_.queue_retries;
      probe(env_, "block.resync_retried");
      const uint32_t shift = std::min<uint32_t>(e.attempts, 20);
      const absl::Duration backoff = std::min(options_.resync_retry_max, options_.resync_retry_min * (1 << shift));
      BlockRc::stage_enqueue(batch, e.hash, now_ms() + absl::ToInt64Milliseconds(backoff), e.attempts + 1);
      env_.tracer->event(Severity::kDebug, "BlockResyncRetry", absl::StrCat(to_hex(e.hash), ": ", s.message()));
    }
    if (absl::Status w = meta_.write(batch.writes(), /*sync=*/false); !w.ok()) co_return w;
  }
  co_return due->size();
}

Task<absl::StatusOr<std::vector<std::string>>> BlockManager::local_blocks_in(std::string dir) {
  std::vector<std::string> out;
  absl::StatusOr<std::vector<std::string>> files = co_await disk_.list_files(dir);
  if (!files.ok()) co_return absl::IsNotFound(files.status()) ? absl::StatusOr<std::vector<std::string>>(out) : files;
  for (const std::string& f : *files)
    if (is_hex_name(f)) out.push_back(from_hex(f));
  co_return out;
}

Task<absl::StatusOr<std::vector<std::string>>> BlockManager::block_dirs() {
  std::vector<std::string> out;
  absl::StatusOr<std::vector<std::string>> top = co_await disk_.list_files("");
  if (!top.ok()) co_return absl::IsNotFound(top.status()) ? absl::StatusOr<std::vector<std::string>>(out) : top;
  for (const std::string& a : *top) {
    if (a.size() != 2) continue;
    absl::StatusOr<std::vector<std::string>> mid = co_await disk_.list_files(a);
    if (!mid.ok()) continue;
    for (const std::string& b : *mid)
      if (b.size() == 2) out.push_back(a + "/" + b);
  }
  co_return out;
}

Task<absl::StatusOr<size_t>> BlockManager::repair_scan() {
  size_t queued = 0;
  const int64_t now = now_ms();
  // Local blocks, one directory at a time (memory: one directory's names).
  absl::StatusOr<std::vector<std::string>> dirs = co_await block_dirs();
  if (!dirs.ok()) co_return dirs.status();
  for (const std::string& dir : *dirs) {
    absl::StatusOr<std::vector<std::string>> hashes = co_await local_blocks_in(dir);
    if (!hashes.ok()) co_return hashes.status();
    KvBatch batch(meta_);
    for (const std::string& h : *hashes) BlockRc::stage_enqueue(batch, h, now, 0);
    queued += hashes->size();
    if (absl::Status s = meta_.write(batch.writes(), /*sync=*/false); !s.ok()) co_return s;
  }
  // Referenced hashes (fetched if missing), in batches.
  std::string after;
  for (;;) {
    absl::StatusOr<std::vector<std::string>> refs = rc_.referenced(after, 1024);
    if (!refs.ok()) co_return refs.status();
    if (refs->empty()) break;
    KvBatch batch(meta_);
    for (const std::string& h : *refs) BlockRc::stage_enqueue(batch, h, now, 0);
    queued += refs->size();
    if (absl::Status s = meta_.write(batch.writes(), /*sync=*/false); !s.ok()) co_return s;
    after = refs->back();
  }
  probe(env_, "block.repair_scan");
  co_return queued;
}

Task<absl::Status> BlockManager::scrub_once() {
  absl::StatusOr<std::vector<std::string>> dirs = co_await block_dirs();
  if (!dirs.ok()) co_return dirs.status();
  for (const std::string& dir : *dirs) {
    absl::StatusOr<std::vector<std::string>> local = co_await local_blocks_in(dir);
    if (!local.ok()) co_return local.status();
    if (absl::Status s = co_await scrub_blocks(*local); !s.ok()) co_return s;
  }
  co_return absl::OkStatus();
}

Task<absl::Status> BlockManager::scrub_blocks(std::vector<std::string> hashes) {
  for (const std::string& hash : hashes) {
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
  for (;;) {
    absl::StatusOr<size_t> n = co_await resync_once();
    if (!n.ok()) env_.tracer->event(Severity::kWarn, "BlockResyncFailed", std::string(n.status().message()));
    if (n.ok() && *n == options_.resync_batch) continue;  // more may be due: no pause
    absl::Status slept = co_await sleep_for(*env_.clock, options_.resync_poll_interval);
    if (!slept.ok()) co_return;
  }
}

Task<> BlockManager::scrub_loop() {
  for (;;) {
    absl::Status slept = co_await sleep_for(*env_.clock, options_.scrub_interval);
    if (!slept.ok()) co_return;
    if (absl::Status s = co_await scrub_once(); !s.ok()) {
      env_.tracer->event(Severity::kWarn, "BlockScrubFailed", std::string(s.message()));
    }
  }
}

}  // namespace garage
