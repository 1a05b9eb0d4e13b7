// The small simulated ports: Offload (inline work after a simulated delay) and Tracer (into
// the run's trace hash).
//
// Fault model: offloaded work takes a latency in [latency_min, latency_max] and then runs inline
// on the single simulation thread. Limits: no CPU contention model; the work's real duration is
// not accounted in virtual time.
#pragma once

#include <string>

#include "node/env.h"
#include "node/rng.h"
#include "sim/event_loop.h"

namespace garage::sim {

// Entropy from the seed: deterministic, and a stream of its own (a different seed than the
// node's Rng), so what clients see of ids tells nothing of the node's random choices.
class SimEntropy final : public Entropy {
 public:
  explicit SimEntropy(uint64_t seed) : rng_(seed) {}
  std::string bytes(size_t n) override {
    std::string out(n, '\0');
    for (size_t i = 0; i < n; i += 8) {
      const uint64_t r = rng_.next_u64();
      for (size_t b = 0; b < 8 && i + b < n; ++b) out[i + b] = static_cast<char>((r >> (8 * b)) & 0xff);
    }
    return out;
  }

 private:
  Xoshiro256 rng_;
};

class SimOffload final : public Offload {
 public:
  SimOffload(Clock& clock, Rng& rng) : clock_(clock), rng_(rng) {}
  Task<> run(std::function<void()> work) override;

 private:
  Clock& clock_;
  Rng& rng_;
};

// Records node events as trace lines "<time_us> n<node> <TYPE> <detail>"; counts errors.
class SimTracer final : public Tracer {
 public:
  SimTracer(EventLoop& loop, int node) : loop_(loop), node_(node) {}
  void event(Severity severity, std::string_view type, std::string_view detail) override;
  uint64_t errors() const { return errors_; }

 private:
  EventLoop& loop_;
  int node_;
  uint64_t errors_ = 0;
};

}  // namespace garage::sim
