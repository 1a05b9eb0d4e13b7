// The production implementations of the Clock, Offload, Rng and Tracer ports.
//
// AsioClock runs a node's callbacks and timers on one io_context (the node's thread);
// PoolOffload runs blocking work on a small thread pool and resumes the caller on that
// io_context; new_os_seeded_rng seeds our Xoshiro256 from the OS.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/thread_pool.hpp>
#include <chrono>
#include <map>
#include <memory>

#include "node/env.h"
#include "node/rng.h"

namespace garage {

class AsioClock final : public Clock {
 public:
  explicit AsioClock(boost::asio::io_context& io) : io_(io), start_(std::chrono::steady_clock::now()) {}
  ~AsioClock() override;

  absl::Duration now_monotonic() override;
  absl::Time now_wall() override;
  void post(std::function<void()> fn) override;
  TimerId schedule_after(absl::Duration delay, std::function<void()> fn) override;
  void cancel_timer(TimerId id) override;

 private:
  boost::asio::io_context& io_;
  std::chrono::steady_clock::time_point start_;
  TimerId next_id_ = 1;
  std::map<TimerId, std::unique_ptr<boost::asio::steady_timer>> timers_;
};

class PoolOffload final : public Offload {
 public:
  PoolOffload(boost::asio::io_context& io, size_t threads) : io_(io), pool_(threads) {}
  ~PoolOffload() override { pool_.join(); }
  Task<> run(std::function<void()> work) override;

 private:
  boost::asio::io_context& io_;
  boost::asio::thread_pool pool_;
};

class StderrTracer final : public Tracer {
 public:
  explicit StderrTracer(Severity min_severity) : min_(min_severity) {}
  void event(Severity severity, std::string_view type, std::string_view detail) override;

 private:
  Severity min_;
};

// Xoshiro256 seeded with 64 bits from getrandom(2).
std::unique_ptr<Rng> new_os_seeded_rng();

// The Entropy port on getrandom(2): blocks only until the kernel's pool is initialised (at
// boot); aborts if the kernel refuses, since no secret may come from anything weaker.
class OsEntropy final : public Entropy {
 public:
  std::string bytes(size_t n) override;
};

}  // namespace garage
