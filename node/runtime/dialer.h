// Dialer<Conn>: one outgoing connection per address, shared by every caller, and at most one
// attempt at a time to open it.
//
// Callers that arrive while an attempt is in progress each wait on a Oneshot of their own and
// look again when it ends: connected, or backing off. (One shared waiter slot left all but the
// last caller waiting for good, and their timeouts could no longer fire: issue 25, point 2.)
// A failed attempt makes the address fail fast with Unavailable for a backoff, 100 ms doubling
// to 3 s, reset by the next success. The cap bounds how long a peer that is back stays unused:
// with membership's pings each second, nodes see each other up again within kUpAfterHealBound
// (10 s) of a heal, which the simulator checks (at 10 s, they did not always). I/O-free: the
// transport gives the dial itself, so the logic is tested on a simulated clock
// (tests/runtime_test.cc, Dialer.*).
//
// Conn has a `bool closed` member: a closed connection is dialled again. Waits are cancellable:
// a waiting caller's timeout ends its wait. The attempt itself runs in the scope of the caller
// that started it, so that caller's timeout ends the attempt, which counts as failed: the
// others waiting for it are told at once that the address is unreachable for the backoff.
//
//   Dialer<Connection> dialer(clock, [this](std::string a) { return dial(std::move(a)); });
//   absl::StatusOr<std::shared_ptr<Connection>> c = co_await dialer.connection_to(address);
#pragma once

#include <algorithm>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "node/chaos.h"
#include "node/env.h"
#include "node/planted.h"
#include "node/runtime/oneshot.h"
#include "node/runtime/task.h"

namespace garage {

// The wait before the next attempt after `failures` failed ones in a row (>= 1).
inline absl::Duration dial_backoff_after(int failures) {
  return std::min(absl::Seconds(3), absl::Milliseconds(100) * (1 << std::min(std::max(failures, 1) - 1, 7)));
}

struct DialerOptions {
  Chaos* chaos = nullptr;  // probes (the simulator's): transport.waited_for_a_dial
  // Planted bug (simulator only, node/planted.h): the bug of issue 25 point 2 restored. The
  // callers waiting for one attempt share one slot: a later caller takes the earlier one's
  // place, and the earlier one is never resumed nor cancelled (its timeout cannot end it).
  bool planted_shared_waiter_slot = false;
};

template <class Conn>
class Dialer {
 public:
  using DialFn = std::function<Task<absl::StatusOr<std::shared_ptr<Conn>>>(std::string address)>;

  Dialer(Clock& clock, DialFn dial, DialerOptions options = {})
      : clock_(clock), dial_(std::move(dial)), options_(options) {}

  // The open connection to `address`, after dialling it if there is none (and no backoff).
  Task<absl::StatusOr<std::shared_ptr<Conn>>> connection_to(std::string address) {
    while (true) {
      auto it = open_.find(address);
      if (it != open_.end() && !it->second->closed) co_return it->second;
      Attempt& a = attempts_[address];  // std::map: the reference survives other insertions
      if (!a.in_progress) break;
      if (options_.chaos != nullptr) options_.chaos->reached("transport.waited_for_a_dial");
      Oneshot<bool> turn;
      if (planted(options_.planted_shared_waiter_slot)) {
        a.waiters.clear();  // the earlier waiter's slot is taken: it is never resumed
        a.waiters.push_back(turn);
        std::optional<bool> done = co_await turn.wait_uncancellable();
        (void)done;
        continue;
      }
      a.waiters.push_back(turn);
      std::optional<bool> done = co_await turn.wait();                          // (a plain statement: GCC 12
      if (!done.has_value()) co_return absl::CancelledError("call cancelled");  // miscompiles co_await in !(...))
    }
    Attempt& a = attempts_[address];
    if (clock_.now_monotonic() < a.retry_at) {
      co_return absl::UnavailableError(
          absl::StrCat(address, " unreachable (retrying later): ", a.last_error.message()));
    }
    a.in_progress = true;
    ++dials_started_;
    std::string to_dial = address;
    absl::StatusOr<std::shared_ptr<Conn>> conn = co_await dial_(std::move(to_dial));
    a.in_progress = false;
    for (Oneshot<bool>& w : std::exchange(a.waiters, {})) w.set(true);  // each looks again
    if (!conn.ok()) {
      ++a.failures;
      a.retry_at = clock_.now_monotonic() + dial_backoff_after(a.failures);
      a.last_error = conn.status();
      co_return conn.status();
    }
    a.failures = 0;
    open_[address] = *conn;
    co_return *conn;
  }

  // `conn` closed: the next call to its address dials again (if it is still the one in use).
  void forget(const std::string& address, const Conn* conn) {
    auto it = open_.find(address);
    if (it != open_.end() && it->second.get() == conn) open_.erase(it);
  }

  // Every connection in use (to close them all at shutdown).
  std::vector<std::shared_ptr<Conn>> connections() const {
    std::vector<std::shared_ptr<Conn>> out;
    for (const auto& [address, conn] : open_) out.push_back(conn);
    return out;
  }

  uint64_t dials_started() const { return dials_started_; }

 private:
  struct Attempt {
    bool in_progress = false;
    std::vector<Oneshot<bool>> waiters;  // one per caller waiting for this attempt
    int failures = 0;
    absl::Duration retry_at = absl::ZeroDuration();
    absl::Status last_error;
  };

  Clock& clock_;
  DialFn dial_;
  DialerOptions options_;
  std::map<std::string, std::shared_ptr<Conn>> open_;  // by address
  std::map<std::string, Attempt> attempts_;            // by address
  uint64_t dials_started_ = 0;
};

}  // namespace garage
