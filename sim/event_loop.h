// EventLoop: the single thread and the virtual time of a whole simulated cluster.
//
// Fault model: none of its own. It runs callbacks in (virtual time, sequence number) order, so
// a run is a pure function of what was scheduled; time jumps straight to the next event.
// Limits: no preemption (a callback that loops forever hangs the run: bound your loops), and
// all nodes share this one timeline (per-node clock skew is layered on top by SimClock).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <unordered_map>
#include <utility>

#include "absl/time/time.h"
#include "sim/trace.h"

namespace garage::sim {

class EventLoop {
 public:
  using EventId = uint64_t;

  absl::Duration now() const { return now_; }
  EventId at(absl::Duration when, std::function<void()> fn);
  EventId after(absl::Duration delay, std::function<void()> fn) { return at(now_ + delay, std::move(fn)); }
  void cancel(EventId id);

  // Runs the next event; false when nothing is scheduled.
  bool step();
  // Runs every event scheduled up to and including `until`, then sets the time to `until`.
  void run_until(absl::Duration until);
  uint64_t events_run() const { return events_run_; }
  size_t pending() const { return queue_.size(); }

  TraceRecorder& trace() { return trace_; }

 private:
  using Key = std::pair<absl::Duration, EventId>;
  absl::Duration now_ = absl::ZeroDuration();
  EventId next_id_ = 1;
  uint64_t events_run_ = 0;
  std::map<Key, std::function<void()>> queue_;
  std::unordered_map<EventId, absl::Duration> when_;  // lookups only: never iterated
  TraceRecorder trace_;
};

}  // namespace garage::sim
