// What anti-entropy costs after a partition: three simulated replicas hold N identical items,
// one of them also holds D items the others lack (or hold older), and one sync_with() exchange
// repairs it. The cost must depend on D, not on N: the Merkle walk skips equal subtrees.
// Prints the figures the README quotes (run it alone to see them).
#include <gtest/gtest.h>

#include <cstdio>

#include "absl/strings/str_cat.h"
#include "sim/cluster.h"
#include "sim/event_loop.h"

namespace garage::sim {
namespace {

struct Cost {
  uint64_t rpcs = 0, bytes = 0, pulled = 0, pushed = 0;
  bool converged = false;
};

TableItem entry(int i, int64_t stamp, const std::string& value) {
  return TableItem{make_tree_key(absl::StrCat("object-", i), ""), LwwRegister{stamp, 1, value}.encode()};
}

Cost measure(int total, int differing) {
  EventLoop loop;
  ClusterConfig config;
  config.nodes = 3;
  config.zones = 3;
  config.tables = true;
  config.table.sync_interval = absl::Hours(1);  // only the exchange we start
  config.table.gc_interval = absl::Hours(1);
  Cluster cluster(loop, /*seed=*/7, config);
  for (int i = 0; i < 3; ++i) cluster.start(i);
  loop.at(absl::Seconds(1), [&] {
    LayoutManager& layout = *cluster.node(0).layout;
    for (int i = 0; i < 3; ++i) {
      (void)layout.admin(LayoutAdminRequest{LayoutAdminRequest::Op::kAssign, cluster.id_of(i),
                                            NodeRole{absl::StrCat("zone", i), uint64_t{1} << 40, {}}, 0});
    }
    (void)layout.admin(LayoutAdminRequest{LayoutAdminRequest::Op::kApply, {}, {}, 1});
  });
  loop.run_until(absl::Seconds(10));  // layout and addresses spread
  std::vector<TableItem> common, extra;
  for (int i = 0; i < total; ++i) common.push_back(entry(i, 100, "same"));
  // Half the differences are new items, half newer versions of common ones.
  for (int i = 0; i < differing; ++i) extra.push_back(i % 2 ? entry(total + i, 200, "new") : entry(i, 200, "newer"));
  for (int n = 0; n < 3; ++n) {
    MemKv view(cluster.kv_storage(n));
    TableStore store = cluster.inspect_table(n, view);
    EXPECT_TRUE(store.merge_in(common, true).ok());
    if (n == 0) {
      EXPECT_TRUE(store.merge_in(extra, true).ok());
    }
  }
  std::vector<uint8_t> all(kPartitions);
  for (int p = 0; p < kPartitions; ++p) all[p] = static_cast<uint8_t>(p);
  Table& table = *cluster.node(1).table;
  const SyncStats before = table.sync_stats();
  bool done = false;
  cluster.node(1).spawner->spawn([](Table* t, NodeId peer, std::vector<uint8_t> parts, bool* done) -> Task<> {
    absl::Status s = co_await t->sync_with(peer, std::move(parts));
    EXPECT_TRUE(s.ok()) << s;
    *done = true;
  }(&table, cluster.id_of(0), all, &done));
  loop.run_until(absl::Seconds(60));
  EXPECT_TRUE(done);
  Cost c;
  c.rpcs = table.sync_stats().rpcs - before.rpcs;
  c.bytes = table.sync_stats().bytes - before.bytes;
  c.pulled = table.sync_stats().items_pulled - before.items_pulled;
  c.pushed = table.sync_stats().items_pushed - before.items_pushed;
  MemKv v0(cluster.kv_storage(0)), v1(cluster.kv_storage(1));
  TableStore s0 = cluster.inspect_table(0, v0), s1 = cluster.inspect_table(1, v1);
  c.converged = *s0.all_items() == *s1.all_items();
  for (int i = 0; i < 3; ++i) cluster.crash(i);
  return c;
}

TEST(TableSyncCost, DependsOnTheDifferencesNotTheTableSize) {
  std::printf("%8s %6s %6s %10s %7s\n", "items", "diff", "rpcs", "bytes", "pulled");
  std::map<std::pair<int, int>, Cost> costs;
  for (int total : {1000, 10000}) {
    for (int differing : {0, 1, 10, 100, 1000}) {
      Cost c = measure(total, differing);
      costs[std::make_pair(total, differing)] = c;
      std::printf("%8d %6d %6llu %10llu %7llu\n", total, differing, static_cast<unsigned long long>(c.rpcs),
                  static_cast<unsigned long long>(c.bytes), static_cast<unsigned long long>(c.pulled));
      EXPECT_TRUE(c.converged) << total << "/" << differing;
      EXPECT_EQ(c.pulled, static_cast<uint64_t>(differing));
    }
  }
  // Equal replicas: one request of 256 roots, nothing else.
  auto at = [&](int total, int d) { return costs[std::make_pair(total, d)]; };
  EXPECT_EQ(at(10000, 0).rpcs, 1u);
  // One difference: the roots, one walk of kMerkleDepth levels, the leaf, one read.
  EXPECT_LE(at(10000, 1).rpcs, 1u + kMerkleDepth + 2);
  // Ten times the table, the same differences: nearly the same cost (leaf lists grow a little).
  for (int d : {1, 10, 100}) {
    EXPECT_LT(at(10000, d).bytes, 2 * at(1000, d).bytes + 20000) << d;
  }
}

}  // namespace
}  // namespace garage::sim
