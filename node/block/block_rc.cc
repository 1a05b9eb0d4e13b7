#include "node/block/block_rc.h"

#include <cassert>

#include "absl/strings/str_cat.h"
#include "node/codec.h"

namespace garage {

namespace {
constexpr uint8_t kRcVersion = 1;
constexpr uint8_t kQueueVersion = 1;
const std::string kCountPrefix = std::string("b\0c", 3);
const std::string kQueuePrefix = std::string("b\0q", 3);
const std::string kInitializedKey = std::string("b\0init", 6);

std::string be64(uint64_t v) {
  std::string out(8, '\0');
  for (int i = 7; i >= 0; --i, v >>= 8) out[i] = static_cast<char>(v & 0xff);
  return out;
}

uint64_t from_be64(std::string_view s) {
  uint64_t v = 0;
  for (char c : s) v = (v << 8) | static_cast<uint8_t>(c);
  return v;
}

std::string encode_attempts(uint32_t attempts) {
  Encoder e;
  e.u8(kQueueVersion);
  e.u32(attempts);
  return e.take();
}

absl::StatusOr<BlockRefcount> read(KvBatch& batch, std::string_view hash) {
  absl::StatusOr<std::optional<std::string>> raw = batch.get(BlockRc::count_key(hash));
  if (!raw.ok()) return raw.status();
  if (!raw->has_value()) return BlockRefcount{};
  return BlockRc::decode(**raw);
}
}  // namespace

std::string BlockRc::count_key(std::string_view hash) { return kCountPrefix + std::string(hash); }

std::string BlockRc::queue_key(std::string_view hash, int64_t due_ms) {
  return kQueuePrefix + be64(static_cast<uint64_t>(std::max<int64_t>(due_ms, 0))) + std::string(hash);
}

std::string BlockRc::encode(const BlockRefcount& rc) {
  Encoder e;
  e.u8(kRcVersion);
  e.u64(rc.count);
  e.i64(rc.deletable_at_ms);
  return e.take();
}

absl::StatusOr<BlockRefcount> BlockRc::decode(std::string_view bytes) {
  Decoder d(bytes);
  d.version(kRcVersion, kRcVersion);
  BlockRefcount rc;
  rc.count = d.u64();
  rc.deletable_at_ms = d.i64();
  if (absl::Status s = d.finish(); !s.ok()) return s;
  return rc;
}

absl::Status BlockRc::stage_ref_change(KvBatch& batch, std::string_view hash, int delta, int64_t now_ms,
                                       absl::Duration gc_delay) {
  assert(delta == 1 || delta == -1);
  if (hash.size() != 32) return absl::InvalidArgumentError("block refcount: hash is not 32 bytes");
  absl::StatusOr<BlockRefcount> rc = read(batch, hash);
  if (!rc.ok()) return rc.status();
  if (delta > 0) {
    ++rc->count;
    rc->deletable_at_ms = 0;
    // A new reference: make sure this node holds the block if it should (it may have missed
    // the write). Soon, but after the PUT that wrote the reference has had time to send it.
    if (rc->count == 1) stage_enqueue(batch, hash, now_ms + absl::ToInt64Milliseconds(gc_delay) / 4, 0);
  } else {
    if (rc->count == 0) return absl::InternalError(absl::StrCat("block refcount below zero"));
    if (--rc->count == 0) {
      rc->deletable_at_ms = now_ms + absl::ToInt64Milliseconds(gc_delay);
      stage_enqueue(batch, hash, rc->deletable_at_ms, 0);
    }
  }
  batch.set(count_key(hash), encode(*rc));
  return absl::OkStatus();
}

void BlockRc::stage_enqueue(KvBatch& batch, std::string_view hash, int64_t due_ms, uint32_t attempts) {
  batch.set(queue_key(hash, due_ms), encode_attempts(attempts));
}

absl::StatusOr<BlockRefcount> BlockRc::get(std::string_view hash) {
  KvBatch view(kv_);
  return read(view, hash);
}

absl::StatusOr<bool> BlockRc::stage_stored_unreferenced(KvBatch& batch, std::string_view hash, int64_t now_ms,
                                                        absl::Duration gc_delay) {
  absl::StatusOr<BlockRefcount> rc = read(batch, hash);
  if (!rc.ok()) return rc.status();
  if (rc->count > 0) return false;
  const int64_t grace = now_ms + absl::ToInt64Milliseconds(gc_delay);
  if (rc->deletable_at_ms >= grace) return false;
  rc->deletable_at_ms = grace;
  batch.set(count_key(hash), encode(*rc));
  stage_enqueue(batch, hash, grace, 0);
  return true;
}

absl::Status BlockRc::stage_forget_if_zero(KvBatch& batch, std::string_view hash, int64_t now_ms) {
  const std::string key = count_key(hash);
  absl::StatusOr<std::optional<std::string>> raw = batch.get(key);
  if (!raw.ok()) return raw.status();
  if (!raw->has_value()) return absl::OkStatus();
  absl::StatusOr<BlockRefcount> rc = decode(**raw);
  if (rc.ok() && rc->count == 0 && rc->deletable_at_ms <= now_ms) batch.set(key, std::nullopt);
  return absl::OkStatus();
}

absl::StatusOr<std::vector<ResyncEntry>> BlockRc::due(int64_t now_ms, size_t limit) {
  const std::string end = absl::StrCat(kQueuePrefix, be64(static_cast<uint64_t>(std::max<int64_t>(now_ms, 0)) + 1));
  absl::StatusOr<std::vector<std::pair<std::string, std::string>>> rows = kv_.scan(kQueuePrefix, end, limit);
  if (!rows.ok()) return rows.status();
  std::vector<ResyncEntry> out;
  out.reserve(rows->size());
  for (auto& [k, v] : *rows) {
    ResyncEntry e;
    e.queue_key = k;
    if (k.size() == kQueuePrefix.size() + 8 + 32) {
      e.due_ms = static_cast<int64_t>(from_be64(std::string_view(k).substr(kQueuePrefix.size(), 8)));
      e.hash = k.substr(kQueuePrefix.size() + 8);
    }
    Decoder d(v);
    d.version(kQueueVersion, kQueueVersion);
    e.attempts = d.u32();
    if (!d.finish().ok()) e.attempts = 0;
    out.push_back(std::move(e));  // an entry with an empty hash is unusable: the worker drops it
  }
  return out;
}

absl::StatusOr<size_t> BlockRc::queue_length(size_t limit) {
  absl::StatusOr<std::vector<std::pair<std::string, std::string>>> rows =
      kv_.scan(kQueuePrefix, kv_prefix_end(kQueuePrefix), limit);
  if (!rows.ok()) return rows.status();
  return rows->size();
}

absl::StatusOr<std::vector<std::string>> BlockRc::referenced(std::string_view after, size_t limit) {
  std::string start = kCountPrefix + std::string(after);
  if (!after.empty()) start.push_back('\0');
  std::vector<std::string> out;
  while (out.size() < limit) {
    absl::StatusOr<std::vector<std::pair<std::string, std::string>>> rows =
        kv_.scan(start, kv_prefix_end(kCountPrefix), limit);
    if (!rows.ok()) return rows.status();
    for (auto& [k, v] : *rows) {
      absl::StatusOr<BlockRefcount> rc = decode(v);
      if (rc.ok() && rc->count > 0 && out.size() < limit) out.push_back(k.substr(kCountPrefix.size()));
    }
    if (rows->size() < limit) break;
    start = rows->back().first + '\0';
  }
  return out;
}

absl::StatusOr<bool> BlockRc::initialized() {
  absl::StatusOr<std::optional<std::string>> v = kv_.get(kInitializedKey);
  if (!v.ok()) return v.status();
  return v->has_value();
}

absl::Status BlockRc::clear_counts() {
  for (;;) {
    absl::StatusOr<std::vector<std::pair<std::string, std::string>>> rows =
        kv_.scan(kCountPrefix, kv_prefix_end(kCountPrefix), 1024);
    if (!rows.ok()) return rows.status();
    if (rows->empty()) return absl::OkStatus();
    std::vector<KvWrite> batch;
    for (const auto& [k, v] : *rows) batch.push_back(KvWrite::remove(k));
    if (absl::Status s = kv_.write(batch, /*sync=*/false); !s.ok()) return s;
  }
}

absl::Status BlockRc::add_counts(const std::vector<std::string>& live_hashes) {
  KvBatch batch(kv_);
  for (const std::string& h : live_hashes) {
    absl::StatusOr<BlockRefcount> rc = read(batch, h);
    if (!rc.ok()) return rc.status();
    ++rc->count;
    rc->deletable_at_ms = 0;
    batch.set(count_key(h), encode(*rc));
  }
  return kv_.write(batch.writes(), /*sync=*/false);
}

absl::Status BlockRc::finish_rebuild() {
  return kv_.write({KvWrite::put(kInitializedKey, std::string(1, '\1'))}, /*sync=*/true);
}

}  // namespace garage
