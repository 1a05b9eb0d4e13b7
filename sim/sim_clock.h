// SimClock: one node's view of virtual time; implements the Clock and Executor ports.
//
// Fault model: per-node wall-clock skew (a fixed offset) and drift (parts per million, so the
// offset grows with time). Limits: only the wall clock is skewed; monotonic time and timers run
// at the loop's true rate (real monotonic clocks also drift, but by far less than NTP-less wall
// clocks do). When the clock is destroyed (the node crashed), its pending callbacks are dropped.
#pragma once

#include <memory>

#include "node/env.h"
#include "sim/event_loop.h"

namespace garage::sim {

struct ClockFaults {
  absl::Duration skew = absl::ZeroDuration();  // added to the wall clock
  int64_t drift_ppm = 0;                       // wall clock runs this much fast (+) or slow (-)
};

// The simulated wall clock's origin: 2026-01-01T00:00:00Z.
absl::Time sim_epoch();

class SimClock final : public Clock {
 public:
  SimClock(EventLoop& loop, ClockFaults faults) : loop_(loop), faults_(faults) {}
  ~SimClock() override { *alive_ = false; }

  absl::Duration now_monotonic() override { return loop_.now(); }
  absl::Time now_wall() override;
  void post(std::function<void()> fn) override;
  TimerId schedule_after(absl::Duration delay, std::function<void()> fn) override;
  void cancel_timer(TimerId id) override { loop_.cancel(id); }

  void set_faults(ClockFaults faults) { faults_ = faults; }

 private:
  std::function<void()> guarded(std::function<void()> fn);
  EventLoop& loop_;
  ClockFaults faults_;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace garage::sim
