#include "node/table/table.h"

#include <algorithm>
#include <set>

#include "absl/strings/str_cat.h"
#include "node/chaos.h"
#include "node/codec.h"
#include "node/layout/assignment.h"
#include "node/planted.h"
#include "node/rng.h"
#include "node/runtime/combinators.h"

namespace garage {

namespace {
constexpr size_t kPathsPerRequest = kMaxTableBatch / 16;
constexpr size_t kPartitionsInParallel = 16;

std::vector<NodeId> union_of(const std::vector<std::vector<NodeId>>& sets) {
  std::set<NodeId> all;
  for (const auto& s : sets) all.insert(s.begin(), s.end());
  return {all.begin(), all.end()};
}

bool valid_path(std::string_view nibbles, size_t max_level) {
  if (nibbles.size() > max_level) return false;
  for (char c : nibbles)
    if (static_cast<uint8_t>(c) > 15) return false;
  return true;
}

template <class T>
std::vector<std::vector<T>> chunks(const std::vector<T>& v, size_t n) {
  std::vector<std::vector<T>> out;
  for (size_t i = 0; i < v.size(); i += n) out.emplace_back(v.begin() + i, v.begin() + std::min(v.size(), i + n));
  return out;
}
}  // namespace

Table::Table(Env env, Kv& kv, Spawner& spawner, const TableSchema& schema, ReplicaDirectory& replicas,
             TableOptions options)
    : env_(env),
      spawner_(spawner),
      schema_(schema),
      replicas_(replicas),
      options_(options),
      store_(kv, schema, options.store_planted),
      group_sync_(*env.clock, kv) {}

int64_t Table::now_ms() const { return absl::ToUnixMillis(env_.clock->now_wall()); }

TableRequest Table::request(TableOp op) const {
  TableRequest r;
  r.table = schema_.name();
  r.op = op;
  return r;
}

void Table::start() {
  spawner_.spawn(build_live_index());
  spawner_.spawn(anti_entropy_loop());
  spawner_.spawn(gc_loop());
}

// ---------------------------------------------------------------- serving requests

Task<absl::StatusOr<std::string>> Table::handle(NodeId from, TableRequest req) {
  // Tables hold keys' secrets and every object's metadata: they are for the nodes of the layout
  // only, not for any holder of a certificate of the cluster's CA (the CLI's, a node not yet or
  // no longer assigned). A node just added is refused until this node learns the new layout,
  // and retries.
  if (!replicas_.is_layout_node(from)) {
    probe(env_, "table.refused_caller_outside_layout");
    co_return absl::PermissionDeniedError("table requests are served to nodes of the layout only");
  }
  switch (req.op) {
    case TableOp::kWrite: {
      absl::StatusOr<std::vector<TableItem>> changed = store_.merge_in(req.items, /*sync=*/false, now_ms());
      if (!changed.ok()) co_return changed.status();
      if (options_.fsync) {
        absl::Status synced = co_await group_sync_.sync();
        if (!synced.ok()) co_return synced;
      }
      co_return std::string();
    }
    case TableOp::kRead: {
      std::vector<std::optional<std::string>> out;
      for (const std::string& k : req.keys) {
        absl::StatusOr<std::optional<std::string>> v = store_.get(k);
        if (!v.ok()) co_return v.status();
        out.push_back(std::move(*v));
      }
      co_return encode_entries(out);
    }
    case TableOp::kRange:
    case TableOp::kRangeLive: {
      if (req.limit > kMaxTableBatch) co_return absl::InvalidArgumentError("range limit too large");
      absl::StatusOr<std::vector<TableItem>> items = req.op == TableOp::kRange
                                                         ? store_.range(req.start, req.end, req.limit)
                                                         : store_.range_live(req.start, req.end, req.limit);
      if (!items.ok()) co_return items.status();
      co_return encode_items(*items);
    }
    case TableOp::kMerkleRoots: {
      std::vector<Hash256> out;
      for (uint8_t p : req.partitions) {
        absl::StatusOr<Hash256> h = store_.merkle_node(MerklePath{p, ""});
        if (!h.ok()) co_return h.status();
        out.push_back(*h);
      }
      co_return encode_hashes(out);
    }
    case TableOp::kMerkleChildren: {
      if (req.keys.size() > kPathsPerRequest) co_return absl::InvalidArgumentError("too many merkle paths");
      std::vector<Hash256> out;
      for (const std::string& path : req.keys) {
        if (!valid_path(path, kMerkleDepth - 1)) co_return absl::InvalidArgumentError("bad merkle path");
        absl::StatusOr<std::array<Hash256, 16>> c = store_.merkle_children(MerklePath{req.partition, path});
        if (!c.ok()) co_return c.status();
        out.insert(out.end(), c->begin(), c->end());
      }
      co_return encode_hashes(out);
    }
    case TableOp::kLeafItems: {
      std::vector<std::vector<LeafItem>> out;
      for (const std::string& path : req.keys) {
        if (path.size() != kMerkleDepth || !valid_path(path, kMerkleDepth)) {
          co_return absl::InvalidArgumentError("bad merkle leaf path");
        }
        absl::StatusOr<std::vector<LeafItem>> items = store_.leaf_items(MerklePath{req.partition, path});
        if (!items.ok()) co_return items.status();
        out.push_back(std::move(*items));
      }
      co_return encode_leaves(out);
    }
    case TableOp::kGcHave: {
      std::vector<bool> out;
      for (const LeafItem& it : req.hashed) {
        absl::StatusOr<std::optional<std::string>> v = store_.get(it.tree_key);
        if (!v.ok()) co_return v.status();
        out.push_back(v->has_value() && item_hash(it.tree_key, **v) == it.hash);
      }
      co_return encode_bools(out);
    }
    case TableOp::kGcRemove: {
      for (const LeafItem& it : req.hashed) {
        absl::StatusOr<bool> removed = store_.remove_if_hash(it.tree_key, it.hash, options_.fsync, now_ms());
        if (!removed.ok()) co_return removed.status();
      }
      co_return std::string();
    }
  }
  co_return absl::InvalidArgumentError("unknown table op");
}

Task<absl::StatusOr<std::string>> Table::call(NodeId node, TableRequest req, bool count_as_sync) {
  // Encoded at most once: for the wire and, for anti-entropy, for its cost figures. A local
  // call (this node is a replica) is not encoded at all unless counted.
  const bool local = node == env_.transport->self_id();
  const std::string encoded = (!local || count_as_sync) ? req.encode() : std::string();
  if (count_as_sync) {
    sync_stats_.rpcs++;
    sync_stats_.bytes += encoded.size();
  }
  absl::StatusOr<std::string> result;
  if (local) {
    result = co_await handle(node, std::move(req));
  } else if (std::optional<std::string> address = replicas_.address_of(node); !address) {
    result = absl::UnavailableError(absl::StrCat("no address for node ", node.short_hex()));
  } else {
    absl::StatusOr<RpcReply> reply = co_await env_.transport->call(*address, encode_rpc(RpcMethod::kTable, encoded),
                                                                   CallOptions{.timeout = options_.rpc_timeout});
    if (!reply.ok()) {
      result = reply.status();
    } else if (reply->from != node) {
      result = absl::UnavailableError("another node answered at that address");
    } else {
      result = std::move(reply->body);
    }
  }
  if (count_as_sync && result.ok()) sync_stats_.bytes += result->size();
  co_return result;
}

std::vector<NodeId> Table::holders(uint8_t partition) { return union_of(replicas_.replica_sets(partition)); }

bool Table::is_holder(const std::vector<NodeId>& holders) const {
  return std::find(holders.begin(), holders.end(), env_.transport->self_id()) != holders.end();
}

// ---------------------------------------------------------------- coordinator operations

Task<absl::Status> Table::insert(std::vector<TableItem> items) {
  std::map<uint8_t, std::vector<TableItem>> by_partition;
  for (TableItem& it : items) {
    if (it.tree_key.size() < 32) co_return absl::InvalidArgumentError("tree key shorter than 32 bytes");
    by_partition[partition_of(it.tree_key)].push_back(std::move(it));
  }
  // Counted until done, so the layout is not acknowledged while this write may use old sets.
  const uint64_t version = replicas_.layout_version();
  writes_in_flight_[version]++;
  std::vector<Task<absl::Status>> writes;
  for (auto& [p, part_items] : by_partition) writes.push_back(insert_partition(p, std::move(part_items)));
  std::vector<absl::Status> results = co_await when_all(std::move(writes));
  write_ended(version);
  for (const absl::Status& s : results)
    if (!s.ok()) co_return s;
  co_return absl::OkStatus();
}

Task<absl::Status> Table::insert_partition(uint8_t partition, std::vector<TableItem> items) {
  TableRequest req = request(TableOp::kWrite);
  req.items = std::move(items);
  const int need = planted(options_.planted.write_quorum_1) ? 1 : options_.quorums.write;
  // Named, not temporaries: GCC 12 destroys non-trivial temporaries in a co_await twice.
  std::vector<std::vector<NodeId>> sets = replicas_.replica_sets(partition);
  NodeCall send = [this, req](NodeId n) { return call(n, req); };
  QuorumResult r = co_await quorum_call(spawner_, std::move(sets), need, std::move(send));
  if (!r.reached) co_return absl::UnavailableError(absl::StrCat("write quorum not reached: ", r.error));
  co_return absl::OkStatus();
}

namespace {
// Merges the first entry of every successful kRead reply; replies that do not decode are skipped.
std::optional<std::string> merge_replies(const TableSchema& schema, const NodeResults& results) {
  std::optional<std::string> merged;
  for (const auto& [node, r] : results) {
    if (!r.ok()) continue;
    absl::StatusOr<std::vector<std::optional<std::string>>> entries = decode_entries(*r);
    if (!entries.ok() || entries->size() != 1 || !(*entries)[0]) continue;
    if (!merged) {
      merged = (*entries)[0];
      continue;
    }
    absl::StatusOr<std::string> m = schema.merge(*merged, *(*entries)[0]);
    if (m.ok()) merged = std::move(*m);
  }
  return merged;
}
}  // namespace

Task<absl::StatusOr<std::optional<std::string>>> Table::get(std::string tree_key) {
  if (tree_key.size() < 32) co_return absl::InvalidArgumentError("tree key shorter than 32 bytes");
  TableRequest req = request(TableOp::kRead);
  req.keys = {tree_key};
  const int need = planted(options_.planted.read_quorum_1) ? 1 : options_.quorums.read;
  std::function<void(const NodeResults&)> on_all_done;
  if (!planted(options_.planted.skip_read_repair)) {
    on_all_done = [this, tree_key](const NodeResults& results) { repair(tree_key, results); };
  }
  std::vector<std::vector<NodeId>> sets = replicas_.replica_sets(partition_of(tree_key));
  NodeCall send = [this, req](NodeId n) { return call(n, req); };
  QuorumResult r = co_await quorum_call(spawner_, std::move(sets), need, std::move(send), std::move(on_all_done));
  if (!r.reached) co_return absl::UnavailableError(absl::StrCat("read quorum not reached: ", r.error));
  co_return merge_replies(schema_, r.results);
}

Task<absl::StatusOr<std::optional<std::string>>> Table::get_everywhere(std::string tree_key) {
  if (tree_key.size() < 32) co_return absl::InvalidArgumentError("tree key shorter than 32 bytes");
  TableRequest req = request(TableOp::kRead);
  req.keys = {tree_key};
  const std::vector<NodeId> nodes = holders(partition_of(tree_key));
  if (nodes.empty()) co_return absl::UnavailableError("no replica in the layout");
  NodeResults results;
  for (const NodeId& n : nodes) {
    absl::StatusOr<std::string> reply = co_await call(n, req);
    if (!reply.ok()) co_return absl::UnavailableError(absl::StrCat(n.short_hex(), ": ", reply.status().message()));
    absl::StatusOr<std::vector<std::optional<std::string>>> entries = decode_entries(*reply);
    if (!entries.ok() || entries->size() != 1)
      co_return absl::DataLossError(absl::StrCat(n.short_hex(), ": malformed read reply"));
    results.emplace(n, std::move(reply));
  }
  co_return merge_replies(schema_, results);
}

void Table::repair(const std::string& tree_key, const NodeResults& results) {
  std::optional<std::string> merged = merge_replies(schema_, results);
  if (!merged) return;
  for (const auto& [node, r] : results) {
    if (!r.ok()) continue;  // unreachable: anti-entropy will catch it up
    absl::StatusOr<std::vector<std::optional<std::string>>> entries = decode_entries(*r);
    if (entries.ok() && entries->size() == 1 && (*entries)[0] == merged) continue;
    probe(env_, "table.read_repair");
    TableRequest req = request(TableOp::kWrite);
    req.items = {TableItem{tree_key, *merged}};
    spawner_.spawn([](Table* self, NodeId n, TableRequest req) -> Task<> {
      absl::StatusOr<std::string> ignored = co_await self->call(n, std::move(req));
      (void)ignored;
    }(this, node, std::move(req)));
  }
}

Task<absl::StatusOr<std::vector<TableItem>>> Table::get_range(std::string start, std::string end, uint32_t limit) {
  co_return co_await range_read(TableOp::kRange, std::move(start), std::move(end), limit);
}

Task<absl::StatusOr<std::vector<TableItem>>> Table::get_live_range(std::string start, std::string end, uint32_t limit) {
  co_return co_await range_read(TableOp::kRangeLive, std::move(start), std::move(end), limit);
}

Task<absl::StatusOr<std::vector<TableItem>>> Table::range_read(TableOp op, std::string start, std::string end,
                                                               uint32_t limit) {
  if (start.size() < 32) co_return absl::InvalidArgumentError("range start shorter than 32 bytes");
  if (limit == 0 || limit > kMaxTableBatch) co_return absl::InvalidArgumentError("range limit out of bounds");
  TableRequest req = request(op);
  req.start = start;
  req.end = end;
  req.limit = limit;
  const int need = planted(options_.planted.read_quorum_1) ? 1 : options_.quorums.read;
  std::vector<std::vector<NodeId>> sets = replicas_.replica_sets(partition_of(start));
  NodeCall send = [this, req](NodeId n) { return call(n, req); };
  QuorumResult r = co_await quorum_call(spawner_, std::move(sets), need, std::move(send));
  if (!r.reached) co_return absl::UnavailableError(absl::StrCat("read quorum not reached: ", r.error));
  // Each replica sent its first `limit` keys; the first `limit` keys of their union are exact
  // (each is at or below every full reply's last key, so every replica had its chance to send it).
  std::map<std::string, std::string> merged;
  std::map<std::string, std::set<NodeId>> sent_by;
  std::vector<NodeId> answered;
  for (const auto& [node, reply] : r.results) {
    if (!reply.ok()) continue;
    absl::StatusOr<std::vector<TableItem>> items = decode_items(*reply);
    if (!items.ok()) continue;
    answered.push_back(node);
    for (TableItem& it : *items) {
      if (op == TableOp::kRangeLive) sent_by[it.tree_key].insert(node);
      auto [pos, inserted] = merged.emplace(it.tree_key, it.entry);
      if (inserted) continue;
      absl::StatusOr<std::string> m = schema_.merge(pos->second, it.entry);
      if (m.ok()) pos->second = std::move(*m);
    }
  }
  std::vector<TableItem> out;
  std::map<NodeId, std::vector<std::string>> left_out;
  for (auto& [k, v] : merged) {
    if (out.size() == limit) break;
    out.push_back(TableItem{k, std::move(v)});
    // A live-only reply that leaves out a key another sent may hold a newer tombstone for it.
    if (op != TableOp::kRangeLive) continue;
    const std::set<NodeId>& senders = sent_by[k];
    for (const NodeId& n : answered)
      if (!senders.contains(n)) left_out[n].push_back(k);
  }
  if (!left_out.empty() && !planted(options_.planted.live_range_trusts_senders)) {
    probe(env_, "table.live_range_read_left_out_keys");
    if (absl::Status s = co_await read_left_out(std::move(left_out), out); !s.ok()) co_return s;
  }
  co_return out;
}

Task<absl::Status> Table::read_left_out(std::map<NodeId, std::vector<std::string>> left_out,
                                        std::vector<TableItem>& items) {
  std::vector<Task<absl::StatusOr<std::string>>> reads;
  std::vector<const std::vector<std::string>*> asked;
  for (const auto& [node, keys] : left_out) {
    TableRequest req = request(TableOp::kRead);
    req.keys = keys;
    reads.push_back(call(node, std::move(req)));
    asked.push_back(&keys);
  }
  std::vector<absl::StatusOr<std::string>> replies = co_await when_all(std::move(reads));
  std::map<std::string, TableItem*> by_key;
  for (TableItem& it : items) by_key[it.tree_key] = &it;
  for (size_t i = 0; i < replies.size(); ++i) {
    // Without this replica's entry a deleted key could be listed again: no answer rather than that.
    if (!replies[i].ok()) co_return absl::UnavailableError(absl::StrCat("range read: ", replies[i].status().message()));
    absl::StatusOr<std::vector<std::optional<std::string>>> entries = decode_entries(*replies[i]);
    if (!entries.ok() || entries->size() != asked[i]->size())
      co_return absl::DataLossError("range read: malformed read reply");
    for (size_t k = 0; k < entries->size(); ++k) {
      if (!(*entries)[k]) continue;
      TableItem* item = by_key[(*asked[i])[k]];
      absl::StatusOr<std::string> m = schema_.merge(item->entry, *(*entries)[k]);
      if (!m.ok()) co_return absl::DataLossError(absl::StrCat("range read: ", m.status().message()));
      item->entry = std::move(*m);
    }
  }
  co_return absl::OkStatus();
}

Task<> Table::build_live_index() {
  // Steps of a bounded size, each synchronous, with a yield between: serving goes on meanwhile.
  while (true) {
    absl::StatusOr<bool> done = store_.build_live_index_step(std::max<size_t>(1, options_.live_index_build_step));
    if (!done.ok()) {
      env_.tracer->event(Severity::kError, "TableLiveIndexBuildFailed",
                         absl::StrCat(name(), ": ", done.status().message()));
      co_return;
    }
    if (*done) co_return;
    probe(env_, "table.live_index_built_a_step");
    absl::Status slept = co_await sleep_for(*env_.clock, absl::ZeroDuration());
    if (!slept.ok()) co_return;
  }
}

void Table::write_ended(uint64_t version) {
  if (--writes_in_flight_[version] == 0) writes_in_flight_.erase(version);
  replicas_.writes_drained_below(writes_in_flight_.empty() ? UINT64_MAX : writes_in_flight_.begin()->first);
}

// ---------------------------------------------------------------- anti-entropy

Task<absl::Status> Table::sync_all() {
  const NodeId self = env_.transport->self_id();
  // The pass counts for the current version only if no node can still be writing around it.
  const uint64_t version = replicas_.layout_version();
  const bool counts = version > 0 && replicas_.min_ack() >= version;
  std::map<NodeId, std::vector<uint8_t>> by_peer;
  for (int p = 0; p < kPartitions; ++p) {
    std::vector<NodeId> nodes = holders(static_cast<uint8_t>(p));
    if (!is_holder(nodes)) continue;
    for (const NodeId& n : nodes)
      if (n != self) by_peer[n].push_back(static_cast<uint8_t>(p));
  }
  absl::Status result;
  for (auto& [peer, partitions] : by_peer) {
    absl::Status s = co_await sync_with(peer, std::move(partitions));
    if (!s.ok() && result.ok())
      result = absl::Status(s.code(), absl::StrCat("with ", peer.short_hex(), ": ", s.message()));
  }
  if (result.ok() && counts) {
    synced_version_ = std::max(synced_version_, version);
    replicas_.report_synced(version);
  }
  co_return result;
}

Task<absl::Status> Table::sync_with(NodeId peer, std::vector<uint8_t> partitions) {
  TableRequest req = request(TableOp::kMerkleRoots);
  req.partitions = partitions;
  absl::StatusOr<std::string> reply = co_await call(peer, std::move(req), /*count_as_sync=*/true);
  if (!reply.ok()) co_return reply.status();
  absl::StatusOr<std::vector<Hash256>> theirs = decode_hashes(*reply);
  if (!theirs.ok()) co_return theirs.status();
  if (theirs->size() != partitions.size()) co_return absl::DataLossError("merkle roots: wrong count");
  std::vector<uint8_t> differing;
  for (size_t i = 0; i < partitions.size(); ++i) {
    sync_stats_.partitions_compared++;
    absl::StatusOr<Hash256> mine = store_.merkle_node(MerklePath{partitions[i], ""});
    if (!mine.ok()) co_return mine.status();
    if (*mine != (*theirs)[i]) differing.push_back(partitions[i]);
  }
  sync_stats_.partitions_differing += differing.size();
  // A partition's walk is a handful of round trips: walk several at once, a bounded number.
  absl::Status result;
  for (const std::vector<uint8_t>& wave : chunks(differing, kPartitionsInParallel)) {
    std::vector<Task<absl::Status>> walks;
    for (uint8_t p : wave) walks.push_back(sync_partition(peer, p));
    std::vector<absl::Status> done = co_await when_all(std::move(walks));
    for (const absl::Status& s : done)
      if (!s.ok() && result.ok()) result = s;
  }
  co_return result;
}

Task<absl::Status> Table::sync_partition(NodeId peer, uint8_t partition) {
  std::vector<std::string> frontier = {""};
  for (int level = 0; level < kMerkleDepth && !frontier.empty(); ++level) {
    std::vector<std::string> next;
    for (const std::vector<std::string>& batch : chunks(frontier, kPathsPerRequest)) {
      TableRequest req = request(TableOp::kMerkleChildren);
      req.partition = partition;
      req.keys = batch;
      absl::StatusOr<std::string> reply = co_await call(peer, std::move(req), /*count_as_sync=*/true);
      if (!reply.ok()) co_return reply.status();
      absl::StatusOr<std::vector<Hash256>> theirs = decode_hashes(*reply);
      if (!theirs.ok()) co_return theirs.status();
      if (theirs->size() != batch.size() * 16) co_return absl::DataLossError("merkle children: wrong count");
      for (size_t i = 0; i < batch.size(); ++i) {
        absl::StatusOr<std::array<Hash256, 16>> mine = store_.merkle_children(MerklePath{partition, batch[i]});
        if (!mine.ok()) co_return mine.status();
        for (int c = 0; c < 16; ++c) {
          if ((*mine)[c] != (*theirs)[i * 16 + c]) next.push_back(batch[i] + static_cast<char>(c));
        }
      }
    }
    frontier = std::move(next);
  }
  for (const std::vector<std::string>& batch : chunks(frontier, kPathsPerRequest)) {
    absl::Status s = co_await exchange_leaves(peer, partition, batch);
    if (!s.ok()) co_return s;
  }
  co_return absl::OkStatus();
}

Task<absl::Status> Table::exchange_leaves(NodeId peer, uint8_t partition, std::vector<std::string> leaves) {
  TableRequest req = request(TableOp::kLeafItems);
  req.partition = partition;
  req.keys = leaves;
  absl::StatusOr<std::string> reply = co_await call(peer, std::move(req), /*count_as_sync=*/true);
  if (!reply.ok()) co_return reply.status();
  absl::StatusOr<std::vector<std::vector<LeafItem>>> theirs = decode_leaves(*reply);
  if (!theirs.ok()) co_return theirs.status();
  if (theirs->size() != leaves.size()) co_return absl::DataLossError("leaf items: wrong count");
  // key -> (my hash, their hash)
  std::map<std::string, std::pair<std::optional<Hash256>, std::optional<Hash256>>> diff;
  for (size_t i = 0; i < leaves.size(); ++i) {
    absl::StatusOr<std::vector<LeafItem>> mine = store_.leaf_items(MerklePath{partition, leaves[i]});
    if (!mine.ok()) co_return mine.status();
    for (const LeafItem& it : *mine) diff[it.tree_key].first = it.hash;
    for (const LeafItem& it : (*theirs)[i]) {
      if (partition_of(it.tree_key) != partition) co_return absl::DataLossError("leaf item from another partition");
      diff[it.tree_key].second = it.hash;
    }
  }
  std::vector<std::string> pull, push;
  for (const auto& [key, hashes] : diff) {
    if (hashes.first == hashes.second) continue;
    if (hashes.second) pull.push_back(key);
    push.push_back(key);  // after merging theirs, mine differs from theirs unless theirs won outright
  }
  for (const std::vector<std::string>& batch : chunks(pull, kMaxTableBatch)) {
    TableRequest read = request(TableOp::kRead);
    read.keys = batch;
    absl::StatusOr<std::string> r = co_await call(peer, std::move(read), /*count_as_sync=*/true);
    if (!r.ok()) co_return r.status();
    absl::StatusOr<std::vector<std::optional<std::string>>> entries = decode_entries(*r);
    if (!entries.ok()) co_return entries.status();
    if (entries->size() != batch.size()) co_return absl::DataLossError("read: wrong count");
    std::vector<TableItem> items;
    for (size_t i = 0; i < batch.size(); ++i)
      if ((*entries)[i]) items.push_back(TableItem{batch[i], *(*entries)[i]});
    sync_stats_.items_pulled += items.size();
    absl::StatusOr<std::vector<TableItem>> merged = store_.merge_in(items, options_.fsync, now_ms());
    if (!merged.ok()) co_return merged.status();
  }
  std::vector<TableItem> to_push;
  for (const std::string& key : push) {
    absl::StatusOr<std::optional<std::string>> v = store_.get(key);
    if (!v.ok()) co_return v.status();
    if (!*v) continue;
    if (diff[key].second == item_hash(key, **v)) continue;  // theirs won: they have it already
    to_push.push_back(TableItem{key, **v});
  }
  for (const std::vector<TableItem>& batch : chunks(to_push, kMaxTableBatch)) {
    TableRequest write = request(TableOp::kWrite);
    write.items = batch;
    sync_stats_.items_pushed += batch.size();
    absl::StatusOr<std::string> r = co_await call(peer, std::move(write), /*count_as_sync=*/true);
    if (!r.ok()) co_return r.status();
  }
  co_return absl::OkStatus();
}

Task<> Table::anti_entropy_loop() {
  // Wakes often, but runs a full pass only every sync_interval, or at once when a new layout
  // version is acknowledged everywhere and still needs its sync.
  const absl::Duration tick = std::min(options_.sync_interval, options_.anti_entropy_tick);
  absl::Duration next_full =
      env_.clock->now_monotonic() + uniform_duration(*env_.rng, absl::ZeroDuration(), options_.sync_interval);
  while (true) {
    absl::Status slept = co_await sleep_for(*env_.clock, uniform_duration(*env_.rng, tick * 0.5, tick));
    if (!slept.ok()) co_return;
    if (paused_) continue;
    const uint64_t version = replicas_.layout_version();
    const bool transition = version > synced_version_ && replicas_.min_ack() >= version;
    if (!transition && env_.clock->now_monotonic() < next_full) continue;
    if (transition) probe(env_, "table.sync_for_new_layout");
    absl::Status s = co_await sync_all();
    if (!s.ok()) env_.tracer->event(Severity::kDebug, "TableSyncIncomplete", absl::StrCat(name(), ": ", s.message()));
    absl::Status dropped = co_await drop_unowned();
    if (!dropped.ok()) env_.tracer->event(Severity::kWarn, "TableDropFailed", std::string(dropped.message()));
    next_full = env_.clock->now_monotonic() +
                uniform_duration(*env_.rng, options_.sync_interval * 0.9, options_.sync_interval * 1.1);
  }
}

Task<absl::Status> Table::drop_unowned() {
  for (int p = 0; p < kPartitions; ++p) {
    std::vector<NodeId> nodes = holders(static_cast<uint8_t>(p));
    if (nodes.empty()) co_return absl::OkStatus();  // no layout: nothing is known to be unowned
    if (is_holder(nodes)) continue;
    while (true) {
      absl::StatusOr<size_t> dropped =
          store_.drop_partition(static_cast<uint8_t>(p), kMaxTableBatch, options_.fsync, now_ms());
      if (!dropped.ok()) co_return dropped.status();
      if (*dropped == 0) break;
      probe(env_, "table.dropped_unowned_partition");
    }
  }
  co_return absl::OkStatus();
}

// ---------------------------------------------------------------- tombstone collection

Task<absl::Status> Table::collect_garbage() {
  const int64_t now = now_ms();
  // Page through the marks (in key order) until a batch of old-enough ones is found, so young
  // tombstones early in key order cannot starve old ones behind them. Bounded per round.
  std::map<uint8_t, std::vector<LeafItem>> by_partition;
  size_t eligible = 0;
  std::string after;
  for (int page = 0; page < 64 && eligible < kMaxTableBatch; ++page) {
    absl::StatusOr<std::vector<GcCandidate>> candidates = store_.gc_candidates(after, kMaxTableBatch);
    if (!candidates.ok()) co_return candidates.status();
    for (const GcCandidate& c : *candidates) {
      if (now - c.marked_ms < absl::ToInt64Milliseconds(options_.gc_delay)) continue;
      if (eligible++ >= kMaxTableBatch) break;
      by_partition[partition_of(c.tree_key)].push_back(LeafItem{c.tree_key, c.hash});
    }
    if (candidates->size() < kMaxTableBatch) break;
    after = candidates->back().tree_key;
  }
  absl::Status result;
  for (auto& [partition, items] : by_partition) {
    std::vector<NodeId> nodes = holders(partition);
    if (!is_holder(nodes)) continue;  // not ours to decide
    // 1. Does every replica hold exactly this tombstone?
    std::vector<bool> everyone(items.size(), true);
    for (const NodeId& n : nodes) {
      TableRequest have = request(TableOp::kGcHave);
      have.hashed = items;
      absl::StatusOr<std::string> r = co_await call(n, std::move(have));
      absl::StatusOr<std::vector<bool>> held =
          r.ok() ? decode_bools(*r) : absl::StatusOr<std::vector<bool>>(r.status());
      if (!held.ok() || held->size() != items.size()) {
        everyone.assign(items.size(), false);
        if (result.ok()) result = held.ok() ? absl::DataLossError("gc: wrong count") : held.status();
        break;
      }
      for (size_t i = 0; i < items.size(); ++i) everyone[i] = everyone[i] && (*held)[i];
    }
    std::vector<LeafItem> collectible;
    for (size_t i = 0; i < items.size(); ++i)
      if (everyone[i]) collectible.push_back(items[i]);
    if (collectible.empty()) continue;
    // 2. Each removes it if it still holds that very version.
    for (const NodeId& n : nodes) {
      TableRequest remove = request(TableOp::kGcRemove);
      remove.hashed = collectible;
      absl::StatusOr<std::string> r = co_await call(n, std::move(remove));
      if (!r.ok() && result.ok()) result = r.status();
    }
    probe(env_, "table.tombstones_collected");
  }
  co_return result;
}

Task<> Table::gc_loop() {
  while (true) {
    absl::Status slept = co_await sleep_for(
        *env_.clock, uniform_duration(*env_.rng, options_.gc_interval * 0.9, options_.gc_interval * 1.1));
    if (!slept.ok()) co_return;
    if (paused_ || gc_paused_) continue;
    absl::Status s = co_await collect_garbage();
    if (!s.ok()) env_.tracer->event(Severity::kDebug, "TableGcIncomplete", absl::StrCat(name(), ": ", s.message()));
  }
}

// ---------------------------------------------------------------- routing

void TableRpc::register_rpcs(RpcRouter& router) {
  router.add(RpcMethod::kTable,
             [this](NodeId from, std::string payload) { return dispatch(from, std::move(payload)); });
}

Task<absl::StatusOr<std::string>> TableRpc::dispatch(NodeId from, std::string payload) {
  absl::StatusOr<TableRequest> req = TableRequest::decode(payload);
  if (!req.ok()) co_return req.status();
  auto it = tables_.find(req->table);
  if (it == tables_.end()) co_return absl::NotFoundError(absl::StrCat("no table named '", req->table, "'"));
  co_return co_await it->second->handle(from, std::move(*req));
}

}  // namespace garage
