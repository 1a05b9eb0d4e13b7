// The replicated Table on a small simulated cluster: quorums, read repair, range reads,
// consistency modes, and bad input from a peer.
#include "node/table/table.h"

#include <gtest/gtest.h>

#include "tests/sim_table_harness.h"

namespace garage::sim {
namespace {

std::optional<std::string> value_of(const std::optional<std::string>& entry) {
  if (!entry) return std::nullopt;
  absl::StatusOr<LwwRegister> r = LwwRegister::decode(*entry);
  return r.ok() ? r->value : std::nullopt;
}

TEST(Table, WriteThroughOneNodeReadThroughAnother) {
  TableCluster c;
  TableItem item = lww_item("bucket", "a", 10, "hello");
  ASSERT_TRUE(c.run(0, c.table(0).insert({item})).ok());
  absl::StatusOr<std::optional<std::string>> got = c.run(2, c.table(2).get(item.tree_key));
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ(value_of(*got), "hello");
  c.settle();
  for (int n = 0; n < 3; ++n) EXPECT_EQ(value_of(c.stored(n, item.tree_key)), "hello") << n;
}

TEST(Table, QuorumUnreachableFailsClearlyAndDegradedModeStillReads) {
  TableOptions degraded = TableCluster::quiet_options();
  degraded.quorums = quorums_for(3, ConsistencyMode::kDegraded);
  for (bool is_degraded : {false, true}) {
    TableCluster c(3, is_degraded ? degraded : TableCluster::quiet_options());
    TableItem item = lww_item("bucket", "a", 10, "v");
    ASSERT_TRUE(c.run(0, c.table(0).insert({item})).ok());
    c.settle();
    c.cluster().network().cut(c.cluster().network().links_isolating_node(0));
    absl::Status w = c.run(0, c.table(0).insert({lww_item("bucket", "b", 11, "w")}));
    EXPECT_EQ(w.code(), absl::StatusCode::kUnavailable) << w;  // write quorum 2 in both modes
    EXPECT_NE(w.message().find("write quorum"), std::string::npos);
    absl::StatusOr<std::optional<std::string>> r = c.run(0, c.table(0).get(item.tree_key));
    if (is_degraded) {
      ASSERT_TRUE(r.ok()) << r.status();  // one replica (itself) is enough
      EXPECT_EQ(value_of(*r), "v");
    } else {
      EXPECT_EQ(r.status().code(), absl::StatusCode::kUnavailable);
    }
  }
}

TEST(Table, ReadRepairFixesStaleReplicas) {
  TableCluster c;
  TableItem old_item = lww_item("bucket", "k", 10, "old");
  TableItem new_item = lww_item("bucket", "k", 20, "new");
  for (int n = 0; n < 3; ++n) ASSERT_TRUE(c.merge_into(n, {old_item}).ok());
  ASSERT_TRUE(c.merge_into(1, {new_item}).ok());  // only node 1 has the newer write
  absl::StatusOr<std::optional<std::string>> got = c.run(0, c.table(0).get(new_item.tree_key));
  ASSERT_TRUE(got.ok());
  c.settle();
  // Whatever quorum answered first, once all have answered the merge is written back.
  for (int n = 0; n < 3; ++n) EXPECT_EQ(value_of(c.stored(n, new_item.tree_key)), "new") << n;
}

TEST(Table, RangeReadMergesReplicasInSortOrderWithALimit) {
  TableCluster c;
  // Each replica holds a different subset, and one holds a newer version of "c".
  ASSERT_TRUE(c.merge_into(0, {lww_item("bkt", "a", 1, "a"), lww_item("bkt", "c", 1, "c-old")}).ok());
  ASSERT_TRUE(c.merge_into(1, {lww_item("bkt", "b", 1, "b"), lww_item("bkt", "c", 2, "c-new")}).ok());
  ASSERT_TRUE(c.merge_into(2, {lww_item("bkt", "d", 1, "d"), lww_item("other", "a", 1, "x")}).ok());
  const std::string start = make_tree_key("bkt", "");
  std::string end = start;
  end.back() = static_cast<char>(static_cast<uint8_t>(end.back()) + 1);  // the next partition key hash
  ASSERT_NE(static_cast<uint8_t>(start.back()), 0xff);
  // Isolate one replica so that exactly the other two answer, and check the exact merge.
  auto range_without = [&](int cut_node, uint32_t limit) {
    c.cluster().network().heal_all();
    c.cluster().network().cut(c.cluster().network().links_isolating_node(cut_node));
    absl::StatusOr<std::vector<TableItem>> rows = c.run(0, c.table(0).get_range(start, end, limit));
    std::vector<std::string> out;
    EXPECT_TRUE(rows.ok()) << rows.status();
    if (rows.ok())
      for (const TableItem& it : *rows) out.push_back(value_of(it.entry).value_or("?"));
    return out;
  };
  EXPECT_EQ(range_without(2, 3), (std::vector<std::string>{"a", "b", "c-new"}));
  EXPECT_EQ(range_without(2, 2), (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(range_without(1, 10), (std::vector<std::string>{"a", "c-old", "d"}));  // never another key's items
  c.cluster().network().heal_all();
  EXPECT_FALSE(c.run(0, c.table(0).get_range(start, end, 0)).ok());  // limit out of bounds
}

// A listing of live entries must not bring back a key a quorum deleted: a replica that missed
// the delete sends the key, the one holding the tombstone leaves it out, and its entry is read.
TEST(Table, LiveRangeReadLetsATombstoneWinOverAStaleReplica) {
  TableCluster c;
  ASSERT_TRUE(c.merge_into(0, {lww_item("bkt", "gone", 1, "old"), lww_item("bkt", "kept", 1, "k")}).ok());
  ASSERT_TRUE(c.merge_into(1, {lww_item("bkt", "gone", 2, std::nullopt), lww_item("bkt", "kept", 1, "k")}).ok());
  ASSERT_TRUE(c.merge_into(2, {lww_item("bkt", "gone", 2, std::nullopt), lww_item("bkt", "new", 1, "n")}).ok());
  const std::string start = make_tree_key("bkt", "");
  std::string end = start;
  end.back() = static_cast<char>(static_cast<uint8_t>(end.back()) + 1);
  auto live_range_without = [&](int cut_node, uint32_t limit) {
    c.cluster().network().heal_all();
    c.cluster().network().cut(c.cluster().network().links_isolating_node(cut_node));
    const int asker = cut_node == 0 ? 1 : 0;
    absl::StatusOr<std::vector<TableItem>> rows = c.run(asker, c.table(asker).get_live_range(start, end, limit));
    std::vector<std::string> out;
    EXPECT_TRUE(rows.ok()) << rows.status();
    if (rows.ok())
      for (const TableItem& it : *rows) out.push_back(value_of(it.entry).value_or("(deleted)"));
    return out;
  };
  // Nodes 0 and 1 answer: "gone" comes back as the tombstone node 1 holds.
  EXPECT_EQ(live_range_without(2, 10), (std::vector<std::string>{"(deleted)", "k"}));
  // Nodes 0 and 2: node 2 leaves out "kept" (it has none) and "gone" (deleted): read, merged.
  EXPECT_EQ(live_range_without(1, 10), (std::vector<std::string>{"(deleted)", "k", "n"}));
  EXPECT_EQ(live_range_without(1, 2), (std::vector<std::string>{"(deleted)", "k"}));
  // Nodes 1 and 2 agree that "gone" is deleted: neither sends it (node 1 asks).
  EXPECT_EQ(live_range_without(0, 10), (std::vector<std::string>{"k", "n"}));
}

TEST(Table, GarbageFromAPeerIsRefusedAndNothingIsStored) {
  TableCluster c;
  TableRequest req;
  req.table = kDebugKvTable;
  req.op = TableOp::kWrite;
  req.items = {TableItem{make_tree_key("bkt", "a"), "not an entry"}};
  absl::StatusOr<std::string> r = c.run(1, c.table(1).handle(c.cluster().id_of(0), req));
  EXPECT_FALSE(r.ok());
  req.op = TableOp::kMerkleChildren;
  req.keys = {std::string(1, '\x20')};  // a nibble must be < 16
  EXPECT_FALSE(c.run(1, c.table(1).handle(c.cluster().id_of(0), req)).ok());
  req.op = TableOp::kLeafItems;
  req.keys = {"ab"};  // not a leaf path
  EXPECT_FALSE(c.run(1, c.table(1).handle(c.cluster().id_of(0), req)).ok());
  EXPECT_TRUE(c.all_items(1).empty());
  EXPECT_FALSE(TableRequest::decode("\x01garbage").ok());
}

TEST(Table, AntiEntropyConvergesAfterAPartitionWithoutReads) {
  TableOptions o = TableCluster::quiet_options();
  o.sync_interval = absl::Seconds(5);
  TableCluster c(3, o);
  c.cluster().network().cut(c.cluster().network().links_isolating_node(2));
  std::vector<TableItem> items;
  for (int i = 0; i < 50; ++i) items.push_back(lww_item("bkt", absl::StrCat("k", i), 1, "v"));
  ASSERT_TRUE(c.run(0, c.table(0).insert(items)).ok());  // nodes 0 and 1 are a quorum
  c.settle(absl::Seconds(2));
  EXPECT_TRUE(c.all_items(2).empty());
  c.cluster().network().heal_all();
  c.settle(absl::Seconds(20));
  EXPECT_EQ(c.all_items(2), c.all_items(0));
  EXPECT_EQ(c.all_items(2).size(), 50u);
}

}  // namespace
}  // namespace garage::sim
