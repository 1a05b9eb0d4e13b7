// FlowGraph: a directed graph with capacities and costs, and the two algorithms the layout needs:
// maximum flow (Dinic) and minimum-cost maximum flow (successive shortest paths, Bellman-Ford
// queue). Deterministic: edges are explored in insertion order.
//
//   FlowGraph g(4);
//   int e = g.add_edge(0, 1, /*capacity=*/3, /*cost=*/0);
//   int64_t f = g.max_flow(0, 3);   // or: auto [flow, cost] = g.min_cost_flow(0, 3);
//   g.flow(e);                      // flow on that edge
#pragma once

#include <cstdint>
#include <utility>
#include <vector>

namespace garage {

class FlowGraph {
 public:
  explicit FlowGraph(int vertices) : adjacency_(vertices) {}

  // Adds u->v; returns the edge's index (for flow()).
  int add_edge(int from, int to, int64_t capacity, int64_t cost = 0);
  int64_t flow(int edge) const { return edges_[edge].flow; }
  int vertices() const { return static_cast<int>(adjacency_.size()); }

  // Both start from the current flow (zero on a fresh graph) and return the flow they add.
  int64_t max_flow(int source, int sink);
  // Returns (flow added, its total cost). Costs must be non-negative on a fresh graph.
  std::pair<int64_t, int64_t> min_cost_flow(int source, int sink);

 private:
  struct Edge {
    int to;
    int64_t capacity;
    int64_t cost;
    int64_t flow = 0;
  };
  int64_t residual(int e) const { return edges_[e].capacity - edges_[e].flow; }
  bool build_levels(int source, int sink);
  int64_t push(int v, int sink, int64_t limit);

  std::vector<Edge> edges_;  // edge i and i^1 are each other's reverse
  std::vector<std::vector<int>> adjacency_;
  std::vector<int> level_, next_edge_;
};

}  // namespace garage
