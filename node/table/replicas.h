// Who stores a partition and how to reach them: the table layer's view of layout + membership.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "node/node_id.h"

namespace garage {

class ReplicaDirectory {
 public:
  virtual ~ReplicaDirectory() = default;
  // The partition's replicas in each active layout version, oldest first (empty: no layout).
  virtual std::vector<std::vector<NodeId>> replica_sets(uint8_t partition) = 0;
  // The partition's replicas in retired layout versions still in the history, newest first.
  // Blocks move after the tables have (a version retires once the tables are synced), so a
  // block reader asks these when every active holder lacks the block.
  virtual std::vector<std::vector<NodeId>> retired_replica_sets(uint8_t partition) { return {}; }
  // Whether the node has a role in a layout version this node keeps (current or retired):
  // the nodes that may ask for blocks.
  virtual bool is_layout_node(const NodeId& node) = 0;
  // Where a node listens (nullopt: unknown to us).
  virtual std::optional<std::string> address_of(const NodeId& node) = 0;
  // The node's zone in the current layout ("" if unknown): reads prefer holders in our zone.
  virtual std::string zone_of(const NodeId& node) { return ""; }

  // Layout transitions (node/layout/cluster_layout.h, trackers):
  virtual uint64_t layout_version() = 0;
  // The oldest layout version an in-flight write of this node's tables began under.
  virtual void writes_drained_below(uint64_t oldest_in_flight) = 0;
  // Every node has acknowledged versions up to this: a sync pass begun now counts for it.
  virtual uint64_t min_ack() = 0;
  virtual void report_synced(uint64_t version) = 0;
};

// Read and write quorums, as Garage defines them per consistency mode.
enum class ConsistencyMode { kConsistent, kDegraded, kDangerous };

struct Quorums {
  int read = 1;
  int write = 1;
};

// consistent: read = ceil(rf/2) rounded so that read + write > rf; degraded: reads from one
// replica; dangerous: reads and writes from one.
inline Quorums quorums_for(int rf, ConsistencyMode mode) {
  const int read = (rf + 1) / 2;
  const int write = rf - read + 1;
  switch (mode) {
    case ConsistencyMode::kConsistent:
      return {read, write};
    case ConsistencyMode::kDegraded:
      return {1, write};
    case ConsistencyMode::kDangerous:
      return {1, 1};
  }
  return {read, write};
}

}  // namespace garage
