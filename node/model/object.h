// The object table's entry (DESIGN.md, "Data model"): every version of one object key.
//
// Partition key: the bucket id; sort key: the object key, so a bucket's objects list in key
// order from one partition. A version is identified by (timestamp, uuid) and moves forward
// through states uploading -> complete | aborted (complete wins a race with aborted);
// concurrent versions resolve by that order,
// the greatest complete version is the object's current value (last writer wins). Merge keeps
// the union of versions, the most advanced state of each, and drops every version older than
// the newest complete one: commutative, associative and idempotent (tests/model_test.cc).
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

enum class VersionState : uint8_t { kUploading = 0, kComplete = 1, kAborted = 2 };

// What a complete version holds.
struct ObjectMeta {
  uint64_t size = 0;
  std::string etag;  // without quotes
  std::vector<std::pair<std::string, std::string>> headers;  // content-type, x-amz-meta-*, ...
  std::optional<std::string> inline_data;  // small objects: the bytes themselves, no blocks
  std::string first_block;  // raw 32-byte hash of the first block (empty if inline or empty)
  int parts = 0;            // 0: single PUT; N: completed from N multipart parts
  bool operator==(const ObjectMeta&) const = default;
};

struct ObjectVersion {
  int64_t timestamp_ms = 0;
  std::string uuid;  // 16 raw bytes; also the version table's key for its block list
  VersionState state = VersionState::kUploading;
  bool delete_marker = false;  // a complete version that says "deleted"
  ObjectMeta meta;             // meaningful once complete (uploading: headers only)
  int64_t upload_started_ms = 0;

  std::pair<int64_t, std::string> order() const { return {timestamp_ms, uuid}; }
  bool operator==(const ObjectVersion&) const = default;
};

struct ObjectEntry {
  static constexpr uint8_t kVersion = 1;
  std::vector<ObjectVersion> versions;  // ordered by (timestamp, uuid), oldest first

  // The newest complete version, if it is not a delete marker.
  const ObjectVersion* current() const;
  const ObjectVersion* find(std::string_view uuid) const;
  int64_t newest_timestamp() const { return versions.empty() ? 0 : versions.back().timestamp_ms; }
  bool is_tombstone() const;
  void merge(const ObjectEntry& other);
  // Deletes the block lists of the versions a merge pruned for good (a newer complete version
  // exists): the version table's tombstone for each one that may own a block list. A version
  // merely aborted is not one: a CompleteMultipartUpload racing the abort still wins.
  static std::vector<FollowUp> follow_ups(const ObjectEntry* before, const ObjectEntry& incoming,
                                          const ObjectEntry& merged);
  std::string encode() const;
  static absl::StatusOr<ObjectEntry> decode(std::string_view bytes);
  bool operator==(const ObjectEntry&) const = default;

 private:
  void prune();
};

}  // namespace garage
