// Executor: where a node's continuations and timers run.
// One executor per node; every callback it runs runs on the node's single logical thread.
#pragma once

#include <cstdint>
#include <functional>

#include "absl/time/time.h"

namespace garage {

using TimerId = uint64_t;

class Executor {
 public:
  virtual ~Executor() = default;
  // Runs `fn` soon, after the current callback returns (never inline).
  virtual void post(std::function<void()> fn) = 0;
  // Runs `fn` once `delay` has passed on this node's monotonic clock.
  virtual TimerId schedule_after(absl::Duration delay, std::function<void()> fn) = 0;
  // Cancels a timer; a no-op if it already ran or was cancelled.
  virtual void cancel_timer(TimerId id) = 0;
};

// Cancels its timer when destroyed: ties a timer's life to a coroutine frame.
class TimerGuard {
 public:
  TimerGuard(Executor& executor, TimerId id) : executor_(&executor), id_(id) {}
  TimerGuard(const TimerGuard&) = delete;
  TimerGuard& operator=(const TimerGuard&) = delete;
  ~TimerGuard() { executor_->cancel_timer(id_); }

 private:
  Executor* executor_;
  TimerId id_;
};

}  // namespace garage
