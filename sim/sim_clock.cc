#include "sim/sim_clock.h"

namespace garage::sim {

absl::Time sim_epoch() { return absl::FromUnixSeconds(1767225600); }

absl::Time SimClock::now_wall() {
  const absl::Duration elapsed = loop_.now();
  const int64_t elapsed_us = absl::ToInt64Microseconds(elapsed);
  // Integer drift: elapsed * ppm / 1e6, exact in microseconds.
  const absl::Duration drift = absl::Microseconds(elapsed_us / 1'000'000 * faults_.drift_ppm +
                                                  elapsed_us % 1'000'000 * faults_.drift_ppm / 1'000'000);
  return sim_epoch() + elapsed + drift + faults_.skew;
}

std::function<void()> SimClock::guarded(std::function<void()> fn) {
  return [alive = std::weak_ptr<bool>(alive_), fn = std::move(fn)] {
    auto token = alive.lock();
    if (token && *token) fn();
  };
}

void SimClock::post(std::function<void()> fn) { loop_.after(absl::ZeroDuration(), guarded(std::move(fn))); }

TimerId SimClock::schedule_after(absl::Duration delay, std::function<void()> fn) {
  return loop_.after(delay, guarded(std::move(fn)));
}

}  // namespace garage::sim
