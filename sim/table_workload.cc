#include "sim/table_workload.h"

#include <set>

#include "absl/strings/str_cat.h"
#include "node/rng.h"
#include "store/mem_kv.h"

namespace garage::sim {

struct TableWorkload::History {
  EventLoop* loop = nullptr;
  SimResult* result = nullptr;
  std::map<int, LwwRegister> acked_floor;           // per key: the merge of every acknowledged write
  std::map<int, LwwRegister> tried_tombstones;      // per key: the merge of every deletion sent, acked or not
  std::map<int, std::optional<LwwRegister>> swept;  // per key: what the sweep read
  uint64_t writes_acked = 0, writes_failed = 0, reads_checked = 0, reads_failed = 0;

  void violation(std::string what) {
    result->violations.push_back(absl::StrCat("at ", absl::ToInt64Milliseconds(loop->now()), "ms: ", what));
  }
};

namespace {

std::string show(const std::optional<LwwRegister>& r) {
  if (!r) return "nothing";
  return absl::StrCat("(", r->stamp_ms, ",", r->tiebreak, ",", r->value ? *r->value : "<deleted>", ")");
}

Task<> write_op(std::shared_ptr<TableWorkload::History> h, Table* table, int key, std::string tree_key,
                LwwRegister entry) {
  // Named locals, not temporaries, around co_await (GCC 12).
  std::vector<TableItem> items{TableItem{tree_key, entry.encode()}};
  absl::Status s = co_await table->insert(std::move(items));
  if (!s.ok()) {
    h->writes_failed++;
    co_return;
  }
  h->writes_acked++;
  auto [it, inserted] = h->acked_floor.emplace(key, entry);
  if (!inserted) it->second.merge(entry);
}

Task<> read_op(std::shared_ptr<TableWorkload::History> h, Table* table, int key, std::string tree_key,
               std::optional<LwwRegister> floor, bool sweep) {
  absl::StatusOr<std::optional<std::string>> r = co_await table->get(tree_key);
  if (!r.ok()) {
    h->reads_failed++;
    co_return;
  }
  std::optional<LwwRegister> got;
  if (r->has_value()) {
    absl::StatusOr<LwwRegister> decoded = LwwRegister::decode(**r);
    if (!decoded.ok()) {
      h->violation(absl::StrCat("key ", key, ": read returned an undecodable entry"));
      co_return;
    }
    got = *decoded;
  }
  h->reads_checked++;
  // A collected tombstone reads as nothing: nothing is as new as any deletion that may have
  // reached the replicas (acknowledged or not) and been collected since.
  bool nothing_ok = false;
  if (floor && !got) {
    auto t = h->tried_tombstones.find(key);
    nothing_ok = floor->is_tombstone() || (t != h->tried_tombstones.end() && t->second.at_least(*floor));
  }
  if (floor && !(got ? got->at_least(*floor) : nothing_ok)) {
    h->violation(absl::StrCat("key ", key, ": read returned ", show(got), ", older than ", show(floor),
                              " acknowledged before the read began"));
  }
  if (sweep) h->swept[key] = got;
}

}  // namespace

TableOptions TableWorkload::options(const std::string& plant_bug, int replication_factor) {
  TableOptions o;
  o.quorums = quorums_for(replication_factor, ConsistencyMode::kConsistent);
  o.rpc_timeout = absl::Seconds(3);
  o.sync_interval = absl::Seconds(10);
  o.gc_interval = absl::Seconds(3);
  o.gc_delay = absl::Seconds(15);  // > the largest clock difference (2 x 5 s skew) + message delays
  o.live_index_build_step = 4;     // a node restarted as an upgrade indexes in many steps
  o.planted.write_quorum_1 = plant_bug == "write-quorum-1";
  o.planted.read_quorum_1 = plant_bug == "read-quorum-1";
  o.planted.skip_read_repair = plant_bug == "skip-read-repair";
  o.planted.live_range_trusts_senders = plant_bug == "live-range-trusts-senders";
  o.store_planted.merkle_skip_tombstones = plant_bug == "merkle-skip-tombstones";
  o.store_planted.lose_follow_ups = plant_bug == "lose-follow-ups";
  return o;
}

TableWorkload::TableWorkload(EventLoop& loop, Cluster& cluster, uint64_t seed, SimResult& result)
    : loop_(loop), cluster_(cluster), rng_(seed ^ 0x7461626c65ULL), result_(result) {
  history_ = std::make_shared<History>();
  history_->loop = &loop;
  history_->result = &result;
}

std::string TableWorkload::tree_key(int key) const { return make_tree_key(absl::StrCat("key", key), ""); }

int TableWorkload::random_running_node() {
  std::vector<int> running;
  for (int i = 0; i < cluster_.size(); ++i)
    if (cluster_.is_running(i)) running.push_back(i);
  if (running.empty()) return -1;
  return running[uniform(rng_, running.size())];
}

void TableWorkload::plan(absl::Duration heal_at, absl::Duration end) {
  const absl::Duration stop_clients = heal_at + absl::Seconds(5);
  for (int c = 0; c < kClients; ++c) {
    loop_.at(absl::Seconds(8) + absl::Milliseconds(37 * c), [this, c, stop_clients] { client_tick(c, stop_clients); });
  }
  loop_.at(heal_at + absl::Milliseconds(1), [this] {
    for (int i = 0; i < cluster_.size(); ++i)
      if (cluster_.is_running(i)) cluster_.node(i).table->set_background_paused(true);
  });
  loop_.at(heal_at + absl::Seconds(6), [this] { sweep(); });
  loop_.at(heal_at + absl::Seconds(11), [this] { check_read_repair(); });
  loop_.at(heal_at + absl::Seconds(12), [this] {
    for (int i = 0; i < cluster_.size(); ++i)
      if (cluster_.is_running(i)) cluster_.node(i).table->set_background_paused(false);
  });
  loop_.at(end - absl::Seconds(20), [this] {
    for (int i = 0; i < cluster_.size(); ++i)
      if (cluster_.is_running(i)) cluster_.node(i).table->set_gc_paused(true);
  });
  loop_.at(end, [this] { check_final(); });
}

void TableWorkload::client_tick(int client, absl::Duration stop_at) {
  const int node = random_running_node();
  if (node >= 0) {
    SimNode& n = cluster_.node(node);
    const int key = static_cast<int>(uniform(rng_, kKeys));
    const uint64_t op = next_op_++;
    const uint64_t dice = uniform(rng_, 100);
    if (dice < 55) {
      LwwRegister entry{absl::ToUnixMillis(n.clock->now_wall()), op,
                        dice < 45 ? std::optional<std::string>(absl::StrCat("v", op)) : std::nullopt};
      if (entry.is_tombstone()) {
        auto [it, inserted] = history_->tried_tombstones.emplace(key, entry);
        if (!inserted) it->second.merge(entry);
      }
      n.spawner->spawn(write_op(history_, n.table, key, tree_key(key), entry));
    } else {
      std::optional<LwwRegister> floor;
      if (auto it = history_->acked_floor.find(key); it != history_->acked_floor.end()) floor = it->second;
      n.spawner->spawn(read_op(history_, n.table, key, tree_key(key), floor, false));
    }
  }
  const absl::Duration next = loop_.now() + uniform_duration(rng_, absl::Milliseconds(100), absl::Milliseconds(500));
  if (next < stop_at) loop_.at(next, [this, client, stop_at] { client_tick(client, stop_at); });
}

void TableWorkload::sweep() {
  // Half the keys: the other half must converge by anti-entropy alone.
  for (int key = 0; key < kKeys; key += 2) {
    const int node = random_running_node();
    if (node < 0) return;
    SimNode& n = cluster_.node(node);
    std::optional<LwwRegister> floor;
    if (auto it = history_->acked_floor.find(key); it != history_->acked_floor.end()) floor = it->second;
    n.spawner->spawn(read_op(history_, n.table, key, tree_key(key), floor, true));
  }
}

namespace {
// The node indexes holding `partition` in the newest layout version, as node `viewer` sees it.
// (Older versions may already be retired on the node that coordinated a read.)
std::vector<int> holders(Cluster& cluster, int viewer, uint8_t partition) {
  std::set<NodeId> ids;
  const auto sets = cluster.node(viewer).layout->replica_sets(partition);
  if (!sets.empty()) ids.insert(sets.back().begin(), sets.back().end());
  std::vector<int> out;
  for (int i = 0; i < cluster.size(); ++i)
    if (ids.count(cluster.id_of(i))) out.push_back(i);
  return out;
}

int first_running(Cluster& cluster) {
  for (int i = 0; i < cluster.size(); ++i)
    if (cluster.is_running(i)) return i;
  return -1;
}
}  // namespace

void TableWorkload::check_read_repair() {
  const int viewer = first_running(cluster_);
  if (viewer < 0) return;
  int checked = 0;
  for (const auto& [key, got] : history_->swept) {
    if (!got) continue;
    const std::string tk = tree_key(key);
    for (int i : holders(cluster_, viewer, partition_of(tk))) {
      MemKv view(cluster_.kv_storage(i));
      TableStore store = cluster_.inspect_table(i, view);
      absl::StatusOr<std::optional<std::string>> stored = store.get(tk);
      std::optional<LwwRegister> held;
      if (stored.ok() && stored->has_value()) {
        absl::StatusOr<LwwRegister> d = LwwRegister::decode(**stored);
        if (d.ok()) held = *d;
      }
      ++checked;
      const bool ok = held ? held->at_least(*got) : got->is_tombstone();
      if (!ok) {
        history_->violation(absl::StrCat("read repair: n", i, " still holds ", show(held), " for key ", key,
                                         " after a read returned ", show(got)));
      }
    }
  }
  result_.log.push_back(
      absl::StrCat("read-repair check: ", history_->swept.size(), " keys swept, ", checked, " replica copies checked"));
}

void TableWorkload::check_final() {
  const History& h = *history_;
  result_.log.push_back(absl::StrCat("table: writes acked ", h.writes_acked, ", failed ", h.writes_failed,
                                     "; reads checked ", h.reads_checked, ", failed ", h.reads_failed));
  const int viewer = first_running(cluster_);
  if (viewer < 0) return;
  // Every node's items, by partition.
  std::vector<std::map<uint8_t, std::vector<TableItem>>> items(cluster_.size());
  for (int i = 0; i < cluster_.size(); ++i) {
    MemKv view(cluster_.kv_storage(i));
    TableStore store = cluster_.inspect_table(i, view);
    absl::StatusOr<std::vector<TableItem>> all = store.all_items();
    if (!all.ok()) continue;
    for (TableItem& it : *all) items[i][partition_of(it.tree_key)].push_back(std::move(it));
    // The stored Merkle roots must summarise exactly what is stored.
    for (const auto& [p, part] : items[i]) {
      Hash256 expect{};
      for (const TableItem& it : part) expect = xor_hash(expect, item_hash(it.tree_key, it.entry));
      absl::StatusOr<Hash256> root = store.merkle_node(MerklePath{p, ""});
      if (!root.ok() || *root != expect) {
        history_->violation(absl::StrCat("n", i, " partition ", int{p}, ": stored Merkle root differs from its items"));
      }
    }
    // Tombstones must have been collected.
    if (cluster_.is_running(i)) {
      const int64_t now_ms = absl::ToUnixMillis(cluster_.node(i).clock->now_wall());
      absl::StatusOr<std::vector<GcCandidate>> tombs = store.gc_candidates("", SIZE_MAX);
      int old = 0;
      std::string example;
      if (tombs.ok()) {
        for (const GcCandidate& c : *tombs) {
          if (now_ms - c.marked_ms <= absl::ToInt64Milliseconds(kTombstoneBound)) continue;
          if (old++ > 0) continue;
          // Who else holds the key, to tell a stuck collection from a missed one.
          absl::StrAppend(&example, " (e.g. partition ", int{partition_of(c.tree_key)}, ", marked ",
                          (now_ms - c.marked_ms) / 1000, "s ago; holders:");
          for (int j : holders(cluster_, viewer, partition_of(c.tree_key))) {
            MemKv other_view(cluster_.kv_storage(j));
            TableStore other = cluster_.inspect_table(j, other_view);
            absl::StatusOr<std::optional<std::string>> v = other.get(c.tree_key);
            const bool same = v.ok() && v->has_value() && item_hash(c.tree_key, **v) == c.hash;
            absl::StrAppend(&example, " n", j, same ? "=same" : (v.ok() && v->has_value() ? "=other" : "=absent"));
          }
          absl::StrAppend(&example, ")");
        }
      }
      if (old > 0) {
        history_->violation(absl::StrCat("n", i, " still holds ", old, " tombstones older than ",
                                         absl::ToInt64Seconds(kTombstoneBound), "s", example));
      }
    }
  }
  // Convergence: every holder of a partition holds the same items.
  int differing = 0;
  for (int p = 0; p < kPartitions; ++p) {
    std::vector<int> nodes = holders(cluster_, viewer, static_cast<uint8_t>(p));
    for (size_t k = 1; k < nodes.size(); ++k) {
      if (items[nodes[k]][p] != items[nodes[0]][p]) {
        if (++differing <= 5) {
          auto list = [](const std::vector<TableItem>& v) {
            std::string out;
            for (const TableItem& it : v) {
              absl::StatusOr<LwwRegister> r = LwwRegister::decode(it.entry);
              absl::StrAppend(&out, " ", r.ok() ? show(*r) : "?");
            }
            return out;
          };
          history_->violation(absl::StrCat("partition ", p, ": n", nodes[k], " holds", list(items[nodes[k]][p]), "; n",
                                           nodes[0], " holds", list(items[nodes[0]][p])));
        }
        break;
      }
    }
  }
  if (differing > 5) history_->violation(absl::StrCat("... ", differing, " partitions differ in all"));
  // Old layout versions retired.
  for (int i = 0; i < cluster_.size(); ++i) {
    if (!cluster_.is_running(i)) continue;
    const size_t active = cluster_.node(i).layout->layout().active_versions().size();
    if (active > 1) {
      const ClusterLayout& l = cluster_.node(i).layout->layout();
      std::string trackers;
      for (int j = 0; j < cluster_.size(); ++j) {
        auto a = l.acks().find(cluster_.id_of(j));
        auto y = l.syncs().find(cluster_.id_of(j));
        absl::StrAppend(&trackers, " n", j, ":ack", a == l.acks().end() ? 0 : a->second, "/sync",
                        y == l.syncs().end() ? 0 : y->second);
      }
      history_->violation(absl::StrCat("n", i, ": ", active, " layout versions still active at the end;", trackers));
    }
  }
  SyncStats total;
  for (int i = 0; i < cluster_.size(); ++i) {
    if (!cluster_.is_running(i)) continue;
    const SyncStats& s = cluster_.node(i).table->sync_stats();
    total.rpcs += s.rpcs;
    total.bytes += s.bytes;
    total.items_pulled += s.items_pulled;
    total.items_pushed += s.items_pushed;
  }
  result_.log.push_back(absl::StrCat("anti-entropy since last restarts: ", total.rpcs, " rpcs, ", total.bytes,
                                     " bytes, ", total.items_pulled, " items pulled, ", total.items_pushed, " pushed"));
}

}  // namespace garage::sim
