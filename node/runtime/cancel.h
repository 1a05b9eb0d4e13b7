// CancelScope: cooperative, hierarchical cancellation for coroutines.
//
// Every coroutine runs inside a scope (inherited from whoever awaits it). Cancelling a scope
// cancels its children; leaf waits (Oneshot, sleep, RPC calls) registered with the scope then
// complete early with "cancelled". Cancellation never resumes a coroutine inline: callbacks only
// set flags and post resumptions to the executor, so a scope can't be destroyed under our feet.
//
//   CancelScope root(executor);
//   CancelScope child(&root);   // cancelled whenever root is
//   root.cancel();              // child.cancelled() == true
#pragma once

#include <cstdint>
#include <functional>
#include <map>

#include "node/runtime/executor.h"

namespace garage {

class CancelScope {
 public:
  using CallbackId = uint64_t;

  explicit CancelScope(Executor& executor);  // a root scope
  explicit CancelScope(CancelScope* parent);  // a child: cancelled with its parent
  CancelScope(const CancelScope&) = delete;
  CancelScope& operator=(const CancelScope&) = delete;
  ~CancelScope();

  bool cancelled() const { return cancelled_; }
  Executor& executor() const { return *executor_; }

  // Cancels this scope and every child. Idempotent.
  void cancel();

  // Registers `fn` to run (once) on cancellation. Must not be called once cancelled.
  // `fn` must not resume coroutines inline; post to the executor instead.
  CallbackId on_cancel(std::function<void()> fn);
  void remove(CallbackId id);

 private:
  Executor* executor_;
  CancelScope* parent_ = nullptr;
  CallbackId parent_registration_ = 0;
  bool cancelled_ = false;
  CallbackId next_id_ = 1;
  std::map<CallbackId, std::function<void()>> callbacks_;  // ordered: deterministic firing order
};

}  // namespace garage
