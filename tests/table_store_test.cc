// TableStore: merging, range reads, and the incremental Merkle tree against a recomputation.
#include "node/table/table_store.h"

#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>

#include <algorithm>
#include <set>

#include "absl/strings/str_cat.h"
#include "node/table/lww.h"
#include "store/mem_kv.h"

namespace garage {
namespace {

const CrdtSchema<LwwRegister> kSchema("test");

TableItem item(std::string pk, std::string sk, int64_t stamp, std::optional<std::string> value) {
  return TableItem{make_tree_key(pk, sk), LwwRegister{stamp, 0, std::move(value)}.encode()};
}

// The partition's Merkle root recomputed from the stored entries alone.
Hash256 recomputed_root(TableStore& store, uint8_t partition) {
  Hash256 h{};
  auto items = store.all_items();  // a named StatusOr: range-for over *temporary would dangle
  for (const TableItem& it : *items) {
    if (partition_of(it.tree_key) == partition) h = xor_hash(h, item_hash(it.tree_key, it.entry));
  }
  return h;
}

TEST(TableStore, MergeKeepsTheNewerEntryAndReportsChanges) {
  MemKvStorage storage;
  MemKv kv(storage);
  TableStore store(kv, kSchema);
  auto changed = store.merge_in({item("pk", "a", 10, "v10")}, true);
  ASSERT_TRUE(changed.ok());
  EXPECT_EQ(changed->size(), 1u);
  changed = store.merge_in({item("pk", "a", 5, "v5")}, true);  // older: no change
  ASSERT_TRUE(changed.ok());
  EXPECT_TRUE(changed->empty());
  auto got = store.get(make_tree_key("pk", "a"));
  ASSERT_TRUE(got.ok() && got->has_value());
  EXPECT_EQ(LwwRegister::decode(**got)->value, "v10");
  // Two writes to one key in one batch compose.
  changed = store.merge_in({item("pk", "b", 1, "x"), item("pk", "b", 2, "y")}, true);
  ASSERT_TRUE(changed.ok());
  EXPECT_EQ(LwwRegister::decode(**store.get(make_tree_key("pk", "b")))->value, "y");
}

TEST(TableStore, GarbageEntryRefusedAndNothingWritten) {
  MemKvStorage storage;
  MemKv kv(storage);
  TableStore store(kv, kSchema);
  auto r = store.merge_in({item("pk", "a", 1, "ok"), TableItem{make_tree_key("pk", "b"), "garbage"}}, true);
  EXPECT_FALSE(r.ok());
  EXPECT_TRUE(store.all_items()->empty());
  EXPECT_FALSE(store.merge_in({TableItem{"short", LwwRegister{}.encode()}}, true).ok());
}

TEST(TableStore, RangeReadsOnePartitionKeyInSortOrderWithLimit) {
  MemKvStorage storage;
  MemKv kv(storage);
  TableStore store(kv, kSchema);
  for (std::string sk : {"c", "a", "b", "d"}) ASSERT_TRUE(store.merge_in({item("bucket", sk, 1, sk)}, false).ok());
  ASSERT_TRUE(store.merge_in({item("other", "a", 1, "x")}, false).ok());
  const std::string pk_hash = make_tree_key("bucket", "");
  std::string end = pk_hash;
  end.back()++;  // sha256 bytes: the last is not 0xff for this fixed key (checked below)
  ASSERT_NE(static_cast<uint8_t>(pk_hash.back()), 0);
  auto rows = store.range(make_tree_key("bucket", "b"), end, 2);
  ASSERT_TRUE(rows.ok());
  ASSERT_EQ(rows->size(), 2u);
  EXPECT_EQ((*rows)[0].tree_key, make_tree_key("bucket", "b"));
  EXPECT_EQ((*rows)[1].tree_key, make_tree_key("bucket", "c"));
}

TEST(TableStore, RemoveIfHashOnlyRemovesTheExpectedVersion) {
  MemKvStorage storage;
  MemKv kv(storage);
  TableStore store(kv, kSchema);
  TableItem tomb = item("pk", "a", 5, std::nullopt);
  ASSERT_TRUE(store.merge_in({tomb}, true).ok());
  auto gc = store.gc_candidates("", 10);
  ASSERT_TRUE(gc.ok());
  ASSERT_EQ(gc->size(), 1u);
  EXPECT_EQ((*gc)[0].tree_key, tomb.tree_key);
  // A newer write arrives: the collector's expected hash no longer matches, nothing is removed.
  ASSERT_TRUE(store.merge_in({item("pk", "a", 6, "back")}, true).ok());
  EXPECT_FALSE(*store.remove_if_hash(tomb.tree_key, (*gc)[0].hash, true));
  EXPECT_TRUE(store.gc_candidates("", 10)->empty());  // no longer a tombstone
  ASSERT_TRUE(store.merge_in({item("pk", "a", 7, std::nullopt)}, true).ok());
  gc = store.gc_candidates("", 10);
  ASSERT_EQ(gc->size(), 1u);
  EXPECT_TRUE(*store.remove_if_hash(tomb.tree_key, (*gc)[0].hash, true));
  EXPECT_FALSE(store.get(tomb.tree_key)->has_value());
  EXPECT_TRUE(is_zero(*store.merkle_node(MerklePath{partition_of(tomb.tree_key), ""})));
}

TEST(TableStore, CrashKeepsEntryIndexAndTreeConsistent) {
  MemKvStorage storage;
  {
    MemKv kv(storage);
    TableStore store(kv, kSchema);
    ASSERT_TRUE(store.merge_in({item("pk", "a", 1, "durable")}, true).ok());
    ASSERT_TRUE(store.merge_in({item("pk", "b", 1, "lost")}, false).ok());
  }
  storage.crash(0);
  MemKv kv(storage);
  TableStore store(kv, kSchema);
  EXPECT_EQ(store.all_items()->size(), 1u);
  const uint8_t p = partition_of(make_tree_key("pk", "a"));
  EXPECT_EQ(*store.merkle_node(MerklePath{p, ""}), recomputed_root(store, p));
}

// Whatever order items arrive in, and however often, two stores end with the same entries, the
// same Merkle nodes, and roots equal to a recomputation from scratch.
RC_GTEST_PROP(TableStoreProps, MerkleIsOrderIndependentAndIncrementalIsExact, ()) {
  auto writes = *rc::gen::container<std::vector<std::tuple<int, int, int, bool>>>(rc::gen::tuple(
      rc::gen::inRange(0, 3), rc::gen::inRange(0, 4), rc::gen::inRange(0, 5), rc::gen::arbitrary<bool>()));
  std::vector<TableItem> items;
  for (auto [pk, sk, stamp, del] : writes) {
    items.push_back(item("pk" + std::to_string(pk), "sk" + std::to_string(sk), stamp,
                         del ? std::nullopt : std::optional<std::string>("v" + std::to_string(stamp))));
  }
  std::vector<TableItem> shuffled = items;
  std::reverse(shuffled.begin(), shuffled.end());
  shuffled.insert(shuffled.end(), items.begin(), items.begin() + items.size() / 2);  // duplicates
  MemKvStorage sa, sb;
  MemKv ka(sa), kb(sb);
  TableStore a(ka, kSchema), b(kb, kSchema);
  for (const TableItem& it : items) RC_ASSERT(a.merge_in({it}, false).ok());
  RC_ASSERT(b.merge_in(shuffled, false).ok());
  RC_ASSERT(*a.all_items() == *b.all_items());
  for (const TableItem& it : items) {
    const MerklePath leaf = TableStore::leaf_of(it.tree_key);
    RC_ASSERT(*a.merkle_node(leaf) == *b.merkle_node(leaf));
    RC_ASSERT(*a.merkle_node(MerklePath{leaf.partition, ""}) == recomputed_root(a, leaf.partition));
    auto leaf_items = a.leaf_items(leaf);
    RC_ASSERT(leaf_items.ok());
    Hash256 x{};
    for (const LeafItem& li : *leaf_items) x = xor_hash(x, li.hash);
    RC_ASSERT(x == *a.merkle_node(leaf));
  }
}

// Counts what a store reads from its Kv, to show what a listing costs.
class CountingKv final : public Kv {
 public:
  explicit CountingKv(Kv& inner) : inner_(inner) {}
  absl::StatusOr<std::optional<std::string>> get(std::string_view key) override {
    ++reads;
    return inner_.get(key);
  }
  absl::Status write(const std::vector<KvWrite>& batch, bool sync) override { return inner_.write(batch, sync); }
  absl::StatusOr<std::vector<std::pair<std::string, std::string>>> scan(std::string_view start, std::string_view end,
                                                                        size_t limit) override {
    auto rows = inner_.scan(start, end, limit);
    if (rows.ok()) reads += rows->size();
    return rows;
  }
  absl::Status sync() override { return inner_.sync(); }
  uint64_t reads = 0;

