#include "node/table/lww.h"

#include <tuple>

#include "node/codec.h"

namespace garage {

namespace {
void encode_register(Encoder& e, const LwwRegister& r) {
  e.i64(r.stamp_ms);
  e.u64(r.tiebreak);
  e.boolean(r.value.has_value());
  if (r.value) e.str(*r.value);
}
LwwRegister decode_register(Decoder& d) {
  LwwRegister r;
  r.stamp_ms = d.i64();
  r.tiebreak = d.u64();
  if (d.boolean()) r.value = d.str();
  return r;
}
}  // namespace

bool LwwRegister::at_least(const LwwRegister& o) const {
  // A tombstone sorts below any value at the same (stamp, tiebreak): nullopt < some.
  return std::tie(stamp_ms, tiebreak, value) >= std::tie(o.stamp_ms, o.tiebreak, o.value);
}

std::string LwwRegister::encode() const {
  Encoder e;
  e.u8(kVersion);
  encode_register(e, *this);
  return e.take();
}

absl::StatusOr<LwwRegister> LwwRegister::decode(std::string_view bytes) {
  Decoder d(bytes);
  d.version(kVersion, kVersion);
  LwwRegister r = decode_register(d);
  if (absl::Status s = d.finish(); !s.ok()) return s;
  return r;
}

void LwwMap::merge(const LwwMap& o) {
  for (const auto& [k, v] : o.items) {
    auto [it, inserted] = items.emplace(k, v);
    if (!inserted) it->second.merge(v);
  }
}

std::string LwwMap::encode() const {
  Encoder e;
  e.u8(kVersion);
  e.u32(static_cast<uint32_t>(items.size()));
  for (const auto& [k, v] : items) {
    e.str(k);
    encode_register(e, v);
  }
  return e.take();
}

absl::StatusOr<LwwMap> LwwMap::decode(std::string_view bytes) {
  Decoder d(bytes);
  d.version(kVersion, kVersion);
  LwwMap m;
  const uint32_t n = d.u32();
  std::string previous;
  for (uint32_t i = 0; i < n && d.ok(); ++i) {
    std::string k = d.str();
    // Canonical: keys strictly increasing, so one map has one encoding.
    if (i > 0 && k <= previous) d.fail("map keys not strictly increasing");
    LwwRegister v = decode_register(d);
    previous = k;
    m.items.emplace(std::move(k), std::move(v));
  }
  if (absl::Status s = d.finish(); !s.ok()) return s;
  return m;
}

}  // namespace garage
