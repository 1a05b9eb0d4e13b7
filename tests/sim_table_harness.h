// Test helper: a small simulated cluster running the replicated test table, with layout v1
// applied and spread, no faults unless the test makes them.
#pragma once

#include <gtest/gtest.h>

#include <optional>

#include "absl/strings/str_cat.h"
#include "sim/cluster.h"
#include "sim/event_loop.h"

namespace garage::sim {

class TableCluster {
 public:
  explicit TableCluster(int nodes = 3, TableOptions options = quiet_options(), uint64_t seed = 7)
      : TableCluster(config(nodes, options), seed) {}
  // Any cluster shape and stack (ClusterConfig::s3 for the model's tables). The layout assigns
  // the first `assigned` nodes (all if negative); the others run, connected, outside it.
  explicit TableCluster(ClusterConfig config, uint64_t seed = 7, int assigned = -1) : cluster_(loop_, seed, config) {
    const int nodes = config.nodes;
    for (int i = 0; i < nodes; ++i) cluster_.start(i);
    loop_.at(absl::Seconds(1), [this, nodes, assigned] {
      LayoutManager& layout = *cluster_.node(0).layout;
      for (int i = 0; i < (assigned < 0 ? nodes : assigned); ++i) {
        (void)layout.admin(LayoutAdminRequest{LayoutAdminRequest::Op::kAssign, cluster_.id_of(i),
                                              NodeRole{absl::StrCat("zone", i % 3), uint64_t{1} << 40, {}}, 0});
      }
      (void)layout.admin(LayoutAdminRequest{LayoutAdminRequest::Op::kApply, {}, {}, 1});
    });
    loop_.run_until(absl::Seconds(10));  // the layout and every address have spread
  }
  ~TableCluster() {
    for (int i = 0; i < cluster_.size(); ++i)
      if (cluster_.is_running(i)) cluster_.crash(i);
  }

  // Background loops only when a test asks for them.
  static TableOptions quiet_options() {
    TableOptions o;
    o.sync_interval = absl::Hours(1);
    o.gc_interval = absl::Hours(1);
    o.rpc_timeout = absl::Seconds(2);
    return o;
  }

  Cluster& cluster() { return cluster_; }
  EventLoop& loop() { return loop_; }
  Table& table(int node) { return *cluster_.node(node).table; }
  Model& model(int node) { return *cluster_.node(node).model; }

  // Runs `task` on `node` until it finishes (at most a simulated minute).
  template <class T>
  T run(int node, Task<T> task) {
    std::optional<T> out;
    cluster_.node(node).spawner->spawn(capture(std::move(task), &out));
    const absl::Duration until = loop_.now() + absl::Seconds(60);
    while (!out.has_value() && loop_.now() < until) loop_.run_until(loop_.now() + absl::Milliseconds(10));
    EXPECT_TRUE(out.has_value()) << "the task never finished";
    return out.has_value() ? std::move(*out) : T{};
  }
  // Lets background work (read repair, in-flight replies) finish.
  void settle(absl::Duration d = absl::Seconds(5)) { loop_.run_until(loop_.now() + d); }

  // Direct access to a node's stored table, bypassing the network.
  absl::StatusOr<std::vector<TableItem>> merge_into(int node, std::vector<TableItem> items) {
    MemKv view(cluster_.kv_storage(node));
    TableStore store = cluster_.inspect_table(node, view);
    return store.merge_in(items, true);
  }
  std::optional<std::string> stored(int node, const std::string& tree_key) {
    MemKv view(cluster_.kv_storage(node));
    TableStore store = cluster_.inspect_table(node, view);
    absl::StatusOr<std::optional<std::string>> v = store.get(tree_key);
    return v.ok() ? *v : std::nullopt;
  }
  std::vector<TableItem> all_items(int node) {
    MemKv view(cluster_.kv_storage(node));
    TableStore store = cluster_.inspect_table(node, view);
    absl::StatusOr<std::vector<TableItem>> all = store.all_items();
    return all.ok() ? *all : std::vector<TableItem>{};
  }

 private:
  static ClusterConfig config(int nodes, const TableOptions& options) {
    ClusterConfig c;
    c.nodes = nodes;
    c.zones = std::min(nodes, 3);
    c.table = options;
    return c;
  }
  template <class T>
  static Task<> capture(Task<T> task, std::optional<T>* out) {
    T value = co_await std::move(task);
    out->emplace(std::move(value));
  }

  EventLoop loop_;
  Cluster cluster_;
};

inline TableItem lww_item(const std::string& pk, const std::string& sk, int64_t stamp,
                          std::optional<std::string> value) {
  return TableItem{make_tree_key(pk, sk), LwwRegister{stamp, 1, std::move(value)}.encode()};
}

}  // namespace garage::sim
