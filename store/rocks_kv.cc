#include "store/rocks_kv.h"

#include <rocksdb/db.h>
#include <rocksdb/options.h>
#include <rocksdb/write_batch.h>

#include "absl/strings/str_cat.h"

namespace garage {
namespace {

absl::Status to_status(const rocksdb::Status& s, std::string_view what) {
  if (s.ok()) return absl::OkStatus();
  const std::string msg = absl::StrCat("metadata db: ", std::string(what), ": ", s.ToString());
  if (s.IsCorruption()) return absl::DataLossError(msg);
  if (s.IsNoSpace()) return absl::ResourceExhaustedError(msg);
  if (s.IsNotFound()) return absl::NotFoundError(msg);
  if (s.IsInvalidArgument()) return absl::InvalidArgumentError(msg);
  return absl::InternalError(msg);
}

rocksdb::Slice slice(std::string_view s) { return rocksdb::Slice(s.data(), s.size()); }

}  // namespace

absl::StatusOr<std::unique_ptr<RocksKv>> RocksKv::open(const std::string& path) {
  rocksdb::Options options;
  options.create_if_missing = true;
  options.paranoid_checks = true;  // refuse to open a corrupt database rather than guess
  options.IncreaseParallelism(2);
  options.OptimizeLevelStyleCompaction();
  rocksdb::DB* raw = nullptr;
  rocksdb::Status s = rocksdb::DB::Open(options, path, &raw);
  if (!s.ok()) return to_status(s, absl::StrCat("cannot open ", path));
  return std::unique_ptr<RocksKv>(new RocksKv(std::unique_ptr<rocksdb::DB>(raw)));
}

RocksKv::RocksKv(std::unique_ptr<rocksdb::DB> db) : db_(std::move(db)) {}

RocksKv::~RocksKv() {
  if (db_) (void)db_->Close();
}

absl::StatusOr<std::optional<std::string>> RocksKv::get(std::string_view key) {
  std::string value;
  rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), slice(key), &value);
  if (s.IsNotFound()) return std::optional<std::string>();
  if (!s.ok()) return to_status(s, "get");
  return std::optional<std::string>(std::move(value));
}

absl::Status RocksKv::write(const std::vector<KvWrite>& batch, bool sync) {
  rocksdb::WriteBatch wb;
  for (const KvWrite& w : batch) {
    rocksdb::Status s = w.value.has_value() ? wb.Put(slice(w.key), slice(*w.value)) : wb.Delete(slice(w.key));
    if (!s.ok()) return to_status(s, "batch");
  }
  rocksdb::WriteOptions options;
  options.sync = sync;
  return to_status(db_->Write(options, &wb), "write");
}

absl::StatusOr<std::vector<std::pair<std::string, std::string>>> RocksKv::scan(std::string_view start,
                                                                               std::string_view end, size_t limit) {
  rocksdb::ReadOptions options;
  rocksdb::Slice upper = slice(end);
  if (!end.empty()) options.iterate_upper_bound = &upper;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(options));
  std::vector<std::pair<std::string, std::string>> out;
  for (it->Seek(slice(start)); it->Valid() && out.size() < limit; it->Next()) {
    out.emplace_back(it->key().ToString(), it->value().ToString());
  }
  if (absl::Status s = to_status(it->status(), "scan"); !s.ok()) return s;
  return out;
}

absl::Status RocksKv::sync() { return to_status(db_->SyncWAL(), "sync"); }

}  // namespace garage
