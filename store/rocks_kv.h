// RocksKv: the Kv port on RocksDB, for production.
//
// One database per node under metadata_dir. Keys compare bytewise. write(batch, sync=true)
// syncs the WAL before returning; write(batch, false) then sync() gives group commit: many
// batches, one fsync. Errors (I/O, corruption) come back as Status with RocksDB's message.
//
// Deleted keys stay in RocksDB as deletion markers until a compaction reaches the bottom level,
// and every scan steps over them one by one: 100,000 deleted keys cost a scan about 12 ms
// before it finds the next live one (measured 2026-12-06). A scan that steps over more than
// kCompactAfterSkippedDeletes markers therefore queues a compaction of the range it crossed, run
// on this object's own thread (at most one per kMinCompactionInterval); once done the same scan
// costs a seek. The table layer's indexes
// that are mostly deleted (node/table/table_store.h: the live index, the follow-up queue) are
// kept fast that way, whatever the pattern of deletes.
//
//   absl::StatusOr<std::unique_ptr<RocksKv>> kv = RocksKv::open("/var/lib/garage/meta/db");
//   (*kv)->write({{"k", "v"}}, /*sync=*/true);
#pragma once

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "node/env.h"

namespace rocksdb {
class DB;
}

namespace garage {

struct RocksKvOptions {
  // RAM for memtables, as RocksDB's OptimizeLevelStyleCompaction splits it: a write buffer is a
  // quarter of it (up to six may be held while flushes run), and the write-ahead log reserves
  // 1.1 write buffers on disk ahead of its writes (fallocate). RocksDB's own budget, 512 MiB,
  // made an empty node take 145 MB in `du` (41 KB written) and allowed 768 MiB of memtables.
  // 64 MiB: 16 MiB write buffers, 18 MiB reserved.
  uint64_t memtable_budget_bytes = 64u << 20;
  // Disk reserved ahead for the MANIFEST (RocksDB's default: 4 MiB).
  uint64_t manifest_preallocation_bytes = 1u << 20;
};

class RocksKv final : public Kv {
 public:
  // Opens (creating if missing) the database at `path`.
  static absl::StatusOr<std::unique_ptr<RocksKv>> open(const std::string& path, const RocksKvOptions& options = {});
  ~RocksKv() override;

  absl::StatusOr<std::optional<std::string>> get(std::string_view key) override;
  absl::Status write(const std::vector<KvWrite>& batch, bool sync) override;
  absl::StatusOr<std::vector<std::pair<std::string, std::string>>> scan(std::string_view start, std::string_view end,
                                                                        size_t limit) override;
  absl::Status sync() override;

  // Deletion markers one scan may step over before its range is queued for compaction.
  static constexpr uint64_t kCompactAfterSkippedDeletes = 1000;
  // At most one such compaction per interval (ranges queued meanwhile merge): each flushes the
  // memtable if the range is in it, and a queue drained all the time (the tables' follow-ups)
  // would otherwise flush it every few thousand writes.
  static constexpr std::chrono::seconds kMinCompactionInterval{5};
  // Tests: waits until every queued compaction has run; how many ran so far.
  void wait_for_compactions();
  uint64_t compactions_done();

 private:
  explicit RocksKv(std::unique_ptr<rocksdb::DB> db);
  void queue_compaction(std::string start, std::string end);
  void compaction_loop();

  std::unique_ptr<rocksdb::DB> db_;
  // The compaction thread's state, under mu_. Queued ranges merge into one span: a compaction
  // of a wider range than needed costs more I/O, never correctness.
  std::mutex mu_;
  std::condition_variable cv_;
  std::optional<std::pair<std::string, std::string>> queued_;  // [start, end), end "" = no bound
  bool running_ = false;
  bool stopping_ = false;
  uint64_t compactions_done_ = 0;
  std::thread compactor_;
};

}  // namespace garage
