// BlockRc: each block's persistent reference count and the persistent resync queue, in the
// node's metadata Kv (DESIGN.md, "Blocks").
//
// Key layout (prefix "b\0", apart from every table's "t<name>\0"):
//   "b\0c" hash(32)                -> v1: u64 count, i64 deletable_at_ms
//   "b\0q" be64(due_ms) hash(32)   -> v1: u32 attempts          (a resync queue entry)
//
// count is the number of live (not deleted) block_ref entries for the hash that this node
// stores. It moves only through stage_ref_change(), which the block_ref table's schema calls
// from inside the batch that changes the block_ref entry (node/table/schema.h, local effects):
// an entry and the count it implies are never out of step, whatever crashes. When the count
// falls to zero the block becomes deletable `gc_delay` later and a queue entry for that time is
// staged in the same batch. A block stored while unreferenced here gets the same grace
// (stage_stored_unreferenced), so a copy that arrives before its reference is not collected.
// A count entry with count 0 and no block is removed by the resync worker.
//
// The queue is ordered by due time; an entry is a reminder to look at a hash, never a decision:
// the worker re-reads the count under the block's lock before it acts (node/block). Duplicate
// entries for one hash are harmless. Queue removals are not synced (a lost removal only makes
// the worker look again).
//
// Deadlines use the node's wall clock (they must survive restarts); a clock stepped forward
// by more than gc_delay shortens the grace (the count itself is never wrong).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "node/env.h"
#include "node/kv_batch.h"

namespace garage {

struct BlockRefcount {
  uint64_t count = 0;
  int64_t deletable_at_ms = 0;  // meaningful while count == 0
  bool operator==(const BlockRefcount&) const = default;
};

struct ResyncEntry {
  std::string queue_key;  // its Kv key (to remove it)
  std::string hash;       // 32 raw bytes
  int64_t due_ms = 0;
  uint32_t attempts = 0;
};

class BlockRc {
 public:
  explicit BlockRc(Kv& kv) : kv_(kv) {}

  // ---- inside a table batch (static: the schema holds no node state)
  // delta is +1 (a live reference appeared) or -1 (one went). A decrement below zero is a
  // broken invariant: InternalError, and the batch is refused.
  static absl::Status stage_ref_change(KvBatch& batch, std::string_view hash, int delta, int64_t now_ms,
                                       absl::Duration gc_delay);
  static void stage_enqueue(KvBatch& batch, std::string_view hash, int64_t due_ms, uint32_t attempts);

  // ---- the block manager's own batches
  absl::StatusOr<BlockRefcount> get(std::string_view hash);
  // A block was just stored here: if unreferenced, it may not be deleted before now + gc_delay.
  // Returns whether anything was staged.
  static absl::StatusOr<bool> stage_stored_unreferenced(KvBatch& batch, std::string_view hash, int64_t now_ms,
                                                        absl::Duration gc_delay);
  // Drops the count entry if its count is zero and its grace has passed as the batch sees it
  // (a reference that arrived meanwhile keeps it, and so does the grace of a block just stored).
  static absl::Status stage_forget_if_zero(KvBatch& batch, std::string_view hash, int64_t now_ms);

  // Queue entries due at or before now_ms, earliest first, at most `limit`.
  absl::StatusOr<std::vector<ResyncEntry>> due(int64_t now_ms, size_t limit);
  absl::StatusOr<size_t> queue_length(size_t limit);
  // Counts with count > 0, from `after` (exclusive, raw hash), at most `limit` (repair scans).
  absl::StatusOr<std::vector<std::string>> referenced(std::string_view after, size_t limit);
  // True once counts have been built for this Kv (rebuild_from below).
  absl::StatusOr<bool> initialized();
  // Rebuilds every count from the live block_ref hashes given: clear_counts, one add_counts per
  // batch of hashes, then finish_rebuild. For stores written before counts existed. Clearing
  // first makes a rebuild cut by a crash (some batches written, some lost) safe to run again.
  absl::Status clear_counts();
  absl::Status add_counts(const std::vector<std::string>& live_hashes);
  absl::Status finish_rebuild();

  static std::string count_key(std::string_view hash);
  static std::string queue_key(std::string_view hash, int64_t due_ms);
  static std::string encode(const BlockRefcount& rc);
  static absl::StatusOr<BlockRefcount> decode(std::string_view bytes);

 private:
  Kv& kv_;
};

}  // namespace garage
