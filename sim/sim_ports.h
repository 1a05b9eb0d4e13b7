// The small simulated ports: Offload (inline work after a simulated delay) and Tracer (into
// the run's trace hash).
//
// Fault model: offloaded work takes a latency in [latency_min, latency_max] and then runs inline
// on the single simulation thread. Limits: no CPU contention model; the work's real duration is
// not accounted in virtual time.
#pragma once

#include <string>

#include "node/env.h"
#include "sim/event_loop.h"

namespace garage::sim {

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
