// Task<T>: the lazy coroutine type every asynchronous node operation returns.
//
// A Task does nothing until awaited (or spawned, see spawner.h). Awaiting it runs it to
// completion and yields its value, or rethrows the exception it ended with (exceptions are for
// bugs; expected failures travel as absl::Status / absl::StatusOr<T> values). The awaited task
// inherits the awaiting coroutine's CancelScope. Destroying a Task destroys its frame, and with
// it every task that frame is awaiting: ownership is strictly structured.
//
//   Task<int> answer() { co_return 42; }
//   Task<> caller() { int v = co_await answer(); ... }
//
// Coroutine parameters are copied into the frame, references are not: pass by value.
//
// GCC 12 (Debian 12's compiler) miscompiles two shapes, so the code base avoids them:
//  - a non-trivial temporary inside a co_await expression is destroyed twice. Name such values
//    first: `std::string key = "a"; co_await get(key);`, not `co_await get(std::string("a"));`
//    (nor a braced list converted to a std::vector or a struct in the call);
//  - co_await inside a condition or a ternary (`if (!(co_await x))`, `c ? co_await a : b`):
//    await in a statement of its own and test the named result.
#pragma once

#include <cassert>
#include <coroutine>
#include <exception>
#include <optional>
#include <utility>

#include "node/runtime/cancel.h"

namespace garage {

// What every promise in the runtime carries: its scope, who to resume when done, its error.
struct PromiseBase {
  CancelScope* scope = nullptr;
  std::coroutine_handle<> continuation = nullptr;
  std::exception_ptr error;
};

namespace detail {

// At the end of a task, transfer control straight to the awaiting coroutine (no stack growth).
struct FinalAwaiter {
  bool await_ready() const noexcept { return false; }
  template <class P>
  std::coroutine_handle<> await_suspend(std::coroutine_handle<P> h) noexcept {
    std::coroutine_handle<> next = h.promise().continuation;
    return next ? next : std::noop_coroutine();
  }
  void await_resume() const noexcept {}
};

template <class T>
struct ValuePromise : PromiseBase {
  std::optional<T> value;
  template <class U>
  void return_value(U&& v) {
    value.emplace(std::forward<U>(v));
  }
  T take() {
    if (error) std::rethrow_exception(error);
    assert(value.has_value());
    return std::move(*value);
  }
};

template <>
struct ValuePromise<void> : PromiseBase {
  void return_void() {}
  void take() {
    if (error) std::rethrow_exception(error);
  }
};

}  // namespace detail

template <class T = void>
class [[nodiscard]] Task {
 public:
  struct promise_type : detail::ValuePromise<T> {
    Task get_return_object() { return Task(std::coroutine_handle<promise_type>::from_promise(*this)); }
    std::suspend_always initial_suspend() noexcept { return {}; }
    detail::FinalAwaiter final_suspend() noexcept { return {}; }
    void unhandled_exception() { this->error = std::current_exception(); }
  };
  using Handle = std::coroutine_handle<promise_type>;

  Task() = default;
  explicit Task(Handle h) : handle_(h) {}
  Task(Task&& other) noexcept : handle_(std::exchange(other.handle_, nullptr)) {}
  Task& operator=(Task&& other) noexcept {
    if (this != &other) {
      reset();
      handle_ = std::exchange(other.handle_, nullptr);
    }
    return *this;
  }
  Task(const Task&) = delete;
  Task& operator=(const Task&) = delete;
  ~Task() { reset(); }

  bool valid() const { return handle_ != nullptr; }
  bool done() const { return handle_ && handle_.done(); }

  // Starts the task in `scope` with nobody awaiting it (used by the spawner and when_all);
  // `on_done` (if any) is resumed when it finishes. A finished task stays suspended at its end
  // until this Task is destroyed; take its result with take_result().
  void start_detached(CancelScope* scope, std::coroutine_handle<> on_done = nullptr) {
    assert(handle_ && !handle_.done());
    handle_.promise().scope = scope;
    handle_.promise().continuation = on_done;
    handle_.resume();
  }
  T take_result() {
    assert(done());
    return handle_.promise().take();
  }

  struct Awaiter {
    Handle handle;
    bool await_ready() const noexcept { return false; }
    template <class P>
    std::coroutine_handle<> await_suspend(std::coroutine_handle<P> parent) noexcept {
      assert(!handle.done());
      handle.promise().continuation = parent;
      if (handle.promise().scope == nullptr) handle.promise().scope = parent.promise().scope;
      return handle;
    }
    T await_resume() { return handle.promise().take(); }
  };
  Awaiter operator co_await() && {
    assert(handle_);
    return Awaiter{handle_};
  }
  Awaiter operator co_await() & {
    assert(handle_);
    return Awaiter{handle_};
  }

  // Runs this task in `scope` instead of the awaiter's scope (with_timeout uses it).
  Task&& in_scope(CancelScope* scope) && {
    handle_.promise().scope = scope;
    return std::move(*this);
  }

 private:
  void reset() {
    if (handle_) handle_.destroy();
    handle_ = nullptr;
  }
  Handle handle_ = nullptr;
};

// `co_await this_scope()` yields the CancelScope the current coroutine runs in.
struct this_scope {
  CancelScope* scope = nullptr;
  bool await_ready() const noexcept { return false; }
  template <class P>
  bool await_suspend(std::coroutine_handle<P> h) noexcept {
    scope = h.promise().scope;
    return false;  // do not actually suspend
  }
  CancelScope* await_resume() const noexcept { return scope; }
};

}  // namespace garage
