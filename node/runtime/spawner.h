// Spawner: owns a node's background tasks (loops, RPC handlers) and their root CancelScope.
//
// spawn() starts a Task<> at once; it runs until it first suspends. A finished task frees
// itself. cancel_all() asks every task to stop (cooperatively); destroying the Spawner destroys
// every frame still suspended, which is how a simulated crash throws away a node's memory.
// An exception escaping a spawned task is a bug: it aborts the process with its message.
#pragma once

#include <coroutine>
#include <cstdint>
#include <map>
#include <string>

#include "node/runtime/task.h"

namespace garage {

class Spawner {
 public:
  explicit Spawner(Executor& executor);
  Spawner(const Spawner&) = delete;
  Spawner& operator=(const Spawner&) = delete;
  ~Spawner();

  void spawn(Task<> task);
  void cancel_all() { scope_.cancel(); }
  // Destroys every frame still suspended, now: their locals' destructors run (a write's
  // journal entry, a lock guard), so call it while the services they refer to still exist.
  void destroy_all();
  size_t live_tasks() const { return roots_.size(); }
  CancelScope& scope() { return scope_; }

  // Implementation detail, public for the root coroutine's final awaiter.
  struct RootPromise;
  void on_root_finished(uint64_t id);

 private:
  CancelScope scope_;
  uint64_t next_id_ = 1;
  std::map<uint64_t, std::coroutine_handle<>> roots_;
};

}  // namespace garage
