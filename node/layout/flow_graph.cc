#include "node/layout/flow_graph.h"

#include <algorithm>
#include <cassert>
#include <deque>
#include <limits>

namespace garage {

int FlowGraph::add_edge(int from, int to, int64_t capacity, int64_t cost) {
  assert(from >= 0 && from < vertices() && to >= 0 && to < vertices() && capacity >= 0);
  const int id = static_cast<int>(edges_.size());
  edges_.push_back({to, capacity, cost});
  edges_.push_back({from, 0, -cost});
  adjacency_[from].push_back(id);
  adjacency_[to].push_back(id + 1);
  return id;
}

bool FlowGraph::build_levels(int source, int sink) {
  level_.assign(vertices(), -1);
  std::deque<int> queue{source};
  level_[source] = 0;
  while (!queue.empty()) {
    const int v = queue.front();
    queue.pop_front();
    for (int e : adjacency_[v]) {
      if (residual(e) > 0 && level_[edges_[e].to] < 0) {
        level_[edges_[e].to] = level_[v] + 1;
        queue.push_back(edges_[e].to);
      }
    }
  }
  return level_[sink] >= 0;
}

int64_t FlowGraph::push(int v, int sink, int64_t limit) {
  if (v == sink) return limit;
  for (int& i = next_edge_[v]; i < static_cast<int>(adjacency_[v].size()); ++i) {
    const int e = adjacency_[v][i];
    const int to = edges_[e].to;
    if (residual(e) <= 0 || level_[to] != level_[v] + 1) continue;
    const int64_t pushed = push(to, sink, std::min(limit, residual(e)));
    if (pushed > 0) {
      edges_[e].flow += pushed;
      edges_[e ^ 1].flow -= pushed;
      return pushed;
    }
  }
  return 0;
}

int64_t FlowGraph::max_flow(int source, int sink) {
  int64_t total = 0;
  while (build_levels(source, sink)) {
    next_edge_.assign(vertices(), 0);
    while (int64_t f = push(source, sink, std::numeric_limits<int64_t>::max())) total += f;
  }
  return total;
}

std::pair<int64_t, int64_t> FlowGraph::min_cost_flow(int source, int sink) {
  constexpr int64_t kInf = std::numeric_limits<int64_t>::max() / 4;
  int64_t total_flow = 0, total_cost = 0;
  std::vector<int64_t> dist(vertices());
  std::vector<int> via(vertices());
  std::vector<char> queued(vertices());
  while (true) {
    // Shortest path by cost in the residual graph (Bellman-Ford with a FIFO queue).
    std::fill(dist.begin(), dist.end(), kInf);
    std::fill(via.begin(), via.end(), -1);
    std::deque<int> queue{source};
    dist[source] = 0;
    queued[source] = 1;
    while (!queue.empty()) {
      const int v = queue.front();
      queue.pop_front();
      queued[v] = 0;
      for (int e : adjacency_[v]) {
        const int to = edges_[e].to;
        if (residual(e) > 0 && dist[v] + edges_[e].cost < dist[to]) {
          dist[to] = dist[v] + edges_[e].cost;
          via[to] = e;
          if (!queued[to]) {
            queued[to] = 1;
            queue.push_back(to);
          }
        }
      }
    }
    if (dist[sink] == kInf) break;
    int64_t bottleneck = kInf;
    for (int v = sink; v != source; v = edges_[via[v] ^ 1].to) bottleneck = std::min(bottleneck, residual(via[v]));
    for (int v = sink; v != source; v = edges_[via[v] ^ 1].to) {
      edges_[via[v]].flow += bottleneck;
      edges_[via[v] ^ 1].flow -= bottleneck;
    }
    total_flow += bottleneck;
    total_cost += bottleneck * dist[sink];
  }
  return {total_flow, total_cost};
}

}  // namespace garage
