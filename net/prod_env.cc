#include "net/prod_env.h"

#include <sys/random.h>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "absl/time/clock.h"
#include "node/runtime/oneshot.h"

namespace garage {

AsioClock::~AsioClock() {
  for (auto& [id, timer] : timers_) timer->cancel();
}

absl::Duration AsioClock::now_monotonic() { return absl::FromChrono(std::chrono::steady_clock::now() - start_); }

absl::Time AsioClock::now_wall() { return absl::Now(); }

void AsioClock::post(std::function<void()> fn) { boost::asio::post(io_, std::move(fn)); }

TimerId AsioClock::schedule_after(absl::Duration delay, std::function<void()> fn) {
  const TimerId id = next_id_++;
  auto timer = std::make_unique<boost::asio::steady_timer>(io_);
  timer->expires_after(absl::ToChronoNanoseconds(delay));
  timer->async_wait([this, id, fn = std::move(fn)](const boost::system::error_code& ec) {
    if (ec) return;  // cancelled
    if (timers_.erase(id) == 0) return;
    fn();
  });
  timers_.emplace(id, std::move(timer));
  return id;
}

void AsioClock::cancel_timer(TimerId id) {
  auto it = timers_.find(id);
  if (it == timers_.end()) return;
  it->second->cancel();
  timers_.erase(it);  // the handler still runs once with operation_aborted; it owns nothing
}

Task<> PoolOffload::run(std::function<void()> work) {
  Oneshot<bool> done;
  // The pool task owns its copy of `work`, so nothing it touches lives in this frame.
  // The work guard keeps io_.run() from returning for lack of work while the pool is busy.
  boost::asio::post(pool_, [this, work = std::move(work), done, guard = boost::asio::make_work_guard(io_)]() mutable {
    work();
    boost::asio::post(io_, [done]() mutable { done.set(true); });
  });
  // Not cancellable: `work` refers to the caller's frame until it has run.
  co_await done.wait_uncancellable();
}

void StderrTracer::event(Severity severity, std::string_view type, std::string_view detail) {
  if (severity < min_) return;
  static constexpr const char* kNames[] = {"DEBUG", "INFO", "WARN", "ERROR"};
  const std::string when = absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ", absl::Now(), absl::UTCTimeZone());
  std::fprintf(stderr, "%s %s %.*s %.*s\n", when.c_str(), kNames[static_cast<int>(severity)],
               static_cast<int>(type.size()), type.data(), static_cast<int>(detail.size()), detail.data());
}

std::unique_ptr<Rng> new_os_seeded_rng() {
  uint64_t seed = 0;
  if (::getrandom(&seed, sizeof seed, 0) != sizeof seed) seed = static_cast<uint64_t>(absl::GetCurrentTimeNanos());
  return std::make_unique<Xoshiro256>(seed);
}

std::string OsEntropy::bytes(size_t n) {
  std::string out(n, '\0');
  size_t filled = 0;
  while (filled < n) {
    const ssize_t got = ::getrandom(out.data() + filled, n - filled, 0);
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) {
      std::fprintf(stderr, "garage: getrandom failed: %s\n", std::strerror(errno));
      std::abort();
    }
    filled += static_cast<size_t>(got);
  }
  return out;
}

}  // namespace garage
