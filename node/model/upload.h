// The mpu table's entry: one multipart upload's parts, keyed by the upload's uuid.
//
// An LwwMap (same encoding): "part:<nnnnn>" = "<part version uuid hex>|<etag>|<size>", one
// register per part number (a part uploaded again replaces the earlier one), and "ended" = "1"
// once the upload's object version stopped uploading (completed, aborted or pruned; the object
// table's follow-ups write it). Follow-ups release the parts' own block lists: a replaced part's
// at once, every part's when the upload ends (a completed upload's version lists the same
// blocks under its own uuid by then, so the data stays referenced).
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "node/table/lww.h"
#include "node/table/schema.h"

namespace garage {

inline constexpr char kMpuTable[] = "mpu";
inline constexpr char kUploadEndedField[] = "ended";

struct UploadEntry {
  LwwMap map;

  bool ended() const;
  // The part version uuids (raw bytes) by part field name.
  std::map<std::string, std::string> part_uuids() const;

  // An ended upload is a tombstone: collected once every replica holds it (its parts went with
  // the follow-ups of its end). Merge keeps it ended: the mark is only ever written as "1".
  bool is_tombstone() const { return ended(); }
  void merge(const UploadEntry& other) { map.merge(other.map); }
  std::string encode() const { return map.encode(); }
  static absl::StatusOr<UploadEntry> decode(std::string_view bytes);
  bool operator==(const UploadEntry&) const = default;

  // The "ended" mark the object table sends when an upload stops uploading.
  static UploadEntry ended_mark(int64_t stamp_ms);
  static std::vector<FollowUp> follow_ups(const UploadEntry* before, const UploadEntry& incoming,
                                          const UploadEntry& merged);
};

}  // namespace garage
