#include "node/model/upload.h"

#include <set>

#include "absl/strings/match.h"
#include "node/model/model.h"
#include "node/model/version.h"
#include "node/table/table_store.h"

namespace garage {

absl::StatusOr<UploadEntry> UploadEntry::decode(std::string_view bytes) {
  absl::StatusOr<LwwMap> m = LwwMap::decode(bytes);
  if (!m.ok()) return m.status();
  return UploadEntry{std::move(*m)};
}

bool UploadEntry::ended() const {
  auto it = map.items.find(kUploadEndedField);
  return it != map.items.end() && it->second.value == "1";
}

std::map<std::string, std::string> UploadEntry::part_uuids() const {
  std::map<std::string, std::string> out;
  for (const auto& [name, reg] : map.items) {
    if (!absl::StartsWith(name, "part:") || !reg.value) continue;
    const std::string uuid = from_hex(reg.value->substr(0, reg.value->find('|')));
    if (!uuid.empty()) out[name] = uuid;
  }
  return out;
}

UploadEntry UploadEntry::ended_mark(int64_t stamp_ms) {
  UploadEntry e;
  e.map.items[kUploadEndedField] = LwwRegister{stamp_ms, 0, std::string("1")};
  return e;
}

std::vector<FollowUp> UploadEntry::follow_ups(const UploadEntry* before, const UploadEntry& incoming,
                                              const UploadEntry& merged) {
  const std::map<std::string, std::string> kept = merged.part_uuids();
  const std::map<std::string, std::string> had = before ? before->part_uuids() : std::map<std::string, std::string>{};
  const std::map<std::string, std::string> brought = incoming.part_uuids();
  std::set<std::string> gone;
  // A replaced part's block list goes (whichever order the two uploads of it arrive in).
  for (const auto* parts : {&had, &brought}) {
    for (const auto& [name, uuid] : *parts) {
      auto it = kept.find(name);
      if (it == kept.end() || it->second != uuid) gone.insert(uuid);
    }
  }
  // Once the upload has ended, every part goes: all of them when it ends here, and afterwards
  // those this update brings (a part upload arriving late).
  if (merged.ended()) {
    const bool was_ended = before != nullptr && before->ended();
    for (const auto& [name, uuid] : kept) {
      auto it = had.find(name);
      if (!was_ended || it == had.end() || it->second != uuid) gone.insert(uuid);
    }
  }
  std::vector<FollowUp> out;
  for (const std::string& uuid : gone) out.push_back(VersionEntry::deletion(uuid));
  return out;
}

}  // namespace garage
