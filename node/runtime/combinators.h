// Combinators over Task: sleep_for, when_all, with_timeout.
//
// All three are structured: they return only once every task they started has finished, so a
// child never outlives the frame that owns its inputs. with_timeout cancels its child's scope
// when the time is up and then waits for the child to wind down (leaf waits end at once).
//
//   absl::Status s = co_await sleep_for(clock, absl::Milliseconds(10));   // Cancelled if cancelled
//   std::vector<int> all = co_await when_all(std::move(tasks));
//   absl::StatusOr<Reply> r = co_await with_timeout(clock, absl::Seconds(2), call(...));
#pragma once

#include <exception>
#include <optional>
#include <string>
#include <type_traits>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "node/runtime/oneshot.h"
#include "node/runtime/task.h"

namespace garage {

// Sleeps for `delay` of the executor's clock; returns CancelledError if cancelled first.
inline Task<absl::Status> sleep_for(Executor& executor, absl::Duration delay) {
  Oneshot<bool> fired;
  TimerGuard guard(executor, executor.schedule_after(delay, [fired]() mutable { fired.set(true); }));
  std::optional<bool> r = co_await fired.wait();
  co_return r.has_value() ? absl::OkStatus() : absl::CancelledError("sleep cancelled");
}

namespace detail {

struct JoinCounter {
  size_t remaining = 0;
  std::exception_ptr first_error;
  Oneshot<bool> all_done;
};

template <class T>
Task<> run_and_store(Task<T> task, std::optional<T>* slot, JoinCounter* join) {
  try {
    slot->emplace(co_await std::move(task));
  } catch (...) {
    if (!join->first_error) join->first_error = std::current_exception();
  }
  if (--join->remaining == 0) join->all_done.set(true);
}

inline Task<> run_and_count(Task<> task, JoinCounter* join) {
  try {
    co_await std::move(task);
  } catch (...) {
    if (!join->first_error) join->first_error = std::current_exception();
  }
  if (--join->remaining == 0) join->all_done.set(true);
}

}  // namespace detail

// Runs every task concurrently in the current scope; returns their results in order.
// If any throws, the first exception is rethrown after all have finished.
template <class T>
Task<std::vector<T>> when_all(std::vector<Task<T>> tasks) {
  CancelScope* scope = co_await this_scope();
  std::vector<std::optional<T>> slots(tasks.size());
  detail::JoinCounter join;
  join.remaining = tasks.size();
  std::vector<Task<>> runners;
  runners.reserve(tasks.size());
  for (size_t i = 0; i < tasks.size(); ++i) {
    runners.push_back(detail::run_and_store(std::move(tasks[i]), &slots[i], &join));
  }
  for (auto& r : runners) r.start_detached(scope);
  if (join.remaining > 0) co_await join.all_done.wait_uncancellable();
  if (join.first_error) std::rethrow_exception(join.first_error);
  std::vector<T> out;
  out.reserve(slots.size());
  for (auto& s : slots) out.push_back(std::move(*s));
  co_return out;
}

inline Task<> when_all(std::vector<Task<>> tasks) {
  CancelScope* scope = co_await this_scope();
  detail::JoinCounter join;
  join.remaining = tasks.size();
  std::vector<Task<>> runners;
  runners.reserve(tasks.size());
  for (auto& t : tasks) runners.push_back(detail::run_and_count(std::move(t), &join));
  for (auto& r : runners) r.start_detached(scope);
  if (join.remaining > 0) co_await join.all_done.wait_uncancellable();
  if (join.first_error) std::rethrow_exception(join.first_error);
}

namespace detail {
template <class T>
struct TimeoutResult {
  using type = absl::StatusOr<T>;
};
template <>
struct TimeoutResult<void> {
  using type = absl::Status;
};
template <class T>
struct TimeoutResult<absl::StatusOr<T>> {  // flatten StatusOr<StatusOr<T>>
  using type = absl::StatusOr<T>;
};
template <>
struct TimeoutResult<absl::Status> {
  using type = absl::Status;
};
}  // namespace detail

// Runs `task` in a child scope; if it has not finished after `timeout`, cancels it, waits for it
// to wind down and returns DeadlineExceededError (discarding whatever it produced).
template <class T>
Task<typename detail::TimeoutResult<T>::type> with_timeout(Executor& executor, absl::Duration timeout, Task<T> task) {
  CancelScope* parent = co_await this_scope();
  CancelScope child(parent);
  // Declared after `child` so that, if this frame is destroyed mid-wait (a simulated crash), the
  // child's frame (registered with `child`) dies first. Parameters outlive locals, so `task`
  // itself must not hold it.
  Task<T> inner = std::move(task);
  bool timed_out = false;
  TimerGuard guard(executor, executor.schedule_after(timeout, [&timed_out, &child] {
    timed_out = true;
    child.cancel();
  }));
  auto deadline = [&] { return absl::DeadlineExceededError("timed out"); };
  if constexpr (std::is_void_v<T>) {
    co_await std::move(inner).in_scope(&child);
    if (timed_out) co_return deadline();
    co_return absl::OkStatus();
  } else {
    T value = co_await std::move(inner).in_scope(&child);
    if (timed_out) co_return deadline();
    co_return value;
  }
}

}  // namespace garage
