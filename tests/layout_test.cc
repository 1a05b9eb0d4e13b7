// The partition assignment: examples, then properties over random clusters (RapidCheck).
#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>

#include <map>
#include <set>

#include "node/layout/assignment.h"

namespace garage {
namespace {

constexpr uint64_t kGB = 1'000'000'000;

NodeId id_of(int i) {
  NodeId id;
  id.bytes[0] = static_cast<uint8_t>(i);
  id.bytes[1] = static_cast<uint8_t>(i >> 8);
  return id;
}

LayoutNode node(int i, std::string zone, std::optional<uint64_t> gb) {
  return LayoutNode{id_of(i), std::move(zone), gb ? std::optional<uint64_t>(*gb * kGB) : std::nullopt};
}

std::map<NodeId, std::string> zones_of(const AssignmentInput& in) {
  std::map<NodeId, std::string> z;
  for (const auto& n : in.nodes) z[n.id] = n.zone;
  return z;
}

TEST(Layout, ThreeEqualNodesHoldEverythingAtRF3) {
  AssignmentInput in{{node(1, "a", 1000), node(2, "b", 1000), node(3, "c", 1000)}, 3};
  absl::StatusOr<Assignment> a = compute_assignment(in);
  ASSERT_TRUE(a.ok()) << a.status();
  for (const auto& r : a->replicas) EXPECT_EQ(r.size(), 3u);
  EXPECT_EQ(a->partition_size_bytes, 1000 * kGB / kPartitions);
  EXPECT_EQ(a->zone_redundancy, 3);
}

TEST(Layout, GatewaysStoreNothingAndTooFewNodesIsAClearError) {
  AssignmentInput in{{node(1, "a", 100), node(2, "a", 100), node(3, "b", std::nullopt)}, 2};
  absl::StatusOr<Assignment> a = compute_assignment(in);
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->partitions_on(id_of(3)), 0);
  in.replication_factor = 3;
  EXPECT_EQ(compute_assignment(in).status().code(), absl::StatusCode::kFailedPrecondition);
  in.replication_factor = 2;
  in.zone_redundancy = 2;  // only zone "a" has storage
  EXPECT_EQ(compute_assignment(in).status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(Layout, ASmallZoneLimitsUsableCapacityButEveryPartitionSpansAllZones) {
  // RF 3 over 3 zones: every partition needs a replica in zone "c", which has 100 GB.
  AssignmentInput in{{node(1, "a", 1000), node(2, "b", 1000), node(3, "c", 100), node(4, "a", 1000)}, 3};
  absl::StatusOr<Assignment> a = compute_assignment(in);
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->partition_size_bytes, 100 * kGB / kPartitions);
  EXPECT_EQ(a->partitions_on(id_of(3)), kPartitions);
  // With zone redundancy 2 the small zone no longer caps the cluster.
  in.zone_redundancy = 2;
  absl::StatusOr<Assignment> relaxed = compute_assignment(in);
  ASSERT_TRUE(relaxed.ok());
  EXPECT_GT(relaxed->partition_size_bytes, a->partition_size_bytes);
}

// ---- properties over random clusters

rc::Gen<AssignmentInput> random_cluster(int max_zones) {
  return rc::gen::exec([max_zones] {
    AssignmentInput in;
    const int nodes = *rc::gen::inRange(1, 13);
    const int zones = *rc::gen::inRange(1, max_zones + 1);
    for (int i = 0; i < nodes; ++i) {
      const bool gateway = *rc::gen::inRange(0, 10) == 0;
      const int zone = *rc::gen::inRange(0, zones);
      in.nodes.push_back(node(i + 1, "z" + std::to_string(zone),
                              gateway ? std::nullopt : std::optional<uint64_t>(*rc::gen::inRange(100, 4001))));
    }
    in.replication_factor = *rc::gen::inRange(1, 4);
    return in;
  });
}

int storage_nodes(const AssignmentInput& in) {
  int n = 0;
  for (const auto& x : in.nodes) n += x.capacity_bytes.has_value() ? 1 : 0;
  return n;
}

int moves_between(const std::vector<std::vector<NodeId>>& before, const std::vector<std::vector<NodeId>>& after) {
  int moved = 0;
  for (int p = 0; p < kPartitions; ++p) {
    for (const NodeId& n : after[p]) moved += std::count(before[p].begin(), before[p].end(), n) ? 0 : 1;
  }
  return moved;
}

RC_GTEST_PROP(LayoutProperty, ReplicasDistinctZonesSpreadCapacityRespectedSizeOptimal, ()) {
  const AssignmentInput in = *random_cluster(4);
  absl::StatusOr<Assignment> a = compute_assignment(in);
  if (storage_nodes(in) < in.replication_factor) {
    RC_ASSERT(a.status().code() == absl::StatusCode::kFailedPrecondition);
    return;
  }
  RC_ASSERT(a.ok());
  const auto zone = zones_of(in);
  std::set<std::string> all_zones;
  for (const auto& n : in.nodes) {
    if (n.capacity_bytes) all_zones.insert(n.zone);
  }
  const size_t want_zones = std::min<size_t>(in.replication_factor, all_zones.size());
  for (const auto& r : a->replicas) {
    RC_ASSERT(static_cast<int>(r.size()) == in.replication_factor);
    RC_ASSERT(std::set<NodeId>(r.begin(), r.end()).size() == r.size());  // distinct nodes
    std::set<std::string> zs;
    for (const NodeId& n : r) zs.insert(zone.at(n));
    RC_ASSERT(zs.size() >= want_zones);  // as many zones as possible
  }
  for (const auto& n : in.nodes) {
    const uint64_t cap = n.capacity_bytes.value_or(0);
    RC_ASSERT(static_cast<uint64_t>(a->partitions_on(n.id)) * a->partition_size_bytes <= cap);
  }
  RC_ASSERT(assignment_feasible(in, a->partition_size_bytes));
  RC_ASSERT(!assignment_feasible(in, a->partition_size_bytes + 1));  // no larger size works
  RC_ASSERT(compute_assignment(in)->replicas == a->replicas);        // deterministic
}

// In one zone only capacity constrains the spread. At the optimal size s the slack is below the
// node count N, so every node holds between min(floor(cap/s), 256) - N and min(floor(cap/s), 256)
// partitions: its capacity share, within N partitions (a node holds a partition at most once).
RC_GTEST_PROP(LayoutProperty, OneZoneSharesFollowCapacity, ()) {
  AssignmentInput in = *random_cluster(1);
  RC_PRE(storage_nodes(in) >= in.replication_factor);
  absl::StatusOr<Assignment> a = compute_assignment(in);
  RC_ASSERT(a.ok());
  const int n = storage_nodes(in);
  for (const auto& node : in.nodes) {
    if (!node.capacity_bytes) continue;
    const int allowed =
        static_cast<int>(std::min<uint64_t>(*node.capacity_bytes / a->partition_size_bytes, kPartitions));
    const int held = a->partitions_on(node.id);
    RC_ASSERT(held <= allowed);
    RC_ASSERT(held >= allowed - n);
  }
}

// The min-cost flow is exact, so these check it against independent bounds: a removed node's
// replicas must all move; a new node's replicas are all new; and never more than recomputing
// from scratch would move.
RC_GTEST_PROP(LayoutProperty, AddingOrRemovingANodeMovesAsLittleAsPossible, ()) {
  AssignmentInput in = *random_cluster(3);
  RC_PRE(storage_nodes(in) >= in.replication_factor + 1);
  absl::StatusOr<Assignment> before = compute_assignment(in);
  RC_ASSERT(before.ok());

  // Remove one storage node.
  AssignmentInput removed = in;
  auto victim =
      std::find_if(removed.nodes.begin(), removed.nodes.end(), [](auto& n) { return n.capacity_bytes.has_value(); });
  const NodeId gone = victim->id;
  removed.nodes.erase(victim);
  removed.previous = before->replicas;
  absl::StatusOr<Assignment> after = compute_assignment(removed);
  if (after.ok()) {
    RC_ASSERT(after->moved_replicas == moves_between(before->replicas, after->replicas));
    RC_ASSERT(after->moved_replicas >= before->partitions_on(gone));  // its replicas must go somewhere
    AssignmentInput scratch = removed;
    scratch.previous.clear();
    RC_ASSERT(after->moved_replicas <= moves_between(before->replicas, compute_assignment(scratch)->replicas));
  }

  // Add one node.
  AssignmentInput added = in;
  // Into a zone that already stores data: a node opening a new zone raises the default zone
  // redundancy, which can rightly lower capacity (the new zone must then hold every partition).
  const auto storing =
      std::find_if(in.nodes.begin(), in.nodes.end(), [](auto& n) { return n.capacity_bytes.has_value(); });
  added.nodes.push_back(node(200, storing->zone, *rc::gen::inRange(100, 4001)));
  added.previous = before->replicas;
  absl::StatusOr<Assignment> grown = compute_assignment(added);
  RC_ASSERT(grown.ok());
  AssignmentInput scratch = added;
  scratch.previous.clear();
  RC_ASSERT(grown->moved_replicas <= moves_between(before->replicas, compute_assignment(scratch)->replicas));
  RC_ASSERT(grown->moved_replicas >= grown->partitions_on(id_of(200)));    // all it holds is new
  RC_ASSERT(grown->partition_size_bytes >= before->partition_size_bytes);  // more capacity, never less
}

}  // namespace
}  // namespace garage
