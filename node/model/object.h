// The object table's entry (DESIGN.md, "Data model"): every version of one object key.
//
// Partition key: the bucket id; sort key: the object key, so a bucket's objects list in key
// order from one partition. A version is identified by (timestamp, uuid) and moves forward
// through states uploading -> aborted | upload-completed (a Complete wins a race with an
// Abort); a plain PUT writes a complete version at once. Concurrent versions resolve by that
// order: the greatest complete version is the object's current value (last writer wins).
//
// A multipart upload is independent of the object's current version, as in S3: a newer PUT
// does not end it. CompleteMultipartUpload writes, in one entry, the upload's own record as
// upload-completed (remembering the ETag it answered, so a repeated Complete answers the same)
// and a new complete version stamped above every version of the key, with a uuid of its own
// (each Complete attempt writes its block list under a fresh uuid: block lists merge by union,
// so an attempt cut short must never share one with a retry). Completions made before
// 2026-12-04 kept the upload's uuid; both read alike.
//
// Merge keeps the union of versions, the most advanced state of each, and then drops every
// complete version older than the newest complete one, and every other version stamped more
// than kUploadHorizonMs before it. Both rules depend only on a version's (timestamp, uuid) and
// on the newest complete version, which only moves forward: so merge stays commutative,
// associative and idempotent (tests/model_test.cc), and a version dropped on one replica is
// dropped on every replica that learns of it, whatever state it holds there (an ended upload
// cannot come back as uploading). This holds because a version's kind is fixed by its
// (timestamp, uuid): written complete, or an upload's record that never becomes complete in
// place. (Builds before 2026-12-02 completed records in place; an upload in progress across that
// upgrade may leave a stale record on one replica, which its Abort or the horizon clears.)
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "node/table/schema.h"

namespace garage {

inline constexpr char kObjectTable[] = "object";

enum class VersionState : uint8_t {
  kUploading = 0,
  kComplete = 1,
  kAborted = 2,
  // The record of an upload CompleteMultipartUpload turned into a complete version (a later
  // timestamp). Its meta holds the ETag answered; it owns no block list of its own.
  kUploadCompleted = 3,
};

// How long an upload record outlives newer versions of its key: an upload not completed within
// 7 days of a newer version is dropped (as a lifecycle AbortIncompleteMultipartUpload of 7 days
// would), and an ended upload's record (for a repeated Complete) goes with the same rule. A
// constant, not a tunable: every replica must merge alike.
inline constexpr int64_t kUploadHorizonMs = int64_t{7} * 24 * 3600 * 1000;

// What a complete version holds.
// What an object's stored headers may hold (the entry format's bounds; decoding refuses more).
// The S3 front end refuses a request past them before writing anything (s3/request_limits.h):
// S3's 2 KB of user metadata fits within, whatever the number of x-amz-meta-* headers.
inline constexpr size_t kMaxStoredHeaders = 4096;
inline constexpr size_t kMaxStoredHeaderName = 4096;
inline constexpr size_t kMaxStoredHeaderValue = 8192;

// An upload's record (ObjectMeta::checksum) while it is in progress: its object is to get a
// FULL_OBJECT checksum (no base64 value can be this).
inline constexpr char kFullObjectChecksumPending[] = "FULL_OBJECT";

struct ObjectMeta {
  uint64_t size = 0;
  std::string etag;                                          // without quotes
  std::vector<std::pair<std::string, std::string>> headers;  // content-type, x-amz-meta-*, ...
  std::optional<std::string> inline_data;                    // small objects: the bytes themselves, no blocks
  std::string first_block;  // raw 32-byte hash of the first block (empty if inline or empty)
  int parts = 0;            // 0: single PUT; N: completed from N multipart parts
  // The checksum the client sent with the object's bytes and the store verified (PutObject's
  // x-amz-checksum-*): S3's name of the algorithm ("CRC32", "CRC64NVME", "SHA256"...) and its
  // value in base64, as S3 answers it. Empty: none was sent. A multipart object's is made from
  // its parts' at completion: COMPOSITE ("<base64>-<parts>") or FULL_OBJECT (no suffix). While an
  // upload is in progress its record holds the algorithm asked for, and in `checksum`
  // kFullObjectChecksumPending if the object's is to be FULL_OBJECT.
  std::string checksum_algorithm;
  std::string checksum;
  bool operator==(const ObjectMeta&) const = default;
};

// A version's tags (x-amz-tagging, PutObjectTagging, DeleteObjectTagging): a last-writer-wins
// register beside the version's content, so that tagging a version merges with it on every
// replica without rewriting what it holds. The greater (set_ms, tags) wins; a version written
// with its tags has set_ms = its timestamp.
inline constexpr size_t kMaxStoredTags = 64;        // S3 allows 10 on an object
inline constexpr size_t kMaxStoredTagKey = 512;     // bytes: 128 characters of up to 4 bytes
inline constexpr size_t kMaxStoredTagValue = 1024;  // bytes: 256 characters
struct VersionTags {
  int64_t set_ms = 0;
  std::vector<std::pair<std::string, std::string>> tags;  // in the order given; keys unique
  bool empty() const { return set_ms == 0 && tags.empty(); }
  bool operator==(const VersionTags&) const = default;
};

struct ObjectVersion {
  int64_t timestamp_ms = 0;
  std::string uuid;  // 16 raw bytes; also the version table's key for its block list
  VersionState state = VersionState::kUploading;
  bool delete_marker = false;  // a complete version that says "deleted"
  ObjectMeta meta;             // meaningful once complete (uploading: headers only)
  int64_t upload_started_ms = 0;
  VersionTags tags;  // merged on its own (see VersionTags); an upload's record: given at its creation

  std::pair<int64_t, std::string> order() const { return {timestamp_ms, uuid}; }
  bool operator==(const ObjectVersion&) const = default;
};

struct ObjectEntry {
  // Format 2 adds each version's checksum and tags; an entry none of whose versions has either
  // is written in format 1, which builds before 2026-12-07 read.
  static constexpr uint8_t kVersion = 2;
  static constexpr uint8_t kFirstVersion = 1;
  std::vector<ObjectVersion> versions;  // ordered by (timestamp, uuid), oldest first

  // The newest complete version, if it is not a delete marker.
  const ObjectVersion* current() const;
  const ObjectVersion* find(std::string_view uuid) const;  // the oldest version with this uuid
  const ObjectVersion* find(const std::pair<int64_t, std::string>& order) const;
  // The multipart upload's own record (any state but complete), if the entry still holds it.
  const ObjectVersion* upload(std::string_view uuid) const;
  int64_t newest_timestamp() const { return versions.empty() ? 0 : versions.back().timestamp_ms; }
  bool is_tombstone() const;
  void merge(const ObjectEntry& other);
  // Deletes the block lists no version owns any more (a version pruned, or overwritten), and
  // marks ended the uploads that stopped uploading (their parts' lists go with the mark). An
  // aborted record keeps its possible list until pruned: a Complete racing the Abort still wins.
  static std::vector<FollowUp> follow_ups(const ObjectEntry* before, const ObjectEntry& incoming,
                                          const ObjectEntry& merged);
  std::string encode() const;
  static absl::StatusOr<ObjectEntry> decode(std::string_view bytes);
  bool operator==(const ObjectEntry&) const = default;

 private:
  void prune();
};

}  // namespace garage
