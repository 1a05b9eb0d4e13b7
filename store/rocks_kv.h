// RocksKv: the Kv port on RocksDB, for production.
//
// One database per node under metadata_dir. Keys compare bytewise. write(batch, sync=true)
// syncs the WAL before returning; write(batch, false) then sync() gives group commit: many
// batches, one fsync. Errors (I/O, corruption) come back as Status with RocksDB's message.
//
//   absl::StatusOr<std::unique_ptr<RocksKv>> kv = RocksKv::open("/var/lib/garage/meta/db");
//   (*kv)->write({{"k", "v"}}, /*sync=*/true);
#pragma once

#include <memory>
#include <string>

#include "node/env.h"

namespace rocksdb {
class DB;
}

namespace garage {

class RocksKv final : public Kv {
 public:
  // Opens (creating if missing) the database at `path`.
  static absl::StatusOr<std::unique_ptr<RocksKv>> open(const std::string& path);
  ~RocksKv() override;

  absl::StatusOr<std::optional<std::string>> get(std::string_view key) override;
  absl::Status write(const std::vector<KvWrite>& batch, bool sync) override;
  absl::StatusOr<std::vector<std::pair<std::string, std::string>>> scan(std::string_view start, std::string_view end,
                                                                        size_t limit) override;
  absl::Status sync() override;

 private:
  explicit RocksKv(std::unique_ptr<rocksdb::DB> db);
  std::unique_ptr<rocksdb::DB> db_;
};

}  // namespace garage
