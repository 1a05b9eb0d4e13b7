// Oneshot<T>: a single-assignment value ONE coroutine waits for; the runtime's only leaf wait.
//
// Timers, RPC replies, disk completions and asio callbacks all end in `oneshot.set(value)`.
// The waiter is resumed through the executor (never inline from set()), and a cancellable wait
// ends early with std::nullopt when the waiter's CancelScope is cancelled. Copies share state.
//
//   Oneshot<int> reply;
//   transport_callback = [reply](int v) mutable { reply.set(v); };
//   std::optional<int> v = co_await reply.wait();  // nullopt if cancelled
#pragma once

#include <cassert>
#include <coroutine>
#include <memory>
#include <optional>
#include <utility>

#include "node/runtime/task.h"

namespace garage {

template <class T>
class Oneshot {
  struct State : std::enable_shared_from_this<State> {
    std::optional<T> value;
    bool cancelled = false;
    bool resume_posted = false;
    std::coroutine_handle<> waiter = nullptr;
    Executor* executor = nullptr;
    CancelRegistration registration;

    void unregister() { registration.reset(); }
    void post_resume() {
      if (waiter == nullptr || resume_posted) return;
      resume_posted = true;
      executor->post([self = this->shared_from_this()] {
        self->resume_posted = false;
        if (self->waiter == nullptr) return;  // the waiting frame was destroyed meanwhile
        std::coroutine_handle<> h = std::exchange(self->waiter, nullptr);
        self->unregister();
        h.resume();
      });
    }
  };

 public:
  Oneshot() : state_(std::make_shared<State>()) {}

  // First set wins; later sets are ignored (a duplicated reply, a late timer).
  void set(T value) {
    if (state_->value.has_value()) return;
    state_->value.emplace(std::move(value));
    state_->post_resume();
  }
  bool is_set() const { return state_->value.has_value(); }

  class Awaiter {
   public:
    Awaiter(std::shared_ptr<State> state, bool cancellable) : state_(std::move(state)), cancellable_(cancellable) {}
    Awaiter(const Awaiter&) = delete;
    Awaiter& operator=(const Awaiter&) = delete;
    ~Awaiter() {
      // If our frame is destroyed while waiting (a crash in simulation), detach cleanly.
      if (state_->waiter != nullptr) {
        state_->waiter = nullptr;
        state_->unregister();
      }
    }
    bool await_ready() const noexcept { return state_->value.has_value(); }
    template <class P>
    bool await_suspend(std::coroutine_handle<P> h) {
      CancelScope* scope = h.promise().scope;
      assert(scope != nullptr && "coroutine awaited outside any scope");
      if (cancellable_ && scope->cancelled()) return false;
      // One waiter at a time: a second would take the first's place and its cancellation, and
      // the first would never be resumed. Several waiters each take a Oneshot of their own.
      assert(state_->waiter == nullptr && "a Oneshot has one waiter at a time");
      state_->executor = &scope->executor();
      state_->waiter = h;
      if (cancellable_) {
        state_->registration = scope->on_cancel([s = state_.get()] {
          s->cancelled = true;
          s->post_resume();
        });
      }
      return true;
    }
    std::optional<T> await_resume() {
      if (state_->value.has_value()) return std::move(state_->value);
      return std::nullopt;
    }

   private:
    std::shared_ptr<State> state_;
    bool cancellable_;
  };

  // Waits for the value; std::nullopt means the wait was cancelled. The value is moved out.
  Awaiter wait() const { return Awaiter(state_, /*cancellable=*/true); }
  // Waits for the value even through cancellation (for joins that must outlive their children).
  Awaiter wait_uncancellable() const { return Awaiter(state_, /*cancellable=*/false); }

 private:
  std::shared_ptr<State> state_;
};

}  // namespace garage