 private:
  Kv& inner_;
};

std::vector<std::string> keys_of(const std::vector<TableItem>& items) {
  std::vector<std::string> out;
  for (const TableItem& it : items) out.push_back(it.tree_key);
  return out;
}

// The entries that are not tombstones, from a full scan: what the live index must name.
std::vector<std::string> live_keys(TableStore& store) {
  std::vector<std::string> out;
  auto all = store.all_items();  // named: range-for over *temporary would dangle
  for (const TableItem& it : *all)
    if (!*kSchema.is_tombstone(it.entry)) out.push_back(it.tree_key);
  return out;
}

void forget_live_index(MemKv& kv) { ASSERT_TRUE(TableStore::forget_live_index(kv, kSchema.name()).ok()); }

TEST(TableStoreLiveIndex, AListingStepsOverTombstonesWithoutReadingThem) {
  MemKvStorage storage;
  MemKv mem(storage);
  CountingKv kv(mem);
  TableStore store(kv, kSchema);
  ASSERT_TRUE(*store.build_live_index_step(100));  // an empty table is indexed at once
  std::vector<TableItem> deleted;
  for (int i = 0; i < 10000; ++i) deleted.push_back(item("bucket", absl::StrCat("a", 10000 + i), 1, std::nullopt));
  ASSERT_TRUE(store.merge_in(deleted, false).ok());
  ASSERT_TRUE(store.merge_in({item("bucket", "b-live", 1, "v")}, false).ok());
  const std::string start = make_tree_key("bucket", "");
  kv.reads = 0;
  auto rows = store.range_live(start, "", 1);
  ASSERT_TRUE(rows.ok());
  EXPECT_EQ(keys_of(*rows), std::vector<std::string>{make_tree_key("bucket", "b-live")});
  EXPECT_LE(kv.reads, 3u);  // the index row and the entry (the plain range reads all 10,001)
  kv.reads = 0;
  EXPECT_EQ(store.range(start, "", 1)->size(), 1u);
  // The entry comes back to life, and dies again: the index follows.
  ASSERT_TRUE(store.merge_in({item("bucket", "a10005", 2, "back")}, false).ok());
  EXPECT_EQ(keys_of(*store.range_live(start, "", 5)),
            (std::vector<std::string>{make_tree_key("bucket", "a10005"), make_tree_key("bucket", "b-live")}));
  ASSERT_TRUE(store.merge_in({item("bucket", "a10005", 3, std::nullopt)}, false).ok());
  EXPECT_EQ(store.range_live(start, "", 5)->size(), 1u);
  // Collected tombstones and dropped partitions leave no index row behind.
  auto gc = store.gc_candidates("", 1);
  ASSERT_TRUE(store.remove_if_hash((*gc)[0].tree_key, (*gc)[0].hash, false).ok());
  EXPECT_EQ(*store.drop_partition(partition_of(start), 100000, false), 10000u);
  EXPECT_TRUE(store.range_live(start, "", 5)->empty());
  EXPECT_TRUE(mem.scan(std::string("ttest\0l", 7), std::string("ttest\0m", 7), 10)->empty());
}

TEST(TableStoreLiveIndex, UntilBuiltAListingReadsTheEntriesThemselves) {
  MemKvStorage storage;
  MemKv kv(storage);
  TableStore old_store(kv, kSchema);
  ASSERT_TRUE(old_store.merge_in({item("b", "x", 1, std::nullopt), item("b", "y", 1, "v")}, true).ok());
  forget_live_index(kv);
  TableStore store(kv, kSchema);
  auto rows = store.range_live(make_tree_key("b", ""), "", 10);  // tombstone included, live entry not lost
  EXPECT_EQ(keys_of(*rows), (std::vector<std::string>{make_tree_key("b", "x"), make_tree_key("b", "y")}));
  ASSERT_TRUE(*store.build_live_index_step(10));
  EXPECT_EQ(keys_of(*store.range_live(make_tree_key("b", ""), "", 10)),
            std::vector<std::string>{make_tree_key("b", "y")});
}

// A table stored before the index existed, indexed in steps of any size while writes go on, and
// a crash anywhere in between: once built the index names exactly the live entries.
RC_GTEST_PROP(TableStoreProps, LiveIndexBuiltInStepsWhileWritingNamesExactlyTheLiveEntries, ()) {
  auto gen_writes = [] {
    return rc::gen::container<std::vector<std::tuple<int, int, bool>>>(
        rc::gen::tuple(rc::gen::inRange(0, 40), rc::gen::inRange(0, 6), rc::gen::arbitrary<bool>()));
  };
  auto before = *gen_writes();
  auto during = *gen_writes();
  const size_t step = *rc::gen::inRange<size_t>(1, 8);
  bool crash = *rc::gen::arbitrary<bool>();
  auto as_item = [](const std::tuple<int, int, bool>& w) {
    auto [sk, stamp, del] = w;
    return item("pk", "sk" + std::to_string(sk), stamp, del ? std::nullopt : std::optional<std::string>("v"));
  };
  MemKvStorage storage;
  auto kv = std::make_unique<MemKv>(storage);
  {
    TableStore old_store(*kv, kSchema);
    for (const auto& w : before) RC_ASSERT(old_store.merge_in({as_item(w)}, true).ok());
    forget_live_index(*kv);
  }
  auto store = std::make_unique<TableStore>(*kv, kSchema);
  size_t next = 0;
  bool done = false;
  while (!done || next < during.size()) {
    if (next < during.size()) RC_ASSERT(store->merge_in({as_item(during[next++])}, true).ok());
    if (!done) {
      auto d = store->build_live_index_step(step);
      RC_ASSERT(d.ok());
      done = *d;
    }
    if (crash && next == during.size() / 2 && !done) {
      crash = false;
      storage.crash(0);  // unsynced build steps are lost; the restarted build begins again
      kv = std::make_unique<MemKv>(storage);
      store = std::make_unique<TableStore>(*kv, kSchema);
    }
  }
  auto rows = store->range_live(make_tree_key("pk", ""), "", SIZE_MAX);
  RC_ASSERT(rows.ok());
  RC_ASSERT(keys_of(*rows) == live_keys(*store));
}

}  // namespace
}  // namespace garage

