// How many seeds a seed sweep runs. The plain build runs every seed. The sanitizer pass of
// scripts/test.sh sets GARAGE_SIM_SWEEP_DIVISOR=4 and runs a quarter of them (at least one):
// there a sweep looks for memory errors and undefined behaviour, which the first seeds meet as
// the later ones do, and the plain build already gives every seed's verdict. A test that sums
// something over the whole sweep (a rare path reached on some seed) checks it only when the
// sweep is full.
#pragma once

#include <cstdint>
#include <cstdlib>
#include <string>

namespace garage::sim {

struct Sweep {
  uint64_t seeds = 0;  // run seeds first .. first + seeds - 1
  bool full = true;    // false when the sanitizer pass cut the sweep short
};

inline Sweep sweep_of(uint64_t seeds) {
  const char* divisor_text = std::getenv("GARAGE_SIM_SWEEP_DIVISOR");
  const uint64_t divisor = divisor_text == nullptr ? 1 : std::strtoull(divisor_text, nullptr, 10);
  if (divisor <= 1) return Sweep{seeds, true};
  const uint64_t cut = seeds / divisor;
  return Sweep{cut == 0 ? 1 : cut, false};
}

}  // namespace garage::sim
