// SimChaos: the simulation's Chaos. Each buggify site is switched on for the whole run with
// probability 1/4 (decided the first time it is met, from the run's seed) and, when on, fires
// on 1/4 of its calls. Reached probes are counted for the run's coverage report.
// Limits: one decision per site per run (as FoundationDB does); no per-node variation.
#pragma once

#include <map>
#include <string>

#include "node/chaos.h"
#include "node/rng.h"

namespace garage::sim {

class SimChaos final : public Chaos {
 public:
  explicit SimChaos(uint64_t seed) : rng_(seed ^ 0x6275676779ULL) {}
  bool buggify(std::string_view site) override;
  void reached(std::string_view probe) override { ++probes_[std::string(probe)]; }
  const std::map<std::string, uint64_t>& probes() const { return probes_; }

 private:
  Xoshiro256 rng_;
  std::map<std::string, bool> sites_;  // site -> switched on for this run
  std::map<std::string, uint64_t> probes_;
};

}  // namespace garage::sim
