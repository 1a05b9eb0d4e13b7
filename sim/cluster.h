// Cluster: the simulated nodes of one run, each with its own ports, crashable and restartable.
//
// Fault model: a crash throws away a node's memory at once (every coroutine frame, pending
// timer and in-flight request of that incarnation) and reverts its disk to the last synced
// state; a restart builds a fresh node on that disk with the same identity and address.
// Limits: a node's id is fixed by the seed (no certificate model); a dead disk stays dead.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "node/layout/layout_manager.h"
#include "node/membership.h"
#include "node/rng.h"
#include "node/rpc.h"
#include "node/runtime/spawner.h"
#include "sim/sim_chaos.h"
#include "sim/sim_clock.h"
#include "sim/sim_disk.h"
#include "sim/sim_network.h"
#include "sim/sim_ports.h"

namespace garage::sim {

struct ClusterConfig {
  int nodes = 5;
  int zones = 3;
  NetworkConfig network;
  DiskFaults disk;
  std::vector<ClockFaults> clocks;  // per node; empty: no skew
  MembershipOptions membership;
  int replication_factor = 3;
};

// One running incarnation of a node. Members are declared in construction order and destroyed
// in reverse, so coroutine frames (spawner) die before the transport and clock they use.
struct SimNode {
  std::unique_ptr<SimClock> clock;
  std::unique_ptr<Xoshiro256> rng;
  std::unique_ptr<SimTracer> tracer;
  std::unique_ptr<SimOffload> offload;
  std::unique_ptr<SimDisk> disk;
  std::unique_ptr<Spawner> spawner;
  std::unique_ptr<SimTransport> transport;
  std::unique_ptr<RpcRouter> router;
  std::unique_ptr<LayoutManager> layout;
  std::unique_ptr<Membership> membership;
  ~SimNode();
};

class Cluster {
 public:
  Cluster(EventLoop& loop, uint64_t seed, ClusterConfig config);

  int size() const { return config_.nodes; }
  int zone_of(int node) const { return network_.zone_of(node); }
  NodeId id_of(int node) const { return ids_[node]; }
  bool is_running(int node) const { return nodes_[node] != nullptr; }
  SimNode& node(int i) { return *nodes_[i]; }
  SimNetwork& network() { return network_; }
  SimDiskStorage& disk_storage(int node) { return *storage_[node]; }
  uint64_t error_events() const { return error_events_; }
  const SimChaos& chaos() const { return chaos_; }

  void start(int node);
  void crash(int node);

 private:
  EventLoop& loop_;
  uint64_t seed_;
  ClusterConfig config_;
  Xoshiro256 world_rng_;
  SimChaos chaos_;
  SimNetwork network_;
  std::vector<NodeId> ids_;
  std::vector<uint64_t> incarnations_;
  std::vector<std::unique_ptr<SimDiskStorage>> storage_;
  std::vector<std::unique_ptr<SimNode>> nodes_;
  uint64_t error_events_ = 0;
};

}  // namespace garage::sim
