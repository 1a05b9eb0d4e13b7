#include "node/model/version.h"

#include <algorithm>

#include "node/codec.h"
#include "node/table/table_store.h"

namespace garage {

void VersionEntry::merge(const VersionEntry& other) {
  if (uuid.empty()) uuid = other.uuid;
  deleted = deleted || other.deleted;
  if (deleted) {
    blocks.clear();
    return;
  }
  for (const auto& [slot, block] : other.blocks) {
    auto [it, inserted] = blocks.emplace(slot, block);
    // Two different blocks in one slot cannot come from one upload; keep the greater hash so
    // that replicas agree anyway.
    if (!inserted && block.hash > it->second.hash) it->second = block;
  }
}

FollowUp VersionEntry::deletion(const std::string& uuid) {
  VersionEntry tombstone;
  tombstone.uuid = uuid;
  tombstone.deleted = true;
  return FollowUp{kVersionTable, make_tree_key(uuid, ""), tombstone.encode()};
}

std::vector<FollowUp> VersionEntry::follow_ups(const VersionEntry* before, const VersionEntry& incoming,
                                               const VersionEntry& merged) {
  if (!merged.deleted || merged.uuid.empty()) return {};
  std::vector<std::string> hashes;
  if (before != nullptr && !before->deleted)
    for (const auto& [slot, b] : before->blocks) hashes.push_back(b.hash);
  // A block list that arrives after its deletion was stored: its references go too.
  if (!incoming.deleted)
    for (const auto& [slot, b] : incoming.blocks) hashes.push_back(b.hash);
  std::sort(hashes.begin(), hashes.end());
  hashes.erase(std::unique(hashes.begin(), hashes.end()), hashes.end());
  std::vector<FollowUp> out;
  const std::string gone = BlockRefEntry{true}.encode();
  for (const std::string& h : hashes) out.push_back(FollowUp{kBlockRefTable, make_tree_key(h, h + merged.uuid), gone});
  return out;
}

std::string VersionEntry::encode() const {
  Encoder e;
  e.u8(kVersion);
  e.str(uuid);
  e.boolean(deleted);
  e.u32(static_cast<uint32_t>(blocks.size()));
  for (const auto& [slot, block] : blocks) {
    e.u32(slot.first);
    e.u64(slot.second);
    e.str(block.hash);
    e.u32(block.size);
  }
  return e.take();
}

absl::StatusOr<VersionEntry> VersionEntry::decode(std::string_view bytes) {
  Decoder d(bytes);
  const uint8_t format = d.version(1, kVersion);
  VersionEntry v;
  if (format >= 2) v.uuid = d.str(64);
  v.deleted = d.boolean();
  const uint32_t n = d.u32();
  if (n > (1u << 22)) d.fail("version: too many blocks");
  for (uint32_t i = 0; i < n && d.ok(); ++i) {
    const uint32_t part = d.u32();
    const uint64_t offset = d.u64();
    BlockInfo b;
    b.hash = d.str(32);
    b.size = d.u32();
    if (b.hash.size() != 32) d.fail("version: block hash is not 32 bytes");
    v.blocks[{part, offset}] = std::move(b);
  }
  if (absl::Status s = d.finish(); !s.ok()) return s;
  return v;
}

std::string BlockRefEntry::encode() const {
  Encoder e;
  e.u8(kVersion);
  e.boolean(deleted);
  return e.take();
}

absl::StatusOr<BlockRefEntry> BlockRefEntry::decode(std::string_view bytes) {
  Decoder d(bytes);
  d.version(kVersion, kVersion);
  BlockRefEntry b;
  b.deleted = d.boolean();
  if (absl::Status s = d.finish(); !s.ok()) return s;
  return b;
}

}  // namespace garage