namespace garage {
namespace {

// A register whose every new value asks table "target" to store it (under the value's key).
class FollowingSchema final : public TableSchema {
 public:
  std::string name() const override { return "following"; }
  absl::StatusOr<std::string> merge(std::string_view a, std::string_view b) const override {
    return kSchema.merge(a, b);
  }
  absl::StatusOr<bool> is_tombstone(std::string_view e) const override { return kSchema.is_tombstone(e); }
  absl::StatusOr<std::vector<FollowUp>> follow_ups(const std::optional<std::string>& before, std::string_view incoming,
                                                   std::string_view merged) const override {
    absl::StatusOr<LwwRegister> in = LwwRegister::decode(incoming);
    if (!in.ok()) return in.status();
    if (before && *before == merged) return std::vector<FollowUp>{};
    return std::vector<FollowUp>{FollowUp{"target", make_tree_key(in->value.value_or(""), ""), std::string(incoming)}};
  }
};

TEST(TableStoreFollowUps, QueuedWithTheChangeAndRemovedOnceDelivered) {
  MemKvStorage storage;
  MemKv kv(storage);
  const FollowingSchema schema;
  TableStore store(kv, schema);
  ASSERT_TRUE(store.merge_in({item("pk", "a", 1, "one"), item("pk", "b", 1, "two")}, true).ok());
  ASSERT_TRUE(store.merge_in({item("pk", "a", 1, "one")}, true).ok());  // no change: nothing more
  absl::StatusOr<std::vector<QueuedFollowUp>> q = store.queued_follow_ups(100);
  ASSERT_TRUE(q.ok());
  ASSERT_EQ(q->size(), 2u);
  std::set<std::string> keys;
  for (const QueuedFollowUp& f : *q) {
    ASSERT_TRUE(f.follow_up.has_value());
    EXPECT_EQ(f.follow_up->table, "target");
    keys.insert(f.follow_up->tree_key);
  }
  EXPECT_EQ(keys, (std::set<std::string>{make_tree_key("one", ""), make_tree_key("two", "")}));
  // The queue is not part of the table: no entry, no Merkle change.
  EXPECT_EQ(store.all_items()->size(), 2u);
  ASSERT_TRUE(store.remove_follow_ups({(*q)[0].id}).ok());
  EXPECT_EQ(store.queued_follow_ups(100)->size(), 1u);
  EXPECT_EQ(store.queued_follow_ups(100)->front().id, (*q)[1].id);
}

TEST(TableStoreFollowUps, SurviveACrashWithTheChangeOrNeither) {
  MemKvStorage storage;
  {
    MemKv kv(storage);
    const FollowingSchema schema;
    TableStore store(kv, schema);
    ASSERT_TRUE(store.merge_in({item("pk", "a", 1, "synced")}, /*sync=*/true).ok());
    ASSERT_TRUE(store.merge_in({item("pk", "b", 1, "unsynced")}, /*sync=*/false).ok());
  }
  storage.crash(0);  // every unsynced batch lost
  MemKv kv(storage);
  const FollowingSchema schema;
  TableStore store(kv, schema);
  absl::StatusOr<std::vector<QueuedFollowUp>> q = store.queued_follow_ups(100);
  ASSERT_TRUE(q.ok());
  ASSERT_EQ(q->size(), 1u);
  EXPECT_EQ(q->front().follow_up->tree_key, make_tree_key("synced", ""));
  EXPECT_FALSE(store.get(make_tree_key("pk", "b"))->has_value());
}

}  // namespace
}  // namespace garage
