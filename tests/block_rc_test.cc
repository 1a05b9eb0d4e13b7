// Block reference counts (node/block/block_rc.h) kept by the block_ref table's schema
// (node/model/block_ref_schema.h): the count always equals the live block_ref entries stored,
// through merges, tombstone collection, dropped partitions and crashes; a count that falls to
// zero makes the block deletable gc_delay later and queues that moment; counts are built once
// for a store written before they existed.
#include "node/block/block_rc.h"

#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>

#include <map>

#include "node/model/block_ref_schema.h"
#include "node/table/table_store.h"
#include "store/mem_kv.h"

namespace garage {
namespace {

const absl::Duration kGcDelay = absl::Seconds(600);
const BlockRefSchema kSchema(kGcDelay);

std::string block(int i) { return std::string(31, 'h') + static_cast<char>('a' + i); }
std::string uuid(int i) { return std::string(15, 'u') + static_cast<char>('a' + i); }
TableItem ref(int b, int u, bool deleted) {
  return TableItem{make_tree_key(block(b), block(b) + uuid(u)), BlockRefEntry{deleted}.encode()};
}

// Live block_ref entries per block, recounted from what is stored.
std::map<std::string, uint64_t> recount(TableStore& store) {
  std::map<std::string, uint64_t> out;
  auto all = store.all_items();
  for (const TableItem& it : *all) {
    absl::StatusOr<BlockRefEntry> e = BlockRefEntry::decode(it.entry);
    if (e.ok() && !e->deleted) ++out[it.tree_key.substr(32, 32)];
  }
  return out;
}

void expect_counts_match(TableStore& store, BlockRc& rc, int blocks) {
  std::map<std::string, uint64_t> want = recount(store);
  for (int b = 0; b < blocks; ++b) {
    absl::StatusOr<BlockRefcount> got = rc.get(block(b));
    RC_ASSERT(got.ok());
    RC_ASSERT(got->count == want[block(b)]);
  }
}

TEST(BlockRc, CountsLiveReferencesAndQueuesTheDeadlineWhenTheLastGoes) {
  MemKvStorage storage;
  MemKv kv(storage);
  TableStore store(kv, kSchema);
  BlockRc rc(kv);
  ASSERT_TRUE(store.merge_in({ref(0, 0, false), ref(0, 1, false)}, true, 1000).ok());
  EXPECT_EQ(rc.get(block(0))->count, 2u);
  ASSERT_TRUE(store.merge_in({ref(0, 0, false)}, true, 1500).ok());  // again: no change
  EXPECT_EQ(rc.get(block(0))->count, 2u);
  ASSERT_TRUE(store.merge_in({ref(0, 0, true)}, true, 2000).ok());
  EXPECT_EQ(rc.get(block(0))->count, 1u);
  ASSERT_TRUE(store.merge_in({ref(0, 1, true)}, true, 3000).ok());
  absl::StatusOr<BlockRefcount> zero = rc.get(block(0));
  EXPECT_EQ(zero->count, 0u);
  EXPECT_EQ(zero->deletable_at_ms, 3000 + 600'000);
  // Queued for the deadline, not before; the incref check (at a quarter of gc_delay) came first.
  auto due_early = rc.due(3000 + 599'999, 100);
  ASSERT_TRUE(due_early.ok());
  for (const ResyncEntry& e : *due_early) EXPECT_LT(e.due_ms, 3000 + 600'000);
  auto due = rc.due(3000 + 600'000, 100);
  ASSERT_TRUE(due.ok());
  ASSERT_FALSE(due->empty());
  EXPECT_EQ(due->back().hash, block(0));
  EXPECT_EQ(due->back().due_ms, 3000 + 600'000);
  // A new reference cancels the deletion: the count is above zero again.
  ASSERT_TRUE(store.merge_in({ref(0, 2, false)}, true, 4000).ok());
  EXPECT_EQ(rc.get(block(0))->count, 1u);
}

TEST(BlockRc, ABlockStoredBeforeItsReferenceGetsGrace) {
  MemKvStorage storage;
  MemKv kv(storage);
  BlockRc rc(kv);
  KvBatch batch(kv);
  auto staged = BlockRc::stage_stored_unreferenced(batch, block(1), 5000, kGcDelay);
  ASSERT_TRUE(staged.ok());
  EXPECT_TRUE(*staged);
  ASSERT_TRUE(kv.write(batch.writes(), true).ok());
  EXPECT_EQ(rc.get(block(1))->deletable_at_ms, 5000 + 600'000);
  // Referenced blocks need nothing.
  TableStore store(kv, kSchema);
  ASSERT_TRUE(store.merge_in({ref(1, 0, false)}, true, 6000).ok());
  KvBatch again(kv);
  EXPECT_FALSE(*BlockRc::stage_stored_unreferenced(again, block(1), 7000, kGcDelay));
}

RC_GTEST_PROP(BlockRc, CountsEqualLiveEntriesThroughMergesCollectionDropsAndCrashes, ()) {
  MemKvStorage storage;
  const int blocks = 3, uuids = 4;
  const int steps = *rc::gen::inRange(1, 40);
  std::optional<MemKv> kv(std::in_place, storage);
  std::optional<TableStore> store(std::in_place, *kv, kSchema);
  std::optional<BlockRc> rc(std::in_place, *kv);
  for (int i = 0; i < steps; ++i) {
    const int what = *rc::gen::inRange(0, 10);
    const int b = *rc::gen::inRange(0, blocks), u = *rc::gen::inRange(0, uuids);
    if (what < 6) {
      const bool sync = *rc::gen::arbitrary<bool>();
      RC_ASSERT(store->merge_in({ref(b, u, *rc::gen::arbitrary<bool>())}, sync, 1000 * i).ok());
    } else if (what < 7) {
      // Tombstone collection: only a stored tombstone goes.
      auto cand = store->gc_candidates("", 100);
      RC_ASSERT(cand.ok());
      if (!cand->empty())
        RC_ASSERT(store->remove_if_hash(cand->front().tree_key, cand->front().hash, true, 1000 * i).ok());
    } else if (what < 8) {
      RC_ASSERT(store->drop_partition(partition_of(make_tree_key(block(b), "")), 100, false, 1000 * i).ok());
    } else {
      // A crash: unsynced batches are lost (some kept), entries and counts together.
      rc.reset();
      store.reset();
      kv.reset();
      storage.crash(*rc::gen::inRange<size_t>(0, 3));
      kv.emplace(storage);
      store.emplace(*kv, kSchema);
      rc.emplace(*kv);
    }
    expect_counts_match(*store, *rc, blocks);
  }
}

TEST(BlockRc, CountsAreBuiltOnceForAStoreWrittenBeforeThem) {
  MemKvStorage storage;
  MemKv kv(storage);
  const CrdtSchema<BlockRefEntry> plain(kBlockRefTable);  // as before counts existed
  TableStore old_store(kv, plain);
  ASSERT_TRUE(old_store.merge_in({ref(0, 0, false), ref(0, 1, false), ref(1, 0, true), ref(2, 3, false)}, true).ok());
  BlockRc rc(kv);
  EXPECT_FALSE(*rc.initialized());
  TableStore store(kv, kSchema);
  ASSERT_TRUE(build_block_refcounts_once(store, kv).ok());
  EXPECT_TRUE(*rc.initialized());
  EXPECT_EQ(rc.get(block(0))->count, 2u);
  EXPECT_EQ(rc.get(block(1))->count, 0u);
  EXPECT_EQ(rc.get(block(2))->count, 1u);
  ASSERT_TRUE(build_block_refcounts_once(store, kv).ok());  // a second call changes nothing
  EXPECT_EQ(rc.get(block(0))->count, 2u);
  auto referenced = rc.referenced("", 10);
  ASSERT_TRUE(referenced.ok());
  EXPECT_EQ(*referenced, (std::vector<std::string>{block(0), block(2)}));
}

// A rebuild cut by a crash (some of its batches written, some of those lost) and run again
// gives the live counts, never more (issue 25 point 7: adding onto what the first run left
// double-counted, and those blocks were never collected).
RC_GTEST_PROP(BlockRc, ARebuildCutByACrashThenRunAgainGivesTheLiveCounts, ()) {
  MemKvStorage storage;
  const int blocks = 4, uuids = 3;
  std::optional<MemKv> kv(std::in_place, storage);
  const CrdtSchema<BlockRefEntry> plain(kBlockRefTable);  // written before counts existed
  std::vector<TableItem> items;
  for (int b = 0; b < blocks; ++b)
    for (int u = 0; u < uuids; ++u)
      if (*rc::gen::arbitrary<bool>()) items.push_back(ref(b, u, *rc::gen::arbitrary<bool>()));
  {
    TableStore old_store(*kv, plain);
    RC_ASSERT(old_store.merge_in(items, /*sync=*/true).ok());
  }
  // The first run: some batches of live hashes (as the rebuild adds them), unsynced.
  {
    BlockRc first(*kv);
    const int batches = *rc::gen::inRange(0, 4);
    for (int i = 0; i < batches; ++i) {
      std::vector<std::string> live;
      for (const TableItem& it : items)
        if (!BlockRefEntry::decode(it.entry)->deleted && *rc::gen::arbitrary<bool>())
          live.push_back(it.tree_key.substr(32, 32));
      RC_ASSERT(first.add_counts(live).ok());
    }
  }
  kv.reset();
  storage.crash(*rc::gen::inRange<size_t>(0, 4));
  kv.emplace(storage);
  TableStore store(*kv, kSchema);
  RC_ASSERT(build_block_refcounts_once(store, *kv).ok());
  BlockRc rc(*kv);
  RC_ASSERT(*rc.initialized());
  expect_counts_match(store, rc, blocks);
}

// The resync worker forgets a count entry of zero only once its grace has passed: the grace a
// store_local just wrote for a block (stored before its reference) stays with it.
TEST(BlockRc, ForgettingAZeroCountKeepsAGraceNotYetPassed) {
  MemKvStorage storage;
  MemKv kv(storage);
  BlockRc rc(kv);
  KvBatch stored(kv);
  ASSERT_TRUE(*BlockRc::stage_stored_unreferenced(stored, block(0), 5000, kGcDelay));
  ASSERT_TRUE(kv.write(stored.writes(), true).ok());
  KvBatch early(kv);
  ASSERT_TRUE(BlockRc::stage_forget_if_zero(early, block(0), 5000 + 599'999).ok());
  EXPECT_TRUE(early.empty());
  KvBatch due(kv);
  ASSERT_TRUE(BlockRc::stage_forget_if_zero(due, block(0), 5000 + 600'000).ok());
  ASSERT_FALSE(due.empty());
  ASSERT_TRUE(kv.write(due.writes(), true).ok());
  EXPECT_EQ(rc.get(block(0))->deletable_at_ms, 0);  // gone: reads as the default
}

TEST(BlockRc, ADecrementBelowZeroIsRefusedWithTheWholeBatch) {
  MemKvStorage storage;
  MemKv kv(storage);
  KvBatch batch(kv);
  EXPECT_TRUE(absl::IsInternal(BlockRc::stage_ref_change(batch, block(0), -1, 0, kGcDelay)));
}

}  // namespace
}  // namespace garage
