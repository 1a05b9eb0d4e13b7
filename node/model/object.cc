#include "node/model/object.h"

#include <algorithm>
#include <set>

#include "node/codec.h"
#include "node/model/upload.h"
#include "node/model/version.h"
#include "node/table/table_store.h"

namespace garage {

const ObjectVersion* ObjectEntry::current() const {
  for (auto it = versions.rbegin(); it != versions.rend(); ++it) {
    if (it->state != VersionState::kComplete) continue;
    return it->delete_marker ? nullptr : &*it;
  }
  return nullptr;
}

const ObjectVersion* ObjectEntry::find(std::string_view uuid) const {
  for (const ObjectVersion& v : versions)
    if (v.uuid == uuid) return &v;
  return nullptr;
}

const ObjectVersion* ObjectEntry::find(const std::pair<int64_t, std::string>& order) const {
  for (const ObjectVersion& v : versions)
    if (v.order() == order) return &v;
  return nullptr;
}

const ObjectVersion* ObjectEntry::upload(std::string_view uuid) const {
  for (const ObjectVersion& v : versions)
    if (v.uuid == uuid && v.state != VersionState::kComplete) return &v;
  return nullptr;
}

bool ObjectEntry::is_tombstone() const {
  for (const ObjectVersion& v : versions) {
    if (v.state == VersionState::kUploading) return false;
    if (v.state == VersionState::kComplete && !v.delete_marker) return false;
  }
  return true;
}

namespace {
// How far a version has gone: uploading < aborted < upload-completed < complete. A Complete
// racing an Abort wins; complete is final (a version written complete, or one an earlier
// release completed in place), so the newest complete version only moves forward and pruning
// relative to it is monotone: that is what makes merge associative.
int rank(VersionState s) {
  switch (s) {
    case VersionState::kUploading:
      return 0;
    case VersionState::kAborted:
      return 1;
    case VersionState::kUploadCompleted:
      return 2;
    case VersionState::kComplete:
      return 3;
  }
  return 0;
}

bool has_ended(VersionState s) { return s == VersionState::kAborted || s == VersionState::kUploadCompleted; }

// Whether a version's block list (under its uuid) is its own. Inline objects and delete markers
// have none. Uploads may: a Complete that wrote its list and then failed, or one racing an
// Abort, so an aborted record keeps it until pruned. An upload-completed record does not: the
// list belongs to the complete version it became.
bool owns_block_list(const ObjectVersion& v) {
  switch (v.state) {
    case VersionState::kComplete:
      return !v.delete_marker && !v.meta.inline_data;
    case VersionState::kUploadCompleted:
      return false;
    case VersionState::kUploading:
    case VersionState::kAborted:
      return true;
  }
  return true;
}
}  // namespace

namespace {
// The register's join (VersionTags): the later set wins, equal stamps break ties on the tags.
const VersionTags& later_tags(const VersionTags& a, const VersionTags& b) {
  if (a.set_ms != b.set_ms) return a.set_ms > b.set_ms ? a : b;
  return b.tags > a.tags ? b : a;
}

// Format 1 (kFirstVersion) stops after `parts`; format 2 adds the checksum, then the tags
// (left out of `content_of`).
void encode_version(Encoder& e, const ObjectVersion& v, uint8_t format, bool with_tags) {
  e.i64(v.timestamp_ms);
  e.str(v.uuid);
  e.u8(static_cast<uint8_t>(v.state));
  e.boolean(v.delete_marker);
  e.i64(v.upload_started_ms);
  e.u64(v.meta.size);
  e.str(v.meta.etag);
  e.list(v.meta.headers, [](Encoder& e, const std::pair<std::string, std::string>& h) {
    e.str(h.first);
    e.str(h.second);
  });
  e.boolean(v.meta.inline_data.has_value());
  if (v.meta.inline_data) e.str(*v.meta.inline_data);
  e.str(v.meta.first_block);
  e.u32(static_cast<uint32_t>(v.meta.parts));
  if (format < ObjectEntry::kVersion) return;
  e.str(v.meta.checksum_algorithm);
  e.str(v.meta.checksum);
  if (!with_tags) return;
  e.i64(v.tags.set_ms);
  e.list(v.tags.tags, [](Encoder& e, const std::pair<std::string, std::string>& t) {
    e.str(t.first);
    e.str(t.second);
  });
}

// A version's content, its tags left out: what the state rule of merge compares.
std::string content_of(const ObjectVersion& v) {
  Encoder e;
  encode_version(e, v, ObjectEntry::kVersion, /*with_tags=*/false);
  return e.take();
}
}  // namespace

void ObjectEntry::merge(const ObjectEntry& other) {
  std::map<std::pair<int64_t, std::string>, ObjectVersion> all;
  for (const ObjectVersion& v : versions) all.emplace(v.order(), v);
  for (const ObjectVersion& v : other.versions) {
    auto [it, inserted] = all.emplace(v.order(), v);
    if (inserted) continue;
    ObjectVersion& mine = it->second;
    // Tags and content merge apart, each by a rule of its own (so the pair stays a join).
    VersionTags tags = later_tags(mine.tags, v.tags);
    // The most advanced state wins; equal states (which should hold equal data) break ties on
    // the encoding so every replica picks the same.
    if (rank(v.state) > rank(mine.state)) {
      mine = v;
    } else if (v.state == mine.state && content_of(v) > content_of(mine)) {
      mine = v;
    }
    mine.tags = std::move(tags);
  }
  versions.clear();
  for (auto& [k, v] : all) versions.push_back(std::move(v));
  prune();
}

std::vector<FollowUp> ObjectEntry::follow_ups(const ObjectEntry* before, const ObjectEntry& incoming,
                                              const ObjectEntry& merged) {
  // A block list goes when no version left in the entry owns it (several versions may share a
  // uuid: an upload's record and the version its completion made).
  std::set<std::string> still_owned;
  for (const ObjectVersion& v : merged.versions)
    if (owns_block_list(v)) still_owned.insert(v.uuid);
  std::set<std::string> gone;
  auto consider = [&](const ObjectEntry& e) {
    for (const ObjectVersion& v : e.versions)
      if (owns_block_list(v) && !still_owned.contains(v.uuid)) gone.insert(v.uuid);
  };
  if (before != nullptr) consider(*before);
  consider(incoming);
  // An upload that stopped uploading here (completed, aborted or dropped past the horizon): its
  // parts go. A replica that never saw the upload in progress ends it too when the end arrives.
  std::map<std::string, int64_t> ended;
  auto uploads = [&](const ObjectEntry& e) {
    for (const ObjectVersion& v : e.versions) {
      if (v.state != VersionState::kUploading) continue;
      const ObjectVersion* now = merged.find(v.order());
      if (now == nullptr || now->state != VersionState::kUploading) ended[v.uuid] = v.timestamp_ms;
    }
  };
  if (before != nullptr) uploads(*before);
  uploads(incoming);
  for (const ObjectVersion& v : merged.versions) {
    if (!has_ended(v.state)) continue;
    const ObjectVersion* was = before != nullptr ? before->find(v.order()) : nullptr;
    if (was == nullptr || !has_ended(was->state)) ended[v.uuid] = v.timestamp_ms;
  }
  std::vector<FollowUp> out;
  for (const auto& [uuid, stamp] : ended) {
    out.push_back(FollowUp{kMpuTable, make_tree_key(uuid, ""), UploadEntry::ended_mark(stamp).encode()});
  }
  for (const std::string& uuid : gone) out.push_back(VersionEntry::deletion(uuid));
  return out;
}

void ObjectEntry::prune() {
  // Keep the newest complete version, everything after it, and the uploads (in progress or
  // ended) stamped within the horizon before it.
  size_t newest = versions.size();
  for (size_t i = versions.size(); i-- > 0;) {
    if (versions[i].state == VersionState::kComplete) {
      newest = i;
      break;
    }
  }
  if (newest == versions.size()) return;
  const int64_t horizon = versions[newest].timestamp_ms - kUploadHorizonMs;
  std::vector<ObjectVersion> kept;
  kept.reserve(versions.size() - newest);
  for (size_t i = 0; i < versions.size(); ++i) {
    const ObjectVersion& v = versions[i];
    if (i >= newest || (v.state != VersionState::kComplete && v.timestamp_ms >= horizon)) kept.push_back(v);
  }
  versions = std::move(kept);
}

std::string ObjectEntry::encode() const {
  const bool extended = std::any_of(versions.begin(), versions.end(), [](const ObjectVersion& v) {
    return !v.tags.empty() || !v.meta.checksum_algorithm.empty();
  });
  const uint8_t format = extended ? kVersion : kFirstVersion;
  Encoder e;
  e.u8(format);
  e.list(versions, [&](Encoder& e, const ObjectVersion& v) { encode_version(e, v, format, /*with_tags=*/true); });
  return e.take();
}

absl::StatusOr<ObjectEntry> ObjectEntry::decode(std::string_view bytes) {
  Decoder d(bytes);
  const uint8_t format = d.version(kFirstVersion, kVersion);
  ObjectEntry o;
  // Uploads are kept for a horizon, so a busy key holds more than a few versions.
  o.versions = d.list<ObjectVersion>(65536, [format](Decoder& d) {
    ObjectVersion v;
    v.timestamp_ms = d.i64();
    v.uuid = d.str(64);
    const uint8_t state = d.u8();
    if (state > 3) d.fail("object: unknown version state");
    v.state = static_cast<VersionState>(state);
    v.delete_marker = d.boolean();
    v.upload_started_ms = d.i64();
    v.meta.size = d.u64();
    v.meta.etag = d.str(128);
    v.meta.headers = d.list<std::pair<std::string, std::string>>(kMaxStoredHeaders, [](Decoder& d) {
      std::string k = d.str(kMaxStoredHeaderName);
      std::string val = d.str(kMaxStoredHeaderValue);
      return std::pair{std::move(k), std::move(val)};
    });
    if (d.boolean()) v.meta.inline_data = d.str(1 << 20);
    v.meta.first_block = d.str(32);
    v.meta.parts = static_cast<int>(d.u32());
    if (format >= kVersion) {
      v.meta.checksum_algorithm = d.str(16);
      v.meta.checksum = d.str(128);
      v.tags.set_ms = d.i64();
      v.tags.tags = d.list<std::pair<std::string, std::string>>(kMaxStoredTags, [](Decoder& d) {
        std::string k = d.str(kMaxStoredTagKey);
        std::string val = d.str(kMaxStoredTagValue);
        return std::pair{std::move(k), std::move(val)};
      });
    }
    return v;
  });
  if (absl::Status s = d.finish(); !s.ok()) return s;
  for (size_t i = 1; i < o.versions.size(); ++i) {
    if (!(o.versions[i - 1].order() < o.versions[i].order()))
      return absl::InvalidArgumentError("object: versions out of order");
  }
  return o;
}

}  // namespace garage
