// WriteJournal: this node's durable record of the object and part writes it is coordinating, so
// that a write cut short (the node killed, a quorum lost) gives its block references back
// instead of keeping its blocks forever.
//
// A PUT references each block before storing it (node/block/block_manager.h says why) and only
// then names its version in the object table. Killed in between, nothing names the version, and
// its references would stay. So, before a write references anything, the journal holds (in this
// node's Kv, outside every table):
//   intent  "w\0i" + version uuid          -> who will name the version: (bucket id, key) or
//                                             (upload uuid, part number), and when it began
//   ref     "w\0r" + version uuid + hash   -> a block this write referenced, written BEFORE the
//                                             reference (so none is ever missing)
// Once the owner names the version the write is committed and its records go. A write given up
// in this run (abandoned), or found from an earlier run, is rolled back after `rollback_delay`
// (so that its last RPCs have landed): if EVERY replica of the owner answers and none names the
// version (Model::object_names_version / upload_names_part), its references and version entry
// are tombstoned; if one names it, the records just go; if a replica cannot be reached, the
// next pass tries again. Rolling back a version that did commit and was superseded since only
// repeats what the object table's follow-ups already did.
//
// Journaled: PutObject, CopyObject, UploadPart(Copy), CompleteMultipartUpload (its new version).
// Not covered: a coordinator whose metadata is lost for good (a repair scan of block_ref would
// be needed, as Garage's `repair block-refs`).
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "node/env.h"
#include "node/model/model.h"
#include "node/runtime/spawner.h"

namespace garage {

struct WriteIntent {
  enum class Owner : uint8_t { kObject = 1, kPart = 2 };
  Owner owner = Owner::kObject;
  std::string version_uuid;  // 16 raw bytes
  std::string bucket_id;     // kObject
  std::string key;           // kObject
  std::string upload_uuid;   // kPart
  uint32_t part_number = 0;  // kPart
  int64_t began_ms = 0;      // wall clock, for operators

  std::string encode() const;
  static absl::StatusOr<WriteIntent> decode(std::string_view bytes);
  bool operator==(const WriteIntent&) const = default;
};

struct WriteJournalOptions {
  // How long after a write was given up, or after this node started (for the writes of an
  // earlier run), before it is rolled back. Must exceed how late a write RPC the coordinator
  // sent may still land on a replica (several RPC timeouts).
  absl::Duration rollback_delay = absl::Seconds(30);
  absl::Duration poll_interval = absl::Seconds(10);
  size_t batch = 64;                   // intents looked at per pass
  bool fsync = true;                   // metadata_fsync: records durable before the references they cover
  bool planted_skip_rollback = false;  // simulation only: cut writes keep their references
};

class WriteJournal;

// One journaled write. Its intent is written with its first reference (a write that
// references nothing, an inline object, costs no I/O). Forgets its records on committed();
// destroyed uncommitted, it hands the write to the rollback.
class JournaledWrite {
 public:
  JournaledWrite(WriteJournal& journal, WriteIntent intent) : journal_(&journal), intent_(std::move(intent)) {}
  JournaledWrite(JournaledWrite&& other) noexcept
      : journal_(std::exchange(other.journal_, nullptr)),
        intent_(std::move(other.intent_)),
        recorded_(other.recorded_) {}
  JournaledWrite& operator=(JournaledWrite&&) = delete;
  JournaledWrite(const JournaledWrite&) = delete;
  ~JournaledWrite();

  const std::string& uuid() const { return intent_.version_uuid; }
  // Call before writing the references to these blocks (durable when it returns OK).
  absl::Status will_reference(const std::vector<std::string>& hashes);
  // The owner now names the version (its write reached a quorum).
  void committed();

 private:
  WriteJournal* journal_;
  WriteIntent intent_;
  bool recorded_ = false;  // the intent is in the Kv
};

class WriteJournal {
 public:
  WriteJournal(Env env, Kv& kv, Spawner& spawner, Model& model, WriteJournalOptions options = {});

  // Spawns the rollback loop.
  void start();
  // A write about to begin (`intent.version_uuid`: 16 bytes, fresh).
  JournaledWrite begin(WriteIntent intent);
  // One rollback pass over due intents; how many were settled (rolled back or found committed).
  Task<absl::StatusOr<size_t>> roll_back_due();
  // Intents on record (tests, metrics).
  absl::StatusOr<std::vector<WriteIntent>> pending() const;

 private:
  friend class JournaledWrite;
  // The intent too unless `recorded`; one batch.
  absl::Status add_refs(const WriteIntent& intent, bool recorded, const std::vector<std::string>& hashes);
  void forget(const std::string& uuid, bool recorded);   // committed: drop the records
  void abandon(const std::string& uuid, bool recorded);  // given up: roll back once due
  Task<absl::Status> settle(const WriteIntent& intent);
  absl::StatusOr<std::vector<std::string>> refs_of(const std::string& uuid) const;
  absl::Status drop_records(const std::string& uuid);
  Task<> loop();

  Env env_;
  Kv& kv_;
  Spawner& spawner_;
  Model& model_;
  WriteJournalOptions options_;
  absl::Duration started_at_;
  std::set<std::string> in_flight_;                  // begun in this run, not yet ended
  std::map<std::string, absl::Duration> abandoned_;  // uuid -> when it was given up
};

}  // namespace garage
