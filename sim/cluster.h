// Cluster: the simulated nodes of one run, each with its own ports, crashable and restartable.
//
// Fault model: a crash throws away a node's memory at once (every coroutine frame, pending
// timer and in-flight request of that incarnation) and reverts its disk to the last synced
// state; a restart builds a fresh node on that disk with the same identity and address.
// The metadata store (MemKv) loses, on a crash, a random suffix of its unsynced batches.
// Limits: a node's id is fixed by the seed (no certificate model); a dead disk stays dead.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "node/assembly/node.h"
#include "node/block/block_manager.h"
#include "node/cluster_directory.h"
#include "node/layout/layout_manager.h"
#include "node/membership.h"
#include "node/model/block_ref_schema.h"
#include "node/model/model.h"
#include "node/model/write_journal.h"
#include "node/rng.h"
#include "node/rpc.h"
#include "node/runtime/spawner.h"
#include "node/table/follow_ups.h"
#include "node/table/lww.h"
#include "node/table/table.h"
#include "s3/api.h"
#include "sim/sim_chaos.h"
#include "sim/sim_clock.h"
#include "sim/sim_disk.h"
#include "sim/sim_network.h"
#include "sim/sim_ports.h"
#include "store/mem_kv.h"

namespace garage::sim {

struct ClusterConfig {
  int nodes = 5;
  int zones = 3;
  NetworkConfig network;
  DiskFaults disk;
  std::vector<ClockFaults> clocks;  // per node; empty: no skew
  MembershipOptions membership;
  int replication_factor = 3;
  bool planted_retire_before_sync = false;
  bool planted_complete_reuses_upload_uuid = false;  // S3Settings, simulation only
  bool planted_copy_without_references = false;      // S3Settings, simulation only
  bool planted_unalias_does_nothing = false;         // NodeOptions, simulation only
  TableOptions table;                                // every replicated table of the node
  // Half the restarts come back as an upgrade from a build before the tables' live index (the
  // s3 workload; the others keep their seeds' schedules).
  bool upgrade_restarts = false;
  BlockOptions blocks;
  WriteJournalOptions journal;
};

// One running incarnation of a node. Members are declared in construction order and destroyed
// in reverse, after the spawner's frames (which refer to everything else).
struct SimNode {
  std::unique_ptr<SimClock> clock;
  std::unique_ptr<Xoshiro256> rng;
  std::unique_ptr<SimEntropy> entropy;
  std::unique_ptr<SimTracer> tracer;
  std::unique_ptr<SimOffload> offload;
  std::unique_ptr<SimDisk> disk;       // metadata files (layout, peer list): Env::disk
  std::unique_ptr<SimDisk> data_disk;  // blocks, a disk of its own as in production
  std::unique_ptr<Spawner> spawner;
  std::unique_ptr<SimTransport> transport;
  std::unique_ptr<MemKv> kv;
  // Every workload runs the node the daemon runs (node/assembly/node.h).
  std::unique_ptr<Node> node;
  // Views of its services. The table workload reads and writes the node's debug_kv table.
  Table* table = nullptr;
  LayoutManager* layout = nullptr;
  Membership* membership = nullptr;
  FollowUpWorker* follow_ups = nullptr;
  BlockManager* blocks = nullptr;
  Model* model = nullptr;
  WriteJournal* journal = nullptr;
  s3::S3Api* s3 = nullptr;
  RpcHandler rpc_handler() { return node->rpc_handler(); }
  ~SimNode();
};

class Cluster {
 public:
  Cluster(EventLoop& loop, uint64_t seed, ClusterConfig config);

  int size() const { return config_.nodes; }
  int zone_of(int node) const { return network_.zone_of(node); }
  NodeId id_of(int node) const { return ids_[node]; }
  bool is_running(int node) const { return nodes_[node] != nullptr; }
  uint64_t incarnation(int node) const { return incarnations_[node]; }
  SimNode& node(int i) { return *nodes_[i]; }
  SimNetwork& network() { return network_; }
  SimDiskStorage& disk_storage(int node) { return *storage_[node]; }
  SimDiskStorage& data_disk_storage(int node) { return *data_storage_[node]; }
  MemKvStorage& kv_storage(int node) { return *kv_storage_[node]; }
  // A fresh view of a node's metadata store, for checkers (works whether or not it is running).
  TableStore inspect_table(int node, MemKv& view) { return TableStore(view, table_schema_); }
  uint64_t error_events() const { return error_events_; }
  const SimChaos& chaos() const { return chaos_; }

  void start(int node);
  void crash(int node);

 private:
  NodeOptions node_options(int node) const;

  EventLoop& loop_;
  uint64_t seed_;
  ClusterConfig config_;
  Xoshiro256 world_rng_;
  SimChaos chaos_;
  SimNetwork network_;
  std::vector<NodeId> ids_;
  std::vector<uint64_t> incarnations_;
  std::vector<std::unique_ptr<SimDiskStorage>> storage_;       // metadata disks
  std::vector<std::unique_ptr<SimDiskStorage>> data_storage_;  // data disks
  std::vector<std::unique_ptr<MemKvStorage>> kv_storage_;
  CrdtSchema<LwwRegister> table_schema_{kDebugKvTable};
  std::vector<std::unique_ptr<SimNode>> nodes_;
  uint64_t error_events_ = 0;
};

}  // namespace garage::sim
