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

bool ObjectEntry::is_tombstone() const {
  for (const ObjectVersion& v : versions) {
    if (v.state == VersionState::kUploading) return false;
    if (v.state == VersionState::kComplete && !v.delete_marker) return false;
  }
  return true;
}

namespace {
// How far a version has gone: uploading < aborted < complete. Complete is final (a Complete
// racing an Abort wins), so the set of complete versions only grows and pruning below the
// newest one is monotone: that is what makes merge associative.
int rank(VersionState s) {
  switch (s) {
    case VersionState::kUploading: return 0;
    case VersionState::kAborted: return 1;
    case VersionState::kComplete: return 2;
  }
  return 0;
}
}  // namespace

void ObjectEntry::merge(const ObjectEntry& other) {
  std::map<std::pair<int64_t, std::string>, ObjectVersion> all;
  for (const ObjectVersion& v : versions) all.emplace(v.order(), v);
  for (const ObjectVersion& v : other.versions) {
    auto [it, inserted] = all.emplace(v.order(), v);
    if (inserted) continue;
    ObjectVersion& mine = it->second;
    // The most advanced state wins; equal states (which should hold equal data) break ties on
    // the encoding so every replica picks the same.
    if (rank(v.state) > rank(mine.state)) {
      mine = v;
    } else if (v.state == mine.state && !(v == mine)) {
      ObjectEntry a{{mine}}, b{{v}};
      if (b.encode() > a.encode()) mine = v;
    }
  }
  versions.clear();
  for (auto& [k, v] : all) versions.push_back(std::move(v));
  prune();
}

std::vector<FollowUp> ObjectEntry::follow_ups(const ObjectEntry* before, const ObjectEntry& incoming,
                                             const ObjectEntry& merged) {
  // Inline objects and delete markers have no block list; uploads may (a completion that
  // wrote its list and then failed), and their tombstone is harmless when they have none.
  auto may_own_block_list = [](const ObjectVersion& v) {
    return v.state != VersionState::kComplete || (!v.delete_marker && !v.meta.inline_data);
  };
  std::set<std::string> gone;
  auto consider = [&](const ObjectEntry& e) {
    for (const ObjectVersion& v : e.versions)
      if (may_own_block_list(v) && merged.find(v.uuid) == nullptr) gone.insert(v.uuid);
  };
  if (before != nullptr) consider(*before);
  consider(incoming);
  // An upload that stopped uploading here (completed, aborted or pruned): its parts go.
  std::map<std::string, int64_t> ended;
  auto uploads = [&](const ObjectEntry& e) {
    for (const ObjectVersion& v : e.versions) {
      if (v.state != VersionState::kUploading) continue;
      const ObjectVersion* now = merged.find(v.uuid);
      if (now == nullptr || now->state != VersionState::kUploading) ended[v.uuid] = v.timestamp_ms;
    }
  };
  if (before != nullptr) uploads(*before);
  uploads(incoming);
  std::vector<FollowUp> out;
  for (const auto& [uuid, stamp] : ended) {
    out.push_back(FollowUp{kMpuTable, make_tree_key(uuid, ""), UploadEntry::ended_mark(stamp).encode()});
  }
  for (const std::string& uuid : gone) out.push_back(VersionEntry::deletion(uuid));
  return out;
}

void ObjectEntry::prune() {
  // Keep the newest complete version and everything after it.
  for (size_t i = versions.size(); i-- > 0;) {
    if (versions[i].state == VersionState::kComplete) {
      versions.erase(versions.begin(), versions.begin() + static_cast<ptrdiff_t>(i));
      return;
    }
  }
}

std::string ObjectEntry::encode() const {
  Encoder e;
  e.u8(kVersion);
  e.list(versions, [](Encoder& e, const ObjectVersion& v) {
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
  });
  return e.take();
}

absl::StatusOr<ObjectEntry> ObjectEntry::decode(std::string_view bytes) {
  Decoder d(bytes);
  d.version(kVersion, kVersion);
  ObjectEntry o;
  o.versions = d.list<ObjectVersion>(4096, [](Decoder& d) {
    ObjectVersion v;
    v.timestamp_ms = d.i64();
    v.uuid = d.str(64);
    const uint8_t state = d.u8();
    if (state > 2) d.fail("object: unknown version state");
    v.state = static_cast<VersionState>(state);
    v.delete_marker = d.boolean();
    v.upload_started_ms = d.i64();
    v.meta.size = d.u64();
    v.meta.etag = d.str(128);
    v.meta.headers = d.list<std::pair<std::string, std::string>>(256, [](Decoder& d) {
      std::string k = d.str(1024);
      std::string val = d.str(8192);
      return std::pair{std::move(k), std::move(val)};
    });
    if (d.boolean()) v.meta.inline_data = d.str(1 << 20);
    v.meta.first_block = d.str(32);
    v.meta.parts = static_cast<int>(d.u32());
    return v;
  });
  if (absl::Status s = d.finish(); !s.ok()) return s;
  for (size_t i = 1; i < o.versions.size(); ++i) {
    if (!(o.versions[i - 1].order() < o.versions[i].order())) return absl::InvalidArgumentError("object: versions out of order");
  }
  return o;
}

}  // namespace garage
