#include "node/layout/assignment.h"

#include <algorithm>
#include <map>
#include <set>

#include "absl/strings/str_cat.h"
#include "node/layout/flow_graph.h"

namespace garage {
namespace {

struct Prepared {
  std::vector<LayoutNode> storage;  // nodes with capacity > 0, sorted by id
  std::vector<int> zone_of;         // storage index -> zone index
  int zones = 0;
  int rf = 0;
  int zone_redundancy = 0;
};

absl::StatusOr<Prepared> prepare(const AssignmentInput& input) {
  Prepared p;
  p.rf = input.replication_factor;
  if (p.rf < 1) return absl::InvalidArgumentError("replication factor must be at least 1");
  std::set<NodeId> seen;
  for (const LayoutNode& n : input.nodes) {
    if (!seen.insert(n.id).second) return absl::InvalidArgumentError(absl::StrCat("node ", n.id.short_hex(), " twice"));
    if (n.capacity_bytes.has_value() && *n.capacity_bytes > 0) p.storage.push_back(n);
  }
  std::sort(p.storage.begin(), p.storage.end(), [](const auto& a, const auto& b) { return a.id < b.id; });
  if (static_cast<int>(p.storage.size()) < p.rf) {
    return absl::FailedPreconditionError(absl::StrCat("replication factor ", p.rf, " needs at least ", p.rf,
                                                      " nodes with capacity; the layout has ", p.storage.size()));
  }
  std::map<std::string, int> zone_index;
  for (const LayoutNode& n : p.storage) zone_index.emplace(n.zone, 0);
  for (auto& [name, index] : zone_index) index = p.zones++;
  for (const LayoutNode& n : p.storage) p.zone_of.push_back(zone_index[n.zone]);
  const int max_redundancy = std::min(p.rf, p.zones);
  p.zone_redundancy = input.zone_redundancy == 0 ? max_redundancy : input.zone_redundancy;
  if (p.zone_redundancy < 1 || p.zone_redundancy > max_redundancy) {
    return absl::InvalidArgumentError(absl::StrCat("zone redundancy ", p.zone_redundancy, " is impossible with RF ",
                                                   p.rf, " and ", p.zones, " zones (at most ", max_redundancy, ")"));
  }
  return p;
}

// The flow network. Source -> "up" (zone_redundancy units, at most 1 per zone) and "down" (the
// rest) of each partition -> (partition, zone) -> each node of that zone (1 unit: a node holds
// a partition at most once) -> sink (floor(capacity / s) units).
struct Network {
  FlowGraph graph;
  int source, sink;
  std::vector<std::vector<std::pair<int, int>>> placement_edges;  // [partition] -> (edge, node)
};

Network build(const Prepared& p, uint64_t partition_size, const std::vector<std::set<NodeId>>* previous) {
  const int n = static_cast<int>(p.storage.size());
  const int per_partition = 2 + p.zones;
  Network net{FlowGraph(2 + kPartitions * per_partition + n), 0, 1, {}};
  auto up = [&](int part) { return 2 + part * per_partition; };
  auto down = [&](int part) { return up(part) + 1; };
  auto zone_vertex = [&](int part, int z) { return up(part) + 2 + z; };
  auto node_vertex = [&](int i) { return 2 + kPartitions * per_partition + i; };
  net.placement_edges.resize(kPartitions);
  for (int part = 0; part < kPartitions; ++part) {
    net.graph.add_edge(net.source, up(part), p.zone_redundancy);
    net.graph.add_edge(net.source, down(part), p.rf - p.zone_redundancy);
    for (int z = 0; z < p.zones; ++z) {
      net.graph.add_edge(up(part), zone_vertex(part, z), 1);
      net.graph.add_edge(down(part), zone_vertex(part, z), p.rf);
    }
    for (int i = 0; i < n; ++i) {
      const bool kept = previous != nullptr && (*previous)[part].count(p.storage[i].id) > 0;
      const int e = net.graph.add_edge(zone_vertex(part, p.zone_of[i]), node_vertex(i), 1, kept ? 0 : 1);
      net.placement_edges[part].push_back({e, i});
    }
  }
  for (int i = 0; i < n; ++i) {
    const uint64_t slots = std::min<uint64_t>(*p.storage[i].capacity_bytes / partition_size, kPartitions);
    net.graph.add_edge(node_vertex(i), net.sink, static_cast<int64_t>(slots));
  }
  return net;
}

bool feasible(const Prepared& p, uint64_t partition_size) {
  Network net = build(p, partition_size, nullptr);
  return net.graph.max_flow(net.source, net.sink) == static_cast<int64_t>(kPartitions) * p.rf;
}

}  // namespace

int Assignment::partitions_on(const NodeId& node) const {
  int count = 0;
  for (const auto& r : replicas) count += static_cast<int>(std::count(r.begin(), r.end(), node));
  return count;
}

bool assignment_feasible(const AssignmentInput& input, uint64_t partition_size_bytes) {
  absl::StatusOr<Prepared> p = prepare(input);
  return p.ok() && partition_size_bytes > 0 && feasible(*p, partition_size_bytes);
}

absl::StatusOr<Assignment> compute_assignment(const AssignmentInput& input) {
  absl::StatusOr<Prepared> prepared = prepare(input);
  if (!prepared.ok()) return prepared.status();
  const Prepared& p = *prepared;
  if (!feasible(p, 1)) return absl::FailedPreconditionError("no assignment satisfies the zone constraints");

  // Largest feasible partition size: feasibility only gets harder as the size grows.
  uint64_t lo = 1, hi = 0;
  for (const LayoutNode& n : p.storage) hi = std::max(hi, *n.capacity_bytes);
  while (lo < hi) {
    const uint64_t mid = lo + (hi - lo + 1) / 2;
    if (feasible(p, mid)) {
      lo = mid;
    } else {
      hi = mid - 1;
    }
  }

  std::vector<std::set<NodeId>> previous(kPartitions);
  for (size_t part = 0; part < input.previous.size() && part < kPartitions; ++part) {
    previous[part].insert(input.previous[part].begin(), input.previous[part].end());
  }
  Network net = build(p, lo, &previous);
  const auto [flow, cost] = net.graph.min_cost_flow(net.source, net.sink);
  if (flow != static_cast<int64_t>(kPartitions) * p.rf) return absl::InternalError("layout flow lost feasibility");

  Assignment out;
  out.partition_size_bytes = lo;
  out.zone_redundancy = p.zone_redundancy;
  out.moved_replicas = static_cast<int>(cost);
  out.replicas.resize(kPartitions);
  for (int part = 0; part < kPartitions; ++part) {
    for (const auto& [edge, node] : net.placement_edges[part]) {
      if (net.graph.flow(edge) > 0) out.replicas[part].push_back(p.storage[node].id);
    }
  }
  return out;
}

}  // namespace garage
