// BlockManager: content-addressed data blocks (DESIGN.md, "Blocks").
//
// A block is at most block_size bytes, named by the SHA-256 of its content, stored as one file
// `ab/cd/<64 hex>` under data_dir (two levels of 256 folders keep directories small), and
// replicated on the replicas of the partition its hash falls in, like a table entry whose key
// is the hash.
// - put() writes to every replica of every active layout version and returns once a write
//   quorum of each has the block on stable storage (file fsync + directory fsync). Writers
//   write the block's reference (block_ref) first and the block after: a holder whose count
//   is above zero never deletes, and one that stores a block it has no reference for gives it
//   gc_delay of grace, so an acknowledged block is never collected under a racing PUT.
// - get() reads the local copy first, then the other holders one by one, those of our zone
//   first, then the holders of retired layout versions; every copy is re-hashed before it is
//   served: a corrupt copy is never returned; it is counted, kept (it may be the only one, and
//   the flips may have happened on the way from the disk) and overwritten from a good replica.
// - resync (a background worker) drains the persistent queue of node/block/block_rc.h: for a
//   hash that is due it fetches the block if this node should hold it and lacks it, hands it
//   over (keeping its own copy) if this node no longer holds its partition, and deletes it
//   once its count has been zero for gc_delay. Before a copy leaves this node, holders that
//   need it (count above zero, no copy; every holder, when this node is not one) are sent it.
//   Nothing is decided before the layout is loaded. The deletion decision is re-read under the
//   block's lock (KeyedMutex), which its writes take too: a write and a deletion of one block
//   never interleave. Failures are retried with exponential backoff.
// - repair_scan() queues every local block and every referenced hash: once after every start
//   (a disk emptied or replaced while the node was down is refilled), and on request.
// - scrub (a background loop) re-hashes stored blocks, at most scrub_bytes_per_second.
// Memory: one request holds one block; the worker holds one queue batch.
//
// Fault model it is tested under (sim/): crashes between any two steps (the count, the queue
// and the block_ref entry move in one batch; a crash after a file removal and before the queue
// entry's removal only repeats the step), lost unsynced writes, corrupt copies, partitions.
// Limits: a wall clock stepped forward by more than gc_delay shortens the grace of a block
// whose count is zero; a crash between a block's write and its grace entry leaves an orphan
// file (kept, never lost) until repair_scan.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "node/block/block_rc.h"
#include "node/env.h"
#include "node/rpc.h"
#include "node/runtime/keyed_mutex.h"
#include "node/runtime/spawner.h"
#include "node/table/replicas.h"
#include "node/table/table_store.h"

namespace garage {

struct BlockOptions {
  uint32_t block_size = 1u << 20;
  Quorums quorums{2, 2};
  bool fsync = true;  // data_fsync: sync each block file and its directory before acknowledging
  absl::Duration rpc_timeout = absl::Seconds(30);
  // How long the resync worker sleeps when nothing in its queue is due.
  absl::Duration resync_poll_interval = absl::Seconds(1);
  size_t resync_batch = 64;                             // queue entries handled per round
  absl::Duration resync_retry_min = absl::Seconds(10);  // backoff after a failed step, doubling
  absl::Duration resync_retry_max = absl::Hours(1);
  // How long a block stays after its count falls to zero (and the grace of a block stored
  // before its reference arrived). Must exceed the time a reference takes to reach every
  // replica after a PUT (anti-entropy covers the replicas a write quorum missed).
  absl::Duration gc_delay = absl::Minutes(10);
  // repair_scan() runs this long after every start (peers are known by then).
  absl::Duration repair_scan_after_start = absl::Seconds(5);
  uint64_t scrub_bytes_per_second = 16u << 20;
  absl::Duration scrub_interval = absl::Hours(1);
  bool planted_skip_verify = false;  // simulation only (node/planted.h): serve blocks unchecked
  // Simulation only: the old snapshot-then-delete pass. A resync round reads the counts of
  // every entry it will handle before handling any, and deletes on that snapshot, without the
  // block's lock and without reading the count again.
  bool planted_stale_gc = false;
};

struct BlockStats {
  uint64_t corrupt_found = 0;  // copies that failed their hash check (local or remote)
  uint64_t repaired = 0;       // local copies rewritten from another replica
  uint64_t resynced = 0;       // blocks fetched by the resync worker
  uint64_t deleted = 0;        // unreferenced blocks removed
  uint64_t dropped = 0;        // copies removed from a node no longer their holder (handed over)
  uint64_t offered = 0;        // copies sent to a holder that needed them before ours went
  uint64_t scrubbed = 0;       // blocks re-hashed by the scrub loop
  uint64_t queue_steps = 0;    // resync queue entries handled
  uint64_t queue_retries = 0;  // of which failed and were queued again
};

class BlockManager {
 public:
  BlockManager(Env env, Disk& data, Kv& meta, Spawner& spawner, ReplicaDirectory& replicas, BlockOptions options);

