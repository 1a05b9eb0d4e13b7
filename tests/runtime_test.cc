// Unit tests of the coroutine runtime: Task, Oneshot, Spawner, when_all, with_timeout, and the
// runtime's small I/O-free helpers (KeyedMutex, ByteBudget, Dialer).
#include <gtest/gtest.h>

#include <stdexcept>
#include <string>
#include <vector>

#include "node/runtime/byte_budget.h"
#include "node/runtime/dialer.h"
#include "node/runtime/keyed_mutex.h"
#include "tests/runtime_harness.h"

namespace garage {
namespace {

using testing::RuntimeHarness;

Task<int> constant(int v) { co_return v; }
Task<int> add_nested(int a, int b) {
  int x = co_await constant(a);
  int y = co_await constant(b);
  co_return x + y;
}

TEST(Runtime, TaskIsLazyAndReturnsValue) {
  RuntimeHarness h;
  bool started = false;
  auto lazy = [](bool* flag) -> Task<int> {
    *flag = true;
    co_return 7;
  }(&started);
  EXPECT_FALSE(started);
  EXPECT_EQ(h.run(std::move(lazy)), 7);
  EXPECT_TRUE(started);
  EXPECT_EQ(h.run(add_nested(2, 3)), 5);
}

Task<> sleep_then_log(Executor& ex, int ms, std::vector<int>* log) {
  absl::Status s = co_await sleep_for(ex, absl::Milliseconds(ms));
  EXPECT_TRUE(s.ok());
  log->push_back(ms);
}

TEST(Runtime, SleepsWakeInTimeOrderAndAdvanceVirtualTime) {
  RuntimeHarness h;
  std::vector<int> log;
  h.spawner.spawn(sleep_then_log(h.clock, 30, &log));
  h.spawner.spawn(sleep_then_log(h.clock, 10, &log));
  h.spawner.spawn(sleep_then_log(h.clock, 20, &log));
  while (h.loop.step()) {
  }
  EXPECT_EQ(log, (std::vector<int>{10, 20, 30}));
  EXPECT_EQ(h.loop.now(), absl::Milliseconds(30));
  EXPECT_EQ(h.spawner.live_tasks(), 0u);
}

Task<int> sleep_and_return(Executor& ex, int ms) {
  (void)co_await sleep_for(ex, absl::Milliseconds(ms));
  co_return ms;
}

TEST(Runtime, WhenAllRunsConcurrentlyAndKeepsOrder) {
  RuntimeHarness h;
  std::vector<Task<int>> tasks;
  tasks.push_back(sleep_and_return(h.clock, 50));
  tasks.push_back(sleep_and_return(h.clock, 10));
  tasks.push_back(sleep_and_return(h.clock, 30));
  std::vector<int> out = h.run(when_all(std::move(tasks)));
  EXPECT_EQ(out, (std::vector<int>{50, 10, 30}));
  EXPECT_EQ(h.loop.now(), absl::Milliseconds(50));  // concurrent: the max, not the sum
}

TEST(Runtime, WhenAllOfNothingCompletes) {
  RuntimeHarness h;
  EXPECT_TRUE(h.run(when_all(std::vector<Task<int>>{})).empty());
}

Task<int> throws_after(Executor& ex, int ms) {
  (void)co_await sleep_for(ex, absl::Milliseconds(ms));
  throw std::runtime_error("boom");
}

Task<std::string> catch_message(Task<int> t) {
  try {
    (void)co_await std::move(t);
  } catch (const std::runtime_error& e) {
    co_return std::string(e.what());
  }
  co_return std::string("no exception");
}

TEST(Runtime, ExceptionsPropagateThroughAwait) {
  RuntimeHarness h;
  EXPECT_EQ(h.run(catch_message(throws_after(h.clock, 1))), "boom");
}

Task<std::string> when_all_with_failure(Executor& ex, int* finished) {
  auto ok_child = [](Executor& e, int* count) -> Task<int> {
    (void)co_await sleep_for(e, absl::Milliseconds(20));
    ++*count;
    co_return 1;
  };
  std::vector<Task<int>> tasks;
  tasks.push_back(ok_child(ex, finished));
  tasks.push_back(throws_after(ex, 5));
  try {
    (void)co_await when_all(std::move(tasks));
  } catch (const std::runtime_error& e) {
    co_return std::string(e.what());
  }
  co_return std::string("no exception");
}

TEST(Runtime, WhenAllRethrowsOnlyAfterEveryChildFinished) {
  RuntimeHarness h;
  int finished = 0;
  EXPECT_EQ(h.run(when_all_with_failure(h.clock, &finished)), "boom");
  EXPECT_EQ(finished, 1);  // the slow sibling was not abandoned mid-flight
}

Task<absl::Status> sleep_reporting(Executor& ex, int ms, absl::Status* seen) {
  *seen = co_await sleep_for(ex, absl::Milliseconds(ms));
  co_return *seen;
}

TEST(Runtime, WithTimeoutReturnsValueWhenFastEnough) {
  RuntimeHarness h;
  absl::StatusOr<int> r = h.run(with_timeout(h.clock, absl::Milliseconds(100), sleep_and_return(h.clock, 10)));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, 10);
  EXPECT_EQ(h.loop.now(), absl::Milliseconds(10));
  EXPECT_EQ(h.loop.pending(), 0u);  // the timeout timer was cancelled
}

TEST(Runtime, WithTimeoutCancelsTheSlowChildAtTheDeadline) {
  RuntimeHarness h;
  absl::Status seen;
  absl::Status r = h.run(with_timeout(h.clock, absl::Milliseconds(25), sleep_reporting(h.clock, 1000, &seen)));
  EXPECT_EQ(r.code(), absl::StatusCode::kDeadlineExceeded);
  EXPECT_EQ(seen.code(), absl::StatusCode::kCancelled);  // the child saw the cancellation
  EXPECT_EQ(h.loop.now(), absl::Milliseconds(25));
  EXPECT_EQ(h.loop.pending(), 0u);  // the child's timer is gone too
}

Task<absl::Status> nested_timeouts(Executor& ex, absl::Status* inner_seen) {
  // The outer deadline (20ms) is shorter than the inner one (500ms): cancellation flows down.
  co_return co_await with_timeout(ex, absl::Milliseconds(20),
                                  with_timeout(ex, absl::Milliseconds(500), sleep_reporting(ex, 1000, inner_seen)));
}

TEST(Runtime, OuterTimeoutCancelsThroughInnerScopes) {
  RuntimeHarness h;
  absl::Status inner;
  absl::Status r = h.run(nested_timeouts(h.clock, &inner));
  EXPECT_EQ(r.code(), absl::StatusCode::kDeadlineExceeded);
  EXPECT_EQ(inner.code(), absl::StatusCode::kCancelled);
  EXPECT_EQ(h.loop.now(), absl::Milliseconds(20));
}

Task<> loop_until_cancelled(Executor& ex, int* iterations, absl::Status* last) {
  while (true) {
    *last = co_await sleep_for(ex, absl::Milliseconds(10));
    if (!last->ok()) co_return;
    ++*iterations;
  }
}

TEST(Runtime, CancelAllStopsBackgroundLoops) {
  RuntimeHarness h;
  int iterations = 0;
  absl::Status last;
  h.spawner.spawn(loop_until_cancelled(h.clock, &iterations, &last));
  h.loop.run_until(absl::Milliseconds(55));
  EXPECT_EQ(iterations, 5);
  h.spawner.cancel_all();
  while (h.loop.step()) {
  }
  EXPECT_EQ(last.code(), absl::StatusCode::kCancelled);
  EXPECT_EQ(h.spawner.live_tasks(), 0u);
  EXPECT_EQ(h.loop.now(), absl::Milliseconds(55));  // it stopped at once, not at the next tick
}

TEST(Runtime, DestroyingTheSpawnerFreesSuspendedFramesAndTimers) {
  // This is how a simulated crash drops a node's memory; ASan reports any leaked frame.
  sim::EventLoop loop;
  int iterations = 0;
  absl::Status last;
  {
    sim::SimClock clock(loop, {});
    Spawner spawner(clock);
    spawner.spawn(loop_until_cancelled(clock, &iterations, &last));
    std::vector<Task<int>> tasks;
    for (int i = 1; i <= 3; ++i) tasks.push_back(sleep_and_return(clock, 100 * i));
    spawner.spawn([](Task<std::vector<int>> t) -> Task<> { (void)co_await std::move(t); }(when_all(std::move(tasks))));
    loop.run_until(absl::Milliseconds(25));
    EXPECT_EQ(spawner.live_tasks(), 2u);
  }
  EXPECT_EQ(loop.pending(), 0u);
  while (loop.step()) {
  }
  EXPECT_EQ(iterations, 2);
}

TEST(Runtime, OneshotDeliversOnceAndEarlySetNeedsNoSuspend) {
  RuntimeHarness h;
  Oneshot<int> shot;
  shot.set(1);
  shot.set(2);  // ignored: first set wins
  auto wait = [](Oneshot<int> s) -> Task<int> { co_return (co_await s.wait()).value_or(-1); };
  EXPECT_EQ(h.run(wait(shot)), 1);

  Oneshot<int> later;
  h.clock.schedule_after(absl::Milliseconds(5), [later]() mutable { later.set(9); });
  EXPECT_EQ(h.run(wait(later)), 9);
  EXPECT_EQ(h.loop.now(), absl::Milliseconds(5));
}

Task<int> depth(int n) {
  if (n == 0) co_return 0;
  co_return 1 + co_await depth(n - 1);
}

TEST(Runtime, DeepAwaitChainsDoNotGrowTheStack) {
  // Symmetric transfer makes resumption a tail call, so depth costs no stack; GCC does not emit
  // those tail calls under AddressSanitizer, so the sanitizer build checks a shallower chain.
#if defined(__SANITIZE_ADDRESS__)
  constexpr int kDepth = 500;
#else
  constexpr int kDepth = 200000;
#endif
  RuntimeHarness h;
  EXPECT_EQ(h.run(depth(kDepth)), kDepth);
}

}  // namespace
}  // namespace garage

