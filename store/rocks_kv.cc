#include "store/rocks_kv.h"

#include <rocksdb/db.h>
#include <rocksdb/options.h>
#include <rocksdb/perf_context.h>
#include <rocksdb/perf_level.h>
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

absl::StatusOr<std::unique_ptr<RocksKv>> RocksKv::open(const std::string& path, const RocksKvOptions& kv_options) {
  rocksdb::Options options;
  options.create_if_missing = true;
  options.paranoid_checks = true;  // refuse to open a corrupt database rather than guess
  options.IncreaseParallelism(2);
  options.OptimizeLevelStyleCompaction(kv_options.memtable_budget_bytes);
  options.manifest_preallocation_size = kv_options.manifest_preallocation_bytes;
  rocksdb::DB* raw = nullptr;
  rocksdb::Status s = rocksdb::DB::Open(options, path, &raw);
  if (!s.ok()) return to_status(s, absl::StrCat("cannot open ", path));
  return std::unique_ptr<RocksKv>(new RocksKv(std::unique_ptr<rocksdb::DB>(raw)));
}

RocksKv::RocksKv(std::unique_ptr<rocksdb::DB> db) : db_(std::move(db)) {
  compactor_ = std::thread([this] { compaction_loop(); });
}

RocksKv::~RocksKv() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  db_->DisableManualCompaction();  // a compaction under way stops at once rather than delay the exit
  compactor_.join();
  if (db_) (void)db_->Close();
}

void RocksKv::queue_compaction(std::string start, std::string end) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (queued_) {
      start = std::min(start, queued_->first);
      end = (end.empty() || queued_->second.empty()) ? std::string() : std::max(end, queued_->second);
    }
    queued_ = std::make_pair(std::move(start), std::move(end));
  }
  cv_.notify_all();
}

void RocksKv::compaction_loop() {
  std::unique_lock<std::mutex> lock(mu_);
  std::optional<std::chrono::steady_clock::time_point> last;
  while (true) {
    cv_.wait(lock, [this] { return stopping_ || queued_.has_value(); });
    if (stopping_) return;
    if (last && cv_.wait_until(lock, *last + kMinCompactionInterval, [this] { return stopping_; })) return;
    last = std::chrono::steady_clock::now();
    const auto [start, end] = std::move(*queued_);
    queued_.reset();
    running_ = true;
    lock.unlock();
    rocksdb::CompactRangeOptions options;
    // Markers are dropped only by a compaction into the bottom level; let others run meanwhile.
    options.bottommost_level_compaction = rocksdb::BottommostLevelCompaction::kForce;
    options.exclusive_manual_compaction = false;
    rocksdb::Slice begin_slice = slice(start);
    rocksdb::Slice end_slice = slice(end);
    // Failures only leave the markers in place (scans stay slower): nothing to report upward.
    (void)db_->CompactRange(options, &begin_slice, end.empty() ? nullptr : &end_slice);
    lock.lock();
    running_ = false;
    ++compactions_done_;
    cv_.notify_all();
  }
}

void RocksKv::wait_for_compactions() {
  std::unique_lock<std::mutex> lock(mu_);
  cv_.wait(lock, [this] { return stopping_ || (!queued_ && !running_); });
}

uint64_t RocksKv::compactions_done() {
  std::lock_guard<std::mutex> lock(mu_);
  return compactions_done_;
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
  rocksdb::SetPerfLevel(rocksdb::PerfLevel::kEnableCount);  // per thread: counts the markers stepped over
  const uint64_t skipped_before = rocksdb::get_perf_context()->internal_delete_skipped_count;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(options));
  std::vector<std::pair<std::string, std::string>> out;
  for (it->Seek(slice(start)); it->Valid() && out.size() < limit; it->Next()) {
    out.emplace_back(it->key().ToString(), it->value().ToString());
  }
  if (absl::Status s = to_status(it->status(), "scan"); !s.ok()) return s;
  const uint64_t skipped = rocksdb::get_perf_context()->internal_delete_skipped_count - skipped_before;
  if (skipped > kCompactAfterSkippedDeletes) {
    // The range crossed: up to where the iterator stopped (the next live key), else the bound.
    std::string crossed_end = it->Valid() ? it->key().ToString() : std::string(end);
    queue_compaction(std::string(start), std::move(crossed_end));
  }
  return out;
}

absl::Status RocksKv::sync() { return to_status(db_->SyncWAL(), "sync"); }

}  // namespace garage
