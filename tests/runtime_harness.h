// Test helper: runs coroutines to completion on a simulated event loop.
#pragma once

#include <optional>
#include <stdexcept>

#include "node/runtime/combinators.h"
#include "node/runtime/spawner.h"
#include "sim/event_loop.h"
#include "sim/sim_clock.h"

namespace garage::testing {

class RuntimeHarness {
 public:
  RuntimeHarness() : clock(loop, {}), spawner(clock) {}

  // Spawns `task`, runs the loop until it finishes, returns its value.
  template <class T>
  T run(Task<T> task) {
    std::optional<T> out;
    bool done = false;
    spawner.spawn(capture(std::move(task), &out, &done));
    while (!done && loop.step()) {
    }
    if (!done) throw std::runtime_error("task never finished");
    return std::move(*out);
  }
  void run(Task<> task) {
    bool done = false;
    spawner.spawn(capture_void(std::move(task), &done));
    while (!done && loop.step()) {
    }
    if (!done) throw std::runtime_error("task never finished");
  }

  sim::EventLoop loop;
  sim::SimClock clock;
  Spawner spawner;

 private:
  template <class T>
  static Task<> capture(Task<T> task, std::optional<T>* out, bool* done) {
    out->emplace(co_await std::move(task));
    *done = true;
  }
  static Task<> capture_void(Task<> task, bool* done) {
    co_await std::move(task);
    *done = true;
  }
};

}  // namespace garage::testing