namespace garage {
namespace {

TEST(Runtime, DestroyingAFrameInsideWithTimeoutIsClean) {
  // Regression: a crash while a with_timeout child waits must not touch the freed child scope.
  sim::EventLoop loop;
  absl::Status seen;
  {
    sim::SimClock clock(loop, {});
    Spawner spawner(clock);
    spawner.spawn([](Executor& ex, absl::Status* s) -> Task<> {
      (void)co_await with_timeout(ex, absl::Seconds(5), sleep_reporting(ex, 1000, s));
    }(clock, &seen));
    loop.run_until(absl::Milliseconds(10));
  }
  EXPECT_EQ(loop.pending(), 0u);
}

TEST(KeyedMutex, WaitersGetTheLockInOrderAndOtherKeysAreFree) {
  testing::RuntimeHarness h;
  KeyedMutex locks;
  std::vector<int> order;
  auto holder = [](KeyedMutex* m, Clock* clock, std::vector<int>* order, int id, std::string key) -> Task<> {
    KeyedMutex::Guard g = co_await m->lock(key);
    order->push_back(id);
    (void)co_await sleep_for(*clock, absl::Milliseconds(10));
  };
  std::vector<Task<>> all;
  all.push_back(holder(&locks, &h.clock, &order, 1, "a"));
  all.push_back(holder(&locks, &h.clock, &order, 2, "a"));
  all.push_back(holder(&locks, &h.clock, &order, 3, "b"));
  all.push_back(holder(&locks, &h.clock, &order, 4, "a"));
  h.run(when_all(std::move(all)));
  EXPECT_EQ(order, (std::vector<int>{1, 3, 2, 4}));
  EXPECT_EQ(locks.held(), 0u);
}

TEST(KeyedMutex, AGuardThatOutlivesItsMutexReleasesNothing) {
  // A simulated crash destroys the block manager before the frames that hold its guards.
  testing::RuntimeHarness h;
  auto locks = std::make_unique<KeyedMutex>();
  KeyedMutex::Guard g = h.run(locks->lock("k"));
  EXPECT_TRUE(locks->is_locked("k"));
  locks.reset();
  // g's destructor runs here: under ASan, a use after free if it touched the mutex.
}

// Holders of a budget of 10 bytes: each takes `bytes`, records when it got them, holds them
// for `hold` ms.
Task<> budget_holder(ByteBudget* budget, Clock* clock, std::vector<std::pair<int, int64_t>>* got, int id,
                     uint64_t bytes, int hold_ms) {
  ByteBudget::Grant g = co_await budget->acquire(bytes);
  got->emplace_back(id, absl::ToInt64Milliseconds(clock->now_monotonic()));
  EXPECT_LE(budget->in_use(), budget->capacity());
  (void)co_await sleep_for(*clock, absl::Milliseconds(hold_ms));
}

TEST(ByteBudget, WaitersAreServedInOrderAndNeverPastTheCapacity) {
  testing::RuntimeHarness h;
  ByteBudget budget(10);
  std::vector<std::pair<int, int64_t>> got;
  const int64_t t0 = absl::ToInt64Milliseconds(h.clock.now_monotonic());
  std::vector<Task<>> all;
  all.push_back(budget_holder(&budget, &h.clock, &got, 1, 6, 10));   // at 0
  all.push_back(budget_holder(&budget, &h.clock, &got, 2, 6, 10));   // waits for 1: at 10
  all.push_back(budget_holder(&budget, &h.clock, &got, 3, 1, 10));   // would fit, but 2 is first: at 10
  all.push_back(budget_holder(&budget, &h.clock, &got, 4, 50, 10));  // clamped to 10: once 2, 3 are done
  h.run(when_all(std::move(all)));
  ASSERT_EQ(got.size(), 4u);
  EXPECT_EQ(got[0], std::make_pair(1, t0));
  EXPECT_EQ(got[1], std::make_pair(2, t0 + 10));
  EXPECT_EQ(got[2], std::make_pair(3, t0 + 10));
  EXPECT_EQ(got[3], std::make_pair(4, t0 + 20));
  EXPECT_EQ(budget.in_use(), 0u);
  EXPECT_EQ(budget.waiting(), 0u);
}

TEST(ByteBudget, TryAcquireNeverOvertakesAWaiter) {
  testing::RuntimeHarness h;
  ByteBudget budget(10);
  std::optional<ByteBudget::Grant> a = budget.try_acquire(8);
  ASSERT_TRUE(a.has_value());
  EXPECT_FALSE(budget.try_acquire(3).has_value());
  std::vector<std::pair<int, int64_t>> got;
  h.spawner.spawn(budget_holder(&budget, &h.clock, &got, 1, 5, 10));
  while (h.loop.step()) {
    if (budget.waiting() == 1) break;
  }
  EXPECT_EQ(budget.waiting(), 1u);
  EXPECT_FALSE(budget.try_acquire(1).has_value()) << "2 bytes are free, but someone is waiting";
  a.reset();  // hands 5 to the waiter
  EXPECT_EQ(budget.in_use(), 5u);
  EXPECT_EQ(budget.waiting(), 0u);
  while (h.loop.step()) {
  }
  EXPECT_EQ(got.size(), 1u);
  EXPECT_EQ(budget.in_use(), 0u);
  std::optional<ByteBudget::Grant> b = budget.try_acquire(10);
  EXPECT_TRUE(b.has_value());
}

TEST(ByteBudget, AGrantThatOutlivesItsBudgetGivesBackNothing) {
  testing::RuntimeHarness h;
  auto budget = std::make_unique<ByteBudget>(4);
  ByteBudget::Grant g = h.run(budget->acquire(3));
  EXPECT_EQ(budget->in_use(), 3u);
  budget.reset();
}

// ---- Dialer: a scripted dial that takes `dial_time` and then fails or opens a connection.
struct FakeConnection {
  bool closed = false;
  int serial = 0;
};

struct FakeDials {
  explicit FakeDials(Clock& clock) : clock(clock) {}
  Task<absl::StatusOr<std::shared_ptr<FakeConnection>>> dial(std::string address) {
    ++started;
    absl::Status slept = co_await sleep_for(clock, dial_time);
    if (!slept.ok()) co_return slept;
    if (fail) co_return absl::UnavailableError("connection refused");
    auto c = std::make_shared<FakeConnection>();
    c->serial = started;
    co_return c;
  }
  Clock& clock;
  absl::Duration dial_time = absl::Milliseconds(100);
  bool fail = false;
  int started = 0;
};

// One caller of connection_to, with its own timeout, as a transport's call is.
Task<> connect_once(Dialer<FakeConnection>* dialer, Clock* clock, absl::Duration timeout, std::string address,
                    std::vector<absl::StatusOr<int>>* results) {
  absl::StatusOr<absl::StatusOr<std::shared_ptr<FakeConnection>>> r =
      co_await with_timeout(*clock, timeout, dialer->connection_to(std::move(address)));
  if (!r.ok()) {
    results->push_back(r.status());
  } else if (!r->ok()) {
    results->push_back(r->status());
  } else {
    results->push_back((**r)->serial);
  }
}

TEST(Dialer, EveryCallerWaitingForOneDialGetsItsConnection) {
  RuntimeHarness h;
  FakeDials dials(h.clock);
  Dialer<FakeConnection> dialer(h.clock, [&dials](std::string a) { return dials.dial(std::move(a)); });
  std::vector<absl::StatusOr<int>> results;
  std::vector<Task<>> callers;
  for (int i = 0; i < 8; ++i) callers.push_back(connect_once(&dialer, &h.clock, absl::Seconds(5), "peer:1", &results));
  h.run(when_all(std::move(callers)));
  ASSERT_EQ(results.size(), 8u);
  for (const absl::StatusOr<int>& r : results) EXPECT_EQ(r, absl::StatusOr<int>(1));
  EXPECT_EQ(dials.started, 1) << "callers during a dial must share it";
  EXPECT_EQ(dialer.dials_started(), 1u);
}

TEST(Dialer, EveryCallerWaitingForAHungDialEndsByItsOwnTimeout) {
  RuntimeHarness h;
  FakeDials dials(h.clock);
  dials.dial_time = absl::Hours(1);  // a peer that accepts and never finishes the handshake
  Dialer<FakeConnection> dialer(h.clock, [&dials](std::string a) { return dials.dial(std::move(a)); });
  std::vector<absl::StatusOr<int>> results;
  std::vector<Task<>> callers;
  for (int i = 1; i <= 6; ++i) callers.push_back(connect_once(&dialer, &h.clock, absl::Seconds(i), "peer:1", &results));
  const absl::Duration start = h.clock.now_monotonic();
  h.run(when_all(std::move(callers)));
  ASSERT_EQ(results.size(), 6u) << "a caller waiting for the dial was never resumed";
  // The attempt runs in the scope of the caller that started it: its 1 s timeout ends the
  // attempt, which then counts as failed, and the callers waiting for it learn at once that the
  // address is unreachable for the backoff.
  EXPECT_EQ(h.clock.now_monotonic() - start, absl::Seconds(1));
  EXPECT_EQ(results[0].status().code(), absl::StatusCode::kDeadlineExceeded);
  for (size_t i = 1; i < results.size(); ++i) EXPECT_EQ(results[i].status().code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(dials.started, 1);
}

TEST(Dialer, AFailedDialBacksOffThenDialsAgainAndAClosedConnectionIsReplaced) {
  RuntimeHarness h;
  FakeDials dials(h.clock);
  dials.fail = true;
  Dialer<FakeConnection> dialer(h.clock, [&dials](std::string a) { return dials.dial(std::move(a)); });
  std::vector<absl::StatusOr<int>> results;
  h.run(connect_once(&dialer, &h.clock, absl::Seconds(5), "peer:1", &results));
  h.run(connect_once(&dialer, &h.clock, absl::Seconds(5), "peer:1", &results));  // within the backoff
  ASSERT_EQ(results.size(), 2u);
  EXPECT_EQ(results[0].status().message(), "connection refused");
  EXPECT_EQ(results[1].status().code(), absl::StatusCode::kUnavailable);
  EXPECT_NE(results[1].status().message().find("retrying later"), std::string::npos);
  EXPECT_EQ(dials.started, 1) << "no dial during the backoff";

  dials.fail = false;
  h.run([](Clock* c) -> Task<> { (void)co_await sleep_for(*c, absl::Milliseconds(100)); }(&h.clock));
  h.run(connect_once(&dialer, &h.clock, absl::Seconds(5), "peer:1", &results));
  EXPECT_EQ(results[2], absl::StatusOr<int>(2));
  h.run(connect_once(&dialer, &h.clock, absl::Seconds(5), "peer:1", &results));
  EXPECT_EQ(results[3], absl::StatusOr<int>(2)) << "the open connection is reused";
  dialer.connections()[0]->closed = true;
  h.run(connect_once(&dialer, &h.clock, absl::Seconds(5), "peer:1", &results));
  EXPECT_EQ(results[4], absl::StatusOr<int>(3)) << "a closed connection is dialled again";
  EXPECT_EQ(dial_backoff_after(1), absl::Milliseconds(100));
  EXPECT_EQ(dial_backoff_after(4), absl::Milliseconds(800));
  EXPECT_EQ(dial_backoff_after(20), absl::Seconds(3));
}

}  // namespace
}  // namespace garage
