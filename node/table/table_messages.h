// The table RPC (RpcMethod::kTable): one versioned request type for every table operation.
//
// Request: u8 version (1), str table, u8 op, then the op's fields below. Replies are op-specific
// and encoded by the helpers here. Every list is bounded (kMaxTableBatch) so a peer cannot make
// us allocate without limit.
#pragma once

#include <array>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "node/hash.h"
#include "node/table/table_store.h"

namespace garage {

inline constexpr uint32_t kMaxTableBatch = 4096;

enum class TableOp : uint8_t {
  kWrite = 1,           // items -> ()
  kRead = 2,            // keys -> entries (optional each)
  kRange = 3,           // start, end, limit -> items
  kMerkleRoots = 4,     // partitions -> hashes
  kMerkleChildren = 5,  // partition, paths -> 16 hashes each
  kLeafItems = 6,       // partition, leaf paths -> (key, hash) lists
  kGcHave = 7,          // (key, hash) list -> bool each: do you hold exactly this?
  kGcRemove = 8,        // (key, hash) list -> (): remove where still equal
  kRangeLive = 9,       // as kRange, tombstones left out (TableStore::range_live)
};

struct TableRequest {
  static constexpr uint8_t kVersion = 1;
  std::string table;
  TableOp op = TableOp::kRead;
  std::vector<TableItem> items;     // kWrite
  std::vector<std::string> keys;    // kRead; paths for kMerkleChildren / kLeafItems
  std::vector<LeafItem> hashed;     // kGcHave, kGcRemove
  std::vector<uint8_t> partitions;  // kMerkleRoots
  uint8_t partition = 0;            // kMerkleChildren, kLeafItems
  std::string start, end;           // kRange, kRangeLive
  uint32_t limit = 0;               // kRange, kRangeLive

  std::string encode() const;
  static absl::StatusOr<TableRequest> decode(std::string_view bytes);
};

std::string encode_entries(const std::vector<std::optional<std::string>>& entries);
absl::StatusOr<std::vector<std::optional<std::string>>> decode_entries(std::string_view bytes);
std::string encode_items(const std::vector<TableItem>& items);
absl::StatusOr<std::vector<TableItem>> decode_items(std::string_view bytes);
std::string encode_hashes(const std::vector<Hash256>& hashes);
absl::StatusOr<std::vector<Hash256>> decode_hashes(std::string_view bytes);
std::string encode_leaves(const std::vector<std::vector<LeafItem>>& leaves);
absl::StatusOr<std::vector<std::vector<LeafItem>>> decode_leaves(std::string_view bytes);
std::string encode_bools(const std::vector<bool>& v);
absl::StatusOr<std::vector<bool>> decode_bools(std::string_view bytes);

}  // namespace garage