  const BlockOptions& options() const { return options_; }
  const BlockStats& stats() const { return stats_; }
  BlockRc& refcounts() { return rc_; }
  void register_rpcs(RpcRouter& router);
  void start();  // resync worker and scrub loop

  // `hash` is 32 raw bytes and must be the SHA-256 of `data` (checked). The caller has written
  // the block's reference first (see above).
  Task<absl::Status> put(std::string hash, std::string data);
  // NotFound if no holder has a good copy; DataLoss if the only copies found were corrupt.
  Task<absl::StatusOr<std::string>> get(std::string hash);

  // One round of each background job (tests call them directly). resync_once returns how many
  // queue entries it handled.
  Task<absl::StatusOr<size_t>> resync_once();
  Task<absl::Status> scrub_once();
  // Queues every local block and every referenced hash for a resync step; returns how many.
  Task<absl::StatusOr<size_t>> repair_scan();

  static std::string path_of(std::string_view hash);

 private:
  Task<absl::StatusOr<std::string>> handle(NodeId from, std::string payload);
  Task<absl::Status> store_local(std::string hash, std::string data);
  // The local copy, verified (condemned only when two reads agree on wrong bytes, or after
  // three wrong reads). A corrupt copy is counted and kept: a good copy from elsewhere
  // overwrites it.
  Task<absl::StatusOr<std::string>> read_local(std::string hash);
  Task<absl::StatusOr<std::string>> fetch_remote(std::string hash, bool include_self);
  Task<absl::StatusOr<bool>> verify(std::string hash, std::shared_ptr<std::string> data);
  std::vector<NodeId> holders(std::string_view hash);
  bool holds(std::string_view hash);
  Task<absl::StatusOr<std::string>> call(NodeId node, std::string payload);
  // Whether this node should hold `hash` and lacks it (the answer to a kNeed).
  Task<absl::StatusOr<bool>> needs(std::string hash);
  // Sends our copy to every other holder that needs it (every_holder: to every holder without
  // a verified copy); fails if one could not be asked or sent to.
  Task<absl::Status> offer_to_holders(std::string hash, bool every_holder);
  // One queue entry: fetch, hand over, delete, or nothing.
  Task<absl::Status> resync_step(std::string hash);
  Task<absl::Status> delete_if_unreferenced(std::string hash, bool is_holder);
  // The count resync_step decides on: the store's, or the round's snapshot (planted_stale_gc).
  absl::StatusOr<BlockRefcount> count_for_decision(std::string_view hash);
  // Drops the count entry of a block gone from this node, if nothing references it.
  absl::Status forget_if_zero(std::string_view hash);
  Task<absl::Status> scrub_blocks(std::vector<std::string> hashes);
  Task<> resync_loop();
  Task<> scrub_loop();
  // The block directories ("ab/cd") that exist: at most 65536 short names.
  Task<absl::StatusOr<std::vector<std::string>>> block_dirs();
  Task<absl::StatusOr<std::vector<std::string>>> local_blocks_in(std::string dir);
  int64_t now_ms() const;

  Env env_;
  Disk& disk_;
  Kv& meta_;
  BlockRc rc_;
  Spawner& spawner_;
  ReplicaDirectory& replicas_;
  BlockOptions options_;
  BlockStats stats_;
  KeyedMutex locks_;                                           // per block hash: its writes and its deletion
  std::map<std::string, BlockRefcount> planted_round_counts_;  // planted_stale_gc only
};

}  // namespace garage
