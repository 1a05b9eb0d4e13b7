// CancelScope: cooperative, hierarchical cancellation for coroutines.
//
// Every coroutine runs inside a scope (inherited from whoever awaits it). Cancelling a scope
// cancels its children; leaf waits (Oneshot, sleep, RPC calls) registered with the scope then
// complete early with "cancelled". Cancellation never resumes a coroutine inline: callbacks only
// set flags and post resumptions to the executor, so a scope can't be destroyed under our feet.
// A CancelRegistration may outlive its scope (frames of a crashed node are torn down in an order
// the compiler picks): removing it then is a no-op.
//
//   CancelScope root(executor);
//   CancelScope child(&root);   // cancelled whenever root is
//   root.cancel();              // child.cancelled() == true
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>

#include "node/runtime/executor.h"

namespace garage {

namespace detail {
struct CancelRegistry {
  bool cancelled = false;
  uint64_t next_id = 1;
  std::map<uint64_t, std::function<void()>> callbacks;  // ordered: deterministic firing order
};
}  // namespace detail

// Removes its callback from the scope when reset or destroyed; safe after the scope is gone.
class CancelRegistration {
 public:
  CancelRegistration() = default;
  CancelRegistration(std::weak_ptr<detail::CancelRegistry> registry, uint64_t id)
      : registry_(std::move(registry)), id_(id) {}
  CancelRegistration(CancelRegistration&& o) noexcept : registry_(std::move(o.registry_)), id_(o.id_) { o.id_ = 0; }
  CancelRegistration& operator=(CancelRegistration&& o) noexcept {
    if (this != &o) {
      reset();
      registry_ = std::move(o.registry_);
      id_ = o.id_;
      o.id_ = 0;
    }
    return *this;
  }
  ~CancelRegistration() { reset(); }
  void reset();

 private:
  std::weak_ptr<detail::CancelRegistry> registry_;
  uint64_t id_ = 0;
};

class CancelScope {
 public:
  explicit CancelScope(Executor& executor);   // a root scope
  explicit CancelScope(CancelScope* parent);  // a child: cancelled with its parent
  CancelScope(const CancelScope&) = delete;
  CancelScope& operator=(const CancelScope&) = delete;

  bool cancelled() const { return registry_->cancelled; }
  Executor& executor() const { return *executor_; }

  // Cancels this scope and every child. Idempotent.
  void cancel();

  // Registers `fn` to run (once) on cancellation. Must not be called once cancelled.
  // `fn` must not resume coroutines inline; post to the executor instead.
  [[nodiscard]] CancelRegistration on_cancel(std::function<void()> fn);

 private:
  Executor* executor_;
  std::shared_ptr<detail::CancelRegistry> registry_ = std::make_shared<detail::CancelRegistry>();
  CancelRegistration parent_registration_;
};

}  // namespace garage
