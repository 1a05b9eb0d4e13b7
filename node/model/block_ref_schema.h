// BlockRefSchema: the block_ref table's schema, which moves each block's persistent reference
// count (node/block/block_rc.h) in the same batch as the block_ref entry that implies it.
//
// An entry is live while it is stored and not deleted. Every stored change (a merge, the
// collection of a tombstone, a dropped partition) compares liveness before and after and
// stages +1 or -1 on the count of the entry's block. The block hash is read from the sort
// key (hash + version uuid), so the block manager never reads the model's keys.
#pragma once

#include "absl/time/time.h"
#include "node/model/version.h"
#include "node/table/schema.h"
#include "node/table/table_store.h"

namespace garage {

class BlockRefSchema final : public CrdtSchema<BlockRefEntry> {
 public:
  // gc_delay: how long a block stays after its count falls to zero (BlockOptions::gc_delay).
  explicit BlockRefSchema(absl::Duration gc_delay) : CrdtSchema<BlockRefEntry>(kBlockRefTable), gc_delay_(gc_delay) {}

  absl::Status stage_local_effects(std::string_view tree_key, const std::optional<std::string>& before,
                                   const std::optional<std::string>& after, KvBatch& batch,
                                   int64_t now_ms) const override;

 private:
  absl::Duration gc_delay_;
};

// Builds the counts from the stored block_ref entries once, for a metadata store written
// before counts existed (or a fresh one: it only marks it built). Runs before the node serves.
absl::Status build_block_refcounts_once(TableStore& block_refs, Kv& kv);

}  // namespace garage
