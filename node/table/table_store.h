// TableStore: one table's entries on this node, in the Kv, with a Merkle tree per partition.
//
// Items are keyed by a tree key: sha256(partition key) (32 bytes) followed by the sort key, so
// one partition key's entries are contiguous and ordered by sort key, and the item's partition
// is the tree key's first byte. Kv keys, under the prefix "t<name>\0":
//   "e" tree_key                    -> entry bytes
//   "i" p leaf(3) tree_key          -> item hash (the leaf index: which items a leaf holds)
//   "m" p level path(level)         -> Merkle node hash (absent: zero)
//   "g" tree_key                    -> item hash + i64 time marked (ms): a tombstone awaiting collection
//   "q" sha256(follow-up)           -> encoded FollowUp: a write to another table this table's
//                                      changes called for, not delivered yet (schema.h)
//   "l" tree_key                    -> "" : the live index, present exactly while the entry is
//                                      stored and is not a tombstone. range_live() reads it, so a
//                                      listing costs the page plus one seek however many
//                                      tombstones lie between live entries (deleted keys wait
//                                      gc_delay, 24 h, before collection). The Kv must make a
//                                      scan over its own removed keys cheap (store/rocks_kv.h).
//   "L"                             -> "" once the live index covers every entry: a table
//                                      stored by an older build is indexed in steps
//                                      (build_live_index_step()); range_live() reads the entries
//                                      themselves until then.
//
// The Merkle tree of partition p has fixed depth kMerkleDepth: a node at level l is named by the
// first l nibbles of sha256(tree_key); its hash is the XOR of the item hashes below it, where an
// item hash is sha256(tree_key, entry). XOR makes every update O(depth) with no sibling reads,
// and the hash independent of the order writes came in. (An XOR set-hash is weak against
// adversarially chosen items; replicas only hash entries they merged themselves, so it is used
// here for change detection, not for authentication.) Entry, index and tree change in one Kv
// batch: a crash never leaves them disagreeing.
#pragma once

#include <array>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "node/env.h"
#include "node/hash.h"
#include "node/kv_batch.h"
#include "node/table/schema.h"

namespace garage {

inline constexpr int kMerkleDepth = 3;  // 16^3 = 4096 leaves per partition

struct TableItem {
  std::string tree_key;
  std::string entry;
  bool operator==(const TableItem&) const = default;
};

struct LeafItem {
  std::string tree_key;
  Hash256 hash;
  bool operator==(const LeafItem&) const = default;
};

struct GcCandidate {
  std::string tree_key;
  Hash256 hash;
  int64_t marked_ms = 0;  // when this node first stored the tombstone (its wall clock)
};

struct QueuedFollowUp {
  std::string id;                     // its key in the queue
  std::optional<FollowUp> follow_up;  // nullopt: the stored bytes do not decode
};

// Simulation only (no config key reaches it): deliberately broken behaviour for checker tests.
struct TableStorePlantedBugs {
  bool merkle_skip_tombstones = false;  // tombstones left out of the Merkle tree and leaf index
  bool lose_follow_ups = false;         // follow-ups never queued (old versions keep their blocks)
};

// A Merkle node name: its partition and the nibble path from the partition root.
struct MerklePath {
  uint8_t partition = 0;
  std::string nibbles;  // each char is 0..15; size() is the level
  bool operator<(const MerklePath& o) const { return std::tie(partition, nibbles) < std::tie(o.partition, o.nibbles); }
  bool operator==(const MerklePath&) const = default;
};

std::string make_tree_key(std::string_view partition_key, std::string_view sort_key);
inline uint8_t partition_of(std::string_view tree_key) { return static_cast<uint8_t>(tree_key[0]); }
Hash256 item_hash(std::string_view tree_key, std::string_view entry);

class TableStore {
 public:
  TableStore(Kv& kv, const TableSchema& schema, TableStorePlantedBugs planted = {});

