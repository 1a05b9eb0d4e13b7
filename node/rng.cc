#include "node/rng.h"

#include <cassert>

namespace garage {
namespace {
uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
}  // namespace

uint64_t splitmix64(uint64_t& state) {
  uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

Xoshiro256::Xoshiro256(uint64_t seed) {
  for (auto& word : s_) word = splitmix64(seed);
}

uint64_t Xoshiro256::next_u64() {
  const uint64_t result = rotl(s_[1] * 5, 7) * 9;
  const uint64_t t = s_[1] << 17;
  s_[2] ^= s_[0];
  s_[3] ^= s_[1];
  s_[1] ^= s_[2];
  s_[0] ^= s_[3];
  s_[2] ^= t;
  s_[3] = rotl(s_[3], 45);
  return result;
}

uint64_t uniform(Rng& rng, uint64_t bound) {
  assert(bound > 0);
  // Lemire's nearly-divisionless method: multiply-high, reject the biased low zone.
  unsigned __int128 m = static_cast<unsigned __int128>(rng.next_u64()) * bound;
  uint64_t low = static_cast<uint64_t>(m);
  if (low < bound) {
    const uint64_t threshold = (0 - bound) % bound;
    while (low < threshold) {
      m = static_cast<unsigned __int128>(rng.next_u64()) * bound;
      low = static_cast<uint64_t>(m);
    }
  }
  return static_cast<uint64_t>(m >> 64);
}

int64_t uniform_range(Rng& rng, int64_t lo, int64_t hi) {
  assert(lo <= hi);
  const uint64_t span = static_cast<uint64_t>(hi - lo) + 1;
  if (span == 0) return static_cast<int64_t>(rng.next_u64());  // the whole 64-bit range
  return lo + static_cast<int64_t>(uniform(rng, span));
}

bool chance_ppm(Rng& rng, uint32_t ppm) { return uniform(rng, 1'000'000) < ppm; }

absl::Duration uniform_duration(Rng& rng, absl::Duration lo, absl::Duration hi) {
  const int64_t lo_us = absl::ToInt64Microseconds(lo), hi_us = absl::ToInt64Microseconds(hi);
  return absl::Microseconds(uniform_range(rng, lo_us, hi_us));
}

}  // namespace garage
