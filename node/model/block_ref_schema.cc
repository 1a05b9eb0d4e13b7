#include "node/model/block_ref_schema.h"

#include "node/block/block_rc.h"

namespace garage {

namespace {
absl::StatusOr<bool> live(const std::optional<std::string>& entry) {
  if (!entry) return false;
  absl::StatusOr<BlockRefEntry> e = BlockRefEntry::decode(*entry);
  if (!e.ok()) return e.status();
  return !e->deleted;
}

// The sort key starts with the block hash (node/model/model.h).
std::optional<std::string_view> block_of(std::string_view tree_key) {
  if (tree_key.size() < 64) return std::nullopt;
  return tree_key.substr(32, 32);
}
}  // namespace

absl::Status BlockRefSchema::stage_local_effects(std::string_view tree_key, const std::optional<std::string>& before,
                                                 const std::optional<std::string>& after, KvBatch& batch,
                                                 int64_t now_ms) const {
  absl::StatusOr<bool> was = live(before);
  if (!was.ok()) return was.status();
  absl::StatusOr<bool> is = live(after);
  if (!is.ok()) return is.status();
  if (*was == *is) return absl::OkStatus();
  std::optional<std::string_view> hash = block_of(tree_key);
  if (!hash) return absl::InvalidArgumentError("block_ref: sort key does not start with a block hash");
  return BlockRc::stage_ref_change(batch, *hash, *is ? 1 : -1, now_ms, gc_delay_);
}

absl::Status build_block_refcounts_once(TableStore& block_refs, Kv& kv) {
  BlockRc rc(kv);
  absl::StatusOr<bool> done = rc.initialized();
  if (!done.ok()) return done.status();
  if (*done) return absl::OkStatus();
  if (absl::Status s = rc.clear_counts(); !s.ok()) return s;  // what a rebuild cut short left
  constexpr size_t kBatch = 1024;
  std::string start;
  for (;;) {
    absl::StatusOr<std::vector<TableItem>> items = block_refs.range(start, "", kBatch);
    if (!items.ok()) return items.status();
    std::vector<std::string> live_hashes;
    for (const TableItem& it : *items) {
      std::optional<std::string> entry = it.entry;
      absl::StatusOr<bool> l = live(entry);
      std::optional<std::string_view> hash = block_of(it.tree_key);
      if (l.ok() && *l && hash) live_hashes.emplace_back(*hash);
    }
    if (absl::Status s = rc.add_counts(live_hashes); !s.ok()) return s;
    if (items->size() < kBatch) break;
    start = items->back().tree_key + '\0';
  }
  return rc.finish_rebuild();
}

}  // namespace garage