  const TableSchema& schema() const { return schema_; }
  absl::StatusOr<std::optional<std::string>> get(std::string_view tree_key);
  // Merges each item into what is stored (several items may share a key) in one atomic batch;
  // durable when it returns if `sync`, with the follow-ups the schema asks for queued in the
  // same batch. Returns the items whose stored entry changed, with the merged entry. Items that do not decode are
  // refused (the whole call fails, nothing written). `now_ms` stamps the collection mark of any tombstone stored.
  absl::StatusOr<std::vector<TableItem>> merge_in(const std::vector<TableItem>& items, bool sync, int64_t now_ms = 0);
  // The follow-ups queued by merge_in and not yet delivered, at most `limit`.
  absl::StatusOr<std::vector<QueuedFollowUp>> queued_follow_ups(size_t limit);
  absl::Status remove_follow_ups(const std::vector<std::string>& ids);
  // Entries with start <= tree_key < end (end empty: to the end of the table), at most `limit`.
  absl::StatusOr<std::vector<TableItem>> range(std::string_view start, std::string_view end, size_t limit);
  // The same, tombstones left out through the live index; until it is built, what range()
  // returns. Either way fewer than `limit` items means the range holds no more live entries.
  absl::StatusOr<std::vector<TableItem>> range_live(std::string_view start, std::string_view end, size_t limit);
  // Indexes up to `limit` entries of a table stored before the live index existed; true once
  // the index covers every entry (at once for a table it never missed). Entries changed
  // meanwhile are indexed by their change: steps and changes may interleave in any order.
  absl::StatusOr<bool> build_live_index_step(size_t limit);
  // Simulation and tests: removes table `name`'s live index and its mark (durably), leaving the
  // table as a build before the index would have.
  static absl::Status forget_live_index(Kv& kv, std::string_view name);

  absl::StatusOr<Hash256> merkle_node(const MerklePath& path);
  // The 16 children of an inner node (level < kMerkleDepth).
  absl::StatusOr<std::array<Hash256, 16>> merkle_children(const MerklePath& path);
  // The items under a leaf (level == kMerkleDepth).
  absl::StatusOr<std::vector<LeafItem>> leaf_items(const MerklePath& leaf);
  static MerklePath leaf_of(std::string_view tree_key);

  // Tombstones waiting for collection, in key order from `after` (exclusive).
  absl::StatusOr<std::vector<GcCandidate>> gc_candidates(std::string_view after, size_t limit);
  // Deletes the item only if its hash is still `expected` (a newer write wins over collection).
  // Returns whether it was deleted.
  absl::StatusOr<bool> remove_if_hash(std::string_view tree_key, const Hash256& expected, bool sync,
                                      int64_t now_ms = 0);

  // Removes up to `limit` items of a partition this node no longer stores; returns how many.
  absl::StatusOr<size_t> drop_partition(uint8_t partition, size_t limit, bool sync, int64_t now_ms = 0);

  // Every stored item (tests and simulation checkers only: a full scan).
  absl::StatusOr<std::vector<TableItem>> all_items();

 private:
  std::string key(char kind, std::string_view rest) const;
  std::string node_key(const MerklePath& path) const;
  // Adds to `batch` the writes that change item `tree_key` from `before` to `after`.
  absl::Status stage_change(KvBatch& batch, std::string_view tree_key, const std::optional<std::string>& before,
                            const std::optional<std::string>& after, int64_t now_ms);
  absl::StatusOr<bool> counts_in_tree(const std::optional<std::string>& entry) const;
  absl::StatusOr<bool> live_index_built();
  // Rows of one kind keyed by tree key, start <= tree key < end (end empty: to the last), as
  // (tree key, value) items.
  absl::StatusOr<std::vector<TableItem>> scan_tree_keys(char kind, std::string_view start, std::string_view end,
                                                        size_t limit);

  Kv& kv_;
  const TableSchema& schema_;
  std::string prefix_;
  TableStorePlantedBugs planted_;
  bool live_index_built_ = false;  // cached once the "L" mark is seen (it is never removed)
  std::string live_build_cursor_;  // where the next build step starts (tree key, inclusive)
};

}  // namespace garage
