#include "node/model/write_journal.h"

#include <cassert>

#include "absl/strings/str_cat.h"
#include "node/chaos.h"
#include "node/codec.h"
#include "node/hash.h"
#include "node/planted.h"
#include "node/runtime/combinators.h"

namespace garage {

namespace {
constexpr uint8_t kIntentVersion = 1;
constexpr size_t kUuidSize = 16;
const std::string kIntentPrefix = std::string("w\0i", 3);
const std::string kRefPrefix = std::string("w\0r", 3);

std::string intent_key(const std::string& uuid) { return kIntentPrefix + uuid; }
std::string ref_key(const std::string& uuid, const std::string& hash) { return kRefPrefix + uuid + hash; }

}  // namespace

std::string WriteIntent::encode() const {
  Encoder e;
  e.u8(kIntentVersion);
  e.u8(static_cast<uint8_t>(owner));
  e.str(version_uuid);
  e.str(bucket_id);
  e.str(key);
  e.str(upload_uuid);
  e.u32(part_number);
  e.i64(began_ms);
  return e.take();
}

absl::StatusOr<WriteIntent> WriteIntent::decode(std::string_view bytes) {
  Decoder d(bytes);
  d.version(kIntentVersion, kIntentVersion);
  WriteIntent w;
  const uint8_t owner = d.u8();
  if (owner != static_cast<uint8_t>(Owner::kObject) && owner != static_cast<uint8_t>(Owner::kPart))
    d.fail("write intent: unknown owner");
  w.owner = static_cast<Owner>(owner);
  w.version_uuid = d.str(kUuidSize);
  w.bucket_id = d.str(64);
  w.key = d.str(4096);
  w.upload_uuid = d.str(kUuidSize);
  w.part_number = d.u32();
  w.began_ms = d.i64();
  if (d.ok() && w.version_uuid.size() != kUuidSize) d.fail("write intent: version uuid is not 16 bytes");
  if (absl::Status s = d.finish(); !s.ok()) return s;
  return w;
}

// ---------------------------------------------------------------- JournaledWrite

JournaledWrite::~JournaledWrite() {
  if (journal_ != nullptr) journal_->abandon(intent_.version_uuid, recorded_);
}

absl::Status JournaledWrite::will_reference(const std::vector<std::string>& hashes) {
  assert(journal_ != nullptr);
  absl::Status s = journal_->add_refs(intent_, recorded_, hashes);
  if (s.ok()) recorded_ = true;
  return s;
}

void JournaledWrite::committed() {
  assert(journal_ != nullptr);
  journal_->forget(intent_.version_uuid, recorded_);
  journal_ = nullptr;
}

// ---------------------------------------------------------------- WriteJournal

WriteJournal::WriteJournal(Env env, Kv& kv, Spawner& spawner, Model& model, WriteJournalOptions options)
    : env_(env), kv_(kv), spawner_(spawner), model_(model), options_(options), started_at_(env.clock->now_monotonic()) {
  assert(options_.batch > 0);
  assert(options_.poll_interval > absl::ZeroDuration());
}

void WriteJournal::start() { spawner_.spawn(loop()); }

JournaledWrite WriteJournal::begin(WriteIntent intent) {
  assert(intent.version_uuid.size() == kUuidSize);
  intent.began_ms = absl::ToUnixMillis(env_.clock->now_wall());
  in_flight_.insert(intent.version_uuid);
  return JournaledWrite(*this, std::move(intent));
}

absl::Status WriteJournal::add_refs(const WriteIntent& intent, bool recorded, const std::vector<std::string>& hashes) {
  std::vector<KvWrite> batch;
  if (!recorded) batch.push_back(KvWrite::put(intent_key(intent.version_uuid), intent.encode()));
  for (const std::string& h : hashes) batch.push_back(KvWrite::put(ref_key(intent.version_uuid, h), ""));
  if (batch.empty()) return absl::OkStatus();
  return kv_.write(batch, options_.fsync);
}

void WriteJournal::forget(const std::string& uuid, bool recorded) {
  in_flight_.erase(uuid);
  if (!recorded) return;
  // Unsynced: if it is lost, the next run finds the version named and only drops the records.
  if (absl::Status s = drop_records(uuid); !s.ok())
    env_.tracer->event(Severity::kWarn, "WriteJournalForgetFailed", std::string(s.message()));
}

void WriteJournal::abandon(const std::string& uuid, bool recorded) {
  in_flight_.erase(uuid);
  if (!recorded) return;  // it referenced nothing
  abandoned_[uuid] = env_.clock->now_monotonic();
  probe(env_, "journal.write_abandoned");
}

absl::StatusOr<std::vector<std::string>> WriteJournal::refs_of(const std::string& uuid) const {
  const std::string start = kRefPrefix + uuid;
  const std::string end = kv_prefix_end(start);
  std::vector<std::string> hashes;
  std::string from = start;
  for (;;) {
    absl::StatusOr<std::vector<std::pair<std::string, std::string>>> page = kv_.scan(from, end, 1024);
    if (!page.ok()) return page.status();
    for (const auto& [k, v] : *page) hashes.push_back(k.substr(start.size()));
    if (page->size() < 1024) break;
    from = page->back().first + std::string(1, '\0');
  }
  return hashes;
}

absl::Status WriteJournal::drop_records(const std::string& uuid) {
  absl::StatusOr<std::vector<std::string>> hashes = refs_of(uuid);
  if (!hashes.ok()) return hashes.status();
  std::vector<KvWrite> batch{KvWrite::remove(intent_key(uuid))};
  for (const std::string& h : *hashes) batch.push_back(KvWrite::remove(ref_key(uuid, h)));
  return kv_.write(batch, /*sync=*/false);
}

absl::StatusOr<std::vector<WriteIntent>> WriteJournal::pending() const {
  absl::StatusOr<std::vector<std::pair<std::string, std::string>>> page =
      kv_.scan(kIntentPrefix, kv_prefix_end(kIntentPrefix), 100000);
  if (!page.ok()) return page.status();
  std::vector<WriteIntent> out;
  for (const auto& [k, v] : *page) {
    absl::StatusOr<WriteIntent> w = WriteIntent::decode(v);
    if (w.ok()) out.push_back(std::move(*w));
  }
  return out;
}

Task<absl::Status> WriteJournal::settle(const WriteIntent& intent) {
  absl::StatusOr<bool> named = false;
  if (intent.owner == WriteIntent::Owner::kObject) {
    named = co_await model_.object_names_version(intent.bucket_id, intent.key, intent.version_uuid);
  } else {
    named = co_await model_.upload_names_part(intent.upload_uuid, intent.version_uuid);
  }
  if (!named.ok()) {
    probe(env_, "journal.rollback_deferred");
    co_return named.status();
  }
  if (!*named && planted(options_.planted_skip_rollback)) co_return absl::OkStatus();
  if (!*named) {
    absl::StatusOr<std::vector<std::string>> hashes = refs_of(intent.version_uuid);
    if (!hashes.ok()) co_return hashes.status();
    // The block list first: if it was written, its tombstone's follow-ups release what it lists.
    VersionEntry gone;
    gone.uuid = intent.version_uuid;
    gone.deleted = true;
    absl::Status s = co_await model_.put_version(intent.version_uuid, std::move(gone));
    if (!s.ok()) co_return s;
    s = co_await model_.put_block_refs(std::move(*hashes), intent.version_uuid, /*deleted_ref=*/true);
    if (!s.ok()) co_return s;
    probe(env_, "journal.rolled_back");
    env_.tracer->event(Severity::kInfo, "WriteRolledBack",
                       absl::StrCat(to_hex(intent.version_uuid), " (",
                                    intent.owner == WriteIntent::Owner::kObject ? "object write" : "part upload", ")"));
  } else {
    probe(env_, "journal.found_committed");
  }
  abandoned_.erase(intent.version_uuid);
  co_return drop_records(intent.version_uuid);
}

Task<absl::StatusOr<size_t>> WriteJournal::roll_back_due() {
  const absl::Duration now = env_.clock->now_monotonic();
  absl::StatusOr<std::vector<std::pair<std::string, std::string>>> page =
      kv_.scan(kIntentPrefix, kv_prefix_end(kIntentPrefix), 100000);
  if (!page.ok()) co_return page.status();
  size_t settled = 0, tried = 0;
  for (const auto& [k, v] : *page) {
    if (tried == options_.batch) break;
    const std::string uuid = k.substr(kIntentPrefix.size());
    if (in_flight_.contains(uuid)) continue;
    auto a = abandoned_.find(uuid);
    const absl::Duration given_up = a != abandoned_.end() ? a->second : started_at_;
    if (now - given_up < options_.rollback_delay) continue;
    absl::StatusOr<WriteIntent> intent = WriteIntent::decode(v);
    ++tried;
    if (!intent.ok()) {
      // Unreadable: nothing to roll back safely from it. Kept for an operator, not retried.
      env_.tracer->event(Severity::kError, "WriteIntentCorrupt", std::string(intent.status().message()));
      abandoned_[uuid] = absl::InfiniteDuration();
      continue;
    }
    absl::Status s = co_await settle(*intent);
    if (s.ok()) {
      ++settled;
    } else {
      env_.tracer->event(Severity::kDebug, "WriteRollbackRetry", std::string(s.message()));
    }
  }
  co_return settled;
}

Task<> WriteJournal::loop() {
  for (;;) {
    absl::Status slept = co_await sleep_for(*env_.clock, options_.poll_interval);
    if (!slept.ok()) co_return;
    absl::StatusOr<size_t> n = co_await roll_back_due();
    if (!n.ok()) env_.tracer->event(Severity::kWarn, "WriteRollbackFailed", std::string(n.status().message()));
  }
}

}  // namespace garage
