// The "table" workload: clients write, delete and read LWW registers through random nodes'
// Table coordinators while faults run, and checkers verify the consistency promises.
//
// Timeline (heal = the moment every partition heals, every crashed node restarts and message
// loss, duplication and reordering stop):
//   [8s, heal + 5s)     clients: 3 of them, one operation each every 100-500 ms on 100 keys
//   [heal, heal + 12s)  anti-entropy and collection paused on every node, so that
//   heal + 6s           a sweep reads every other key once (all nodes up), and
//   heal + 11s          read repair alone must have brought every replica of every swept key
//                       up to what the sweep returned;
//   [end - 20s, end)    collection paused (anti-entropy goes on), so the end state is quiet:
//                       a collection racing anti-entropy can briefly bring a tombstone back;
//   end                 all replicas of every partition hold identical items (and their stored
//                       Merkle roots equal a recomputation), old layout versions are retired,
//                       and no tombstone older than kTombstoneBound remains.
// Throughout: every successful read returns an entry at least as new (in merge order) as every
// write acknowledged before the read began.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "node/table/lww.h"
#include "sim/cluster.h"
#include "sim/event_loop.h"
#include "sim/scenario.h"

namespace garage::sim {

class TableWorkload {
 public:
  static constexpr int kKeys = 100;
  static constexpr int kClients = 3;
  static constexpr absl::Duration kTombstoneBound = absl::Seconds(45);  // gc_delay + 30 s

  TableWorkload(EventLoop& loop, Cluster& cluster, uint64_t seed, SimResult& result);
  // Plans the clients, the sweep and the final checks for a run that heals at `heal_at` and
  // ends at `end`.
  void plan(absl::Duration heal_at, absl::Duration end);

  // Sim table options: short intervals so a run sees syncs and collections.
  static TableOptions options(const std::string& plant_bug, int replication_factor);

  struct History;  // what clients saw; shared with their in-flight operations

 private:
  void client_tick(int client, absl::Duration stop_at);
  void sweep();
  void check_read_repair();
  void check_final();
  std::string tree_key(int key) const;
  int random_running_node();

  EventLoop& loop_;
  Cluster& cluster_;
  Xoshiro256 rng_;
  SimResult& result_;
  std::shared_ptr<History> history_;
  uint64_t next_op_ = 1;
};

}  // namespace garage::sim
