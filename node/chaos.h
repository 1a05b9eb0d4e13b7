// Chaos and coverage beside the code (FoundationDB's BUGGIFY and CODE_PROBE).
//
// buggify(env, "site") is false in production. In simulation each site is switched on for a
// whole run with some probability drawn from the seed, and then fires on part of its calls, so
// rare paths (a slow save, a forced retry) get exercised. probe(env, "name") records that a rare
// path was reached; tests assert that the simulator reaches them over a set of seeds, so a
// checker that "passes" cannot be passing only because the interesting case never happens.
//
//   if (buggify(env_, "membership.slow_peer_list_save")) co_await sleep_for(...);
//   probe(env_, "membership.peer_list_corrupt");
#pragma once

#include <string_view>

#include "absl/time/time.h"
#include "node/env.h"

namespace garage {

// How long a chaos site that slows a step holds it (drawn in [min, max]): long enough for a
// crash, a racing write or a peer's timeout to land in between. Simulation only.
inline constexpr absl::Duration kChaosPauseMin = absl::Milliseconds(500);
inline constexpr absl::Duration kChaosPauseMax = absl::Seconds(3);
// The fixed pauses of two sites that slow a save: the layout file's, and the peer list's.
inline constexpr absl::Duration kChaosSlowLayoutSave = absl::Seconds(3);
inline constexpr absl::Duration kChaosSlowPeerListSave = absl::Seconds(2);

class Chaos {
 public:
  virtual ~Chaos() = default;
  virtual bool buggify(std::string_view site) = 0;
  virtual void reached(std::string_view probe) = 0;
};

inline bool buggify(const Env& env, std::string_view site) { return env.chaos != nullptr && env.chaos->buggify(site); }
inline void probe(const Env& env, std::string_view name) {
  if (env.chaos != nullptr) env.chaos->reached(name);
}

}  // namespace garage
