// Our own random algorithm and distributions, so a seed means the same thing everywhere.
//
// Xoshiro256** (Blackman & Vigna), seeded through SplitMix64. Distributions use only integer
// arithmetic (Lemire's unbiased bounded ints); no std::*_distribution, no floating point.
//
//   Xoshiro256 rng(seed);
//   uint64_t die = uniform(rng, 6);        // 0..5
//   if (chance_ppm(rng, 50'000)) drop();   // 5%
#pragma once

#include <array>
#include <cstdint>

#include "absl/time/time.h"
#include "node/env.h"

namespace garage {

class Xoshiro256 final : public Rng {
 public:
  explicit Xoshiro256(uint64_t seed);
  uint64_t next_u64() override;

 private:
  std::array<uint64_t, 4> s_;
};

uint64_t splitmix64(uint64_t& state);

// Uniform in [0, bound). bound must be > 0.
uint64_t uniform(Rng& rng, uint64_t bound);
// Uniform in [lo, hi], inclusive.
int64_t uniform_range(Rng& rng, int64_t lo, int64_t hi);
// True with probability ppm / 1'000'000.
bool chance_ppm(Rng& rng, uint32_t ppm);
// Uniform duration in [lo, hi], microsecond resolution.
absl::Duration uniform_duration(Rng& rng, absl::Duration lo, absl::Duration hi);

}  // namespace garage
