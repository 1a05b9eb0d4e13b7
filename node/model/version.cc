#include "node/model/version.h"

#include "node/codec.h"

namespace garage {

void VersionEntry::merge(const VersionEntry& other) {
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

std::string VersionEntry::encode() const {
  Encoder e;
  e.u8(kVersion);
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
  d.version(kVersion, kVersion);
  VersionEntry v;
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
