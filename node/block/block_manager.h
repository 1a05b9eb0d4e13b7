// BlockManager: content-addressed data blocks (DESIGN.md, "Blocks").
//
// A block is at most block_size bytes, named by the SHA-256 of its content, stored as one file
// `ab/cd/<64 hex>` under data_dir (two levels of 256 folders keep directories small), and
// replicated on the replicas of the partition its hash falls in, like a table entry whose key
// is the hash.
// - put() writes to every replica of every active layout version and returns once a write
//   quorum of each has the block on stable storage (file fsync + directory fsync).
// - get() reads the local copy first, then the other holders one by one, those of our zone
//   first; every copy is re-hashed before it is served: a corrupt copy is never returned, it
//   is counted, deleted and rewritten from a good replica.
// - resync (a background loop) walks the block_ref entries this node holds and fetches every
//   referenced block it lacks (after a restart, a lost disk, a layout change); it drops blocks
//   of partitions it no longer holds once every holder confirms a verified copy, and deletes
//   local blocks that have had no live reference for gc_delay.
// - scrub (a background loop) re-hashes stored blocks, at most scrub_bytes_per_second.
// Memory: one request holds one block.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "node/env.h"
#include "node/rpc.h"
#include "node/runtime/spawner.h"
#include "node/table/replicas.h"
#include "node/table/table.h"

namespace garage {

struct BlockOptions {
  uint32_t block_size = 1u << 20;
  Quorums quorums{2, 2};
  bool fsync = true;  // data_fsync: sync each block file and its directory before acknowledging
  absl::Duration rpc_timeout = absl::Seconds(30);
  absl::Duration resync_interval = absl::Minutes(1);
  absl::Duration gc_delay = absl::Minutes(10);
  uint64_t scrub_bytes_per_second = 16u << 20;
  bool planted_skip_verify = false;  // simulation only (node/planted.h): serve blocks unchecked
};

struct BlockStats {
  uint64_t corrupt_found = 0;  // copies that failed their hash check (local or remote)
  uint64_t repaired = 0;       // local copies rewritten from another replica
  uint64_t resynced = 0;       // blocks fetched by the resync loop
  uint64_t deleted = 0;        // unreferenced blocks removed
  uint64_t dropped = 0;        // blocks handed over to their new holders after a layout change
  uint64_t scrubbed = 0;       // blocks re-hashed by the scrub loop
};

class BlockManager {
 public:
  BlockManager(Env env, Disk& disk, Spawner& spawner, ReplicaDirectory& replicas, Table& block_refs,
               BlockOptions options);

  const BlockOptions& options() const { return options_; }
  const BlockStats& stats() const { return stats_; }
  void register_rpcs(RpcRouter& router);
  void start();  // resync and scrub loops

  // `hash` is 32 raw bytes and must be the SHA-256 of `data` (checked).
  Task<absl::Status> put(std::string hash, std::string data);
  // NotFound if no holder has a good copy; DataLoss if the only copies found were corrupt.
  Task<absl::StatusOr<std::string>> get(std::string hash);

  // One pass of each background job (tests call them directly).
  Task<absl::Status> resync_once();
  Task<absl::Status> scrub_once();

  static std::string path_of(std::string_view hash);

 private:
  Task<absl::StatusOr<std::string>> handle(NodeId from, std::string payload);
  Task<absl::Status> store_local(std::string hash, std::string data);
  // The local copy, verified. A corrupt copy is removed (and counted).
  Task<absl::StatusOr<std::string>> read_local(std::string hash);
  Task<absl::StatusOr<std::string>> fetch_remote(std::string hash, bool include_self);
  Task<absl::StatusOr<bool>> verify(std::string hash, std::shared_ptr<std::string> data);
  std::vector<NodeId> holders(std::string_view hash);
  Task<absl::StatusOr<std::string>> call(NodeId node, std::string payload);
  Task<absl::StatusOr<std::vector<std::string>>> local_blocks();
  Task<> resync_loop();
  Task<> scrub_loop();

  Env env_;
  Disk& disk_;
  Spawner& spawner_;
  ReplicaDirectory& replicas_;
  Table& block_refs_;
  BlockOptions options_;
  BlockStats stats_;
  std::map<std::string, absl::Duration> unreferenced_since_;  // hash -> monotonic time first seen
};

}  // namespace garage
