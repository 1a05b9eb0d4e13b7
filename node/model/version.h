// The version table's entry: the block list of one object version (or of one multipart part
// upload), keyed by the version's uuid. Blocks are ordered by (part number, offset in part);
// a single PUT uses part 0. Merge is the union of blocks (each (part, offset) slot is written
// once, with the same block, by the one upload that owns the uuid); once deleted, a version
// holds no blocks and is a tombstone. Deleting a version drops its block references (a
// follow-up, node/table/schema.h): the replica that sees its blocks go queues the block_ref
// tombstones in the same batch.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "node/table/schema.h"

namespace garage {

inline constexpr char kVersionTable[] = "version";
inline constexpr char kBlockRefTable[] = "block_ref";

struct BlockInfo {
  std::string hash;  // 32 raw bytes
  uint32_t size = 0;
  bool operator==(const BlockInfo&) const = default;
};

struct VersionEntry {
  static constexpr uint8_t kVersion = 2;  // 2 added `uuid`; 1 still decodes (uuid empty)
  std::string uuid;                       // its own key, repeated: a deletion needs it to name the block references
  bool deleted = false;
  std::map<std::pair<uint32_t, uint64_t>, BlockInfo> blocks;  // (part, offset) -> block

  bool is_tombstone() const { return deleted; }
  void merge(const VersionEntry& other);
  // The follow-up that deletes version `uuid` (its tombstone, sent to the version table).
  static FollowUp deletion(const std::string& uuid);
  // The block_ref tombstones for the blocks that merging `incoming` into `before` deleted.
  static std::vector<FollowUp> follow_ups(const VersionEntry* before, const VersionEntry& incoming,
                                          const VersionEntry& merged);
  std::string encode() const;
  static absl::StatusOr<VersionEntry> decode(std::string_view bytes);
  bool operator==(const VersionEntry&) const = default;
};

// block_ref: partition key = block hash, sort key = version uuid. A block is referenced while
// some entry under its hash is not deleted; the block manager counts them (node/block).
struct BlockRefEntry {
  static constexpr uint8_t kVersion = 1;
  bool deleted = false;

  bool is_tombstone() const { return deleted; }
  void merge(const BlockRefEntry& other) { deleted = deleted || other.deleted; }
  std::string encode() const;
  static absl::StatusOr<BlockRefEntry> decode(std::string_view bytes);
  bool operator==(const BlockRefEntry&) const = default;
};

}  // namespace garage
