// Partition assignment: which RF nodes store each of the 256 partitions.
//
// The same goals as Garage's layout since v0.9, computed exactly with flows:
// 1. every partition has RF distinct storage nodes spanning at least `zone_redundancy` zones
//    (default: min(RF, number of zones)), so losing a zone loses no partition entirely;
// 2. the partition size s (bytes stored per partition replica) is as large as possible, given
//    that a node holds at most floor(capacity / s) partitions: the cluster's usable capacity,
//    256 * s, is maximal;
// 3. among assignments reaching that s, as few partition replicas as possible move away from
//    the previous assignment (a min-cost flow where keeping a replica costs 0, adding one 1).
// Gateway nodes (no capacity) store nothing. Deterministic: the same input, the same output.
//
//   AssignmentInput in{.nodes = nodes, .replication_factor = 3};
//   absl::StatusOr<Assignment> a = compute_assignment(in);   // a->replicas[p]: node ids
#pragma once

#include <array>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "node/node_id.h"

namespace garage {

inline constexpr int kPartitions = 256;

struct LayoutNode {
  NodeId id;
  std::string zone;
  std::optional<uint64_t> capacity_bytes;  // nullopt: a gateway, stores nothing
};

struct AssignmentInput {
  std::vector<LayoutNode> nodes;
  int replication_factor = 3;
  int zone_redundancy = 0;  // 0: as many zones as possible, min(RF, zones)
  // The assignment in force, to move as little as possible from (empty: none).
  std::vector<std::vector<NodeId>> previous;
};

struct Assignment {
  std::vector<std::vector<NodeId>> replicas;  // [partition] -> RF node ids, sorted
  uint64_t partition_size_bytes = 0;
  int zone_redundancy = 0;
  int moved_replicas = 0;  // replicas placed on a node that did not hold them before

  uint64_t usable_capacity_bytes() const { return partition_size_bytes * kPartitions; }
  int partitions_on(const NodeId& node) const;
};

absl::StatusOr<Assignment> compute_assignment(const AssignmentInput& input);

// Whether every partition can be placed with partition size `s` (exposed for tests: the chosen
// size must pass and size + 1 must not).
bool assignment_feasible(const AssignmentInput& input, uint64_t partition_size_bytes);

}  // namespace garage
