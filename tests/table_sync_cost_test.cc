// What anti-entropy costs after a partition: three simulated replicas hold N identical items,
// one of them also holds D items the others lack (or hold older), and one sync_with() exchange
// repairs it. The cost must depend on D, not on N: the Merkle walk skips equal subtrees.
// Prints the figures the README quotes (run it alone to see them).
#include <gtest/gtest.h>

#include <cstdio>

#include "absl/strings/str_cat.h"
#include "tests/sim_table_harness.h"

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
  TableCluster c;
  std::vector<TableItem> common, extra;
  for (int i = 0; i < total; ++i) common.push_back(entry(i, 100, "same"));
  // Half the differences are new items, half newer versions of common ones.
  for (int i = 0; i < differing; ++i) extra.push_back(i % 2 ? entry(total + i, 200, "new") : entry(i, 200, "newer"));
  for (int n = 0; n < 3; ++n) EXPECT_TRUE(c.merge_into(n, common).ok());
  EXPECT_TRUE(c.merge_into(0, extra).ok());
  std::vector<uint8_t> all(kPartitions);
  for (int p = 0; p < kPartitions; ++p) all[p] = static_cast<uint8_t>(p);
  Table& table = c.table(1);
  const SyncStats before = table.sync_stats();
  absl::Status s = c.run(1, table.sync_with(c.cluster().id_of(0), all));
  EXPECT_TRUE(s.ok()) << s;
  Cost cost;
  cost.rpcs = table.sync_stats().rpcs - before.rpcs;
  cost.bytes = table.sync_stats().bytes - before.bytes;
  cost.pulled = table.sync_stats().items_pulled - before.items_pulled;
  cost.pushed = table.sync_stats().items_pushed - before.items_pushed;
  cost.converged = c.all_items(0) == c.all_items(1);
  return cost;
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
